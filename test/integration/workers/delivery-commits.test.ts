// "Sent" records of emails going out on several SMTP connections at once share one commit, and
// each message is still finished only after its own record committed (src/mail/delivery.ts).
import { mailKeys, type PlannedMail } from '../../../src/domain/mailDeliveries';
import { createMsp } from '../../../src/domain/accounts';
import { MailDelivery } from '../../../src/mail/delivery';
import type { Mailer, OutgoingMail } from '../../../src/mail/mailer';
import { createMetrics } from '../../../src/metrics';
import { describeEachDb } from '../../helpers/db';
import { asOp } from '../../helpers/ctx';

describeEachDb('group commit of sent records', (t) => {
  it('records three concurrent sends in two commits (the first at once, the other two together), each finished after its record', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Commit MSP', region: 'eu', ownerEmail: 'o@commit.example' }, ['eu']));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let waiting = 0;
    const ended: string[] = [];
    const mailer = {
      async send(m: OutgoingMail, onCommit?: (end: () => void) => Promise<void>) {
        waiting++;
        await gate; // all three reach the "." at the same moment
        await onCommit!(() => ended.push(m.to));
        return { messageId: m.messageId };
      },
    } as unknown as Mailer;
    const delivery = new MailDelivery({ db, mailer, metrics: createMetrics(), now: () => new Date(), publicUrl: 'http://bridge.example', leaseMs: 60_000 });
    const planned = (i: number): PlannedMail<{ i: number }> => ({
      key: mailKeys.signin(`commit-${i}`),
      accountId: msp.account.id,
      kind: 'signin',
      to: `p${i}@commit.example`,
      language: 'en',
      data: { i },
    });
    const sends = [0, 1, 2].map((i) =>
      delivery.deliver(
        'test',
        async () => [planned(i)],
        () => ({ subject: 's', text: 't', html: '<p>h</p>' }),
      ),
    );
    while (waiting < 3) await new Promise((r) => setTimeout(r, 5));
    let commits = 0;
    const count = (q: { sql: string }) => void (/^commit/i.test(q.sql) && commits++);
    db.on('query', count);
    release();
    const outcomes = await Promise.all(sends);
    db.off('query', count);
    expect(commits).toBe(2);
    expect(outcomes.map((o) => o.sent)).toEqual([0, 1, 2].map((i) => [mailKeys.signin(`commit-${i}`)]));
    expect(ended.sort()).toEqual(['p0@commit.example', 'p1@commit.example', 'p2@commit.example']);
    const rows = (await db('email_deliveries').whereIn('recipient', ended).select('status', 'message_id')) as Array<{ status: string; message_id: string }>;
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    // A second round finds them sent: nothing goes out twice.
    const again = await delivery.deliver(
      'test',
      async () => [planned(1)],
      () => ({ subject: 's', text: 't', html: '<p>h</p>' }),
    );
    expect(again).toEqual({ sent: [], alreadySent: 1 });
  });
});
