// "Sent" records of emails going out on several SMTP connections at once share one commit, and
// each message is still finished only after its own record committed (src/mail/delivery.ts).
import { mailKeys, type PlannedMail } from '../../../src/domain/mailDeliveries';
import { createMsp } from '../../../src/domain/accounts';
import { type Db, isPg } from '../../../src/db/knex';
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

describeEachDb('group commit of claims', (t) => {
  const sendAll = {
    async send(m: OutgoingMail, onCommit?: (end: () => void) => Promise<void>) {
      await onCommit!(() => undefined);
      return { messageId: m.messageId };
    },
  } as unknown as Mailer;
  const render = () => ({ subject: 's', text: 't', html: '<p>h</p>' });

  /** An MSP of its own, a delivery that sends everything, and sign-in mails planned to <prefix><i>@<tag>.example. */
  const claimSetup = async (db: Db, tag: string, prefix: string) => {
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `MSP ${tag}`, region: 'eu', ownerEmail: `o@${tag}.example` }, ['eu']));
    const delivery = new MailDelivery({
      db,
      mailer: sendAll,
      metrics: createMetrics(),
      now: () => new Date(),
      publicUrl: 'http://bridge.example',
      leaseMs: 60_000,
    });
    const planned = (i: number): PlannedMail => ({
      key: mailKeys.signin(`${tag}-${i}`),
      accountId: msp.account.id,
      kind: 'signin',
      to: `${prefix}${i}@${tag}.example`,
      language: 'en',
      data: {},
    });
    return { delivery, planned };
  };

  it('claims twelve concurrent jobs in fewer transactions (SQLite: the first at once, the other eleven together), each email sent once', async () => {
    const { db } = t();
    const { delivery, planned } = await claimSetup(db, 'claim', 'c');
    const jobs = Array.from({ length: 12 }, (_, i) => i);
    let claimTransactions = 0;
    const outcomes = await Promise.all(
      jobs.map((i) =>
        delivery.deliver(
          'test',
          async (ctx) => {
            // Each transaction's first plan counts it (the plans of one transaction share its ctx).
            if (!(ctx as { counted?: boolean }).counted) claimTransactions++;
            (ctx as { counted?: boolean }).counted = true;
            return [planned(i)];
          },
          render,
        ),
      ),
    );
    // PostgreSQL runs up to four claim transactions at once (each waits on round trips): the first
    // four jobs start one each, the other eight share what comes free.
    if (isPg(db)) expect(claimTransactions).toBeLessThanOrEqual(8);
    else expect(claimTransactions).toBe(2);
    expect(outcomes.map((o) => o.sent)).toEqual(jobs.map((i) => [mailKeys.signin(`claim-${i}`)]));
    const rows = (await db('email_deliveries').where('recipient', 'like', '%@claim.example').select('status')) as Array<{ status: string }>;
    expect(rows.map((r) => r.status)).toEqual(jobs.map(() => 'sent'));
  });

  it("one job's failing plan fails only that job: the others of its transaction claim and send", async () => {
    const { db } = t();
    const { delivery, planned } = await claimSetup(db, 'claim2', 'd');
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map((i) =>
        delivery.deliver(
          'test',
          async (ctx) => {
            // Job 2 claims, then fails: its claim must be undone with it, the others' kept.
            const mail = planned(i);
            if (i === 2) {
              await ctx.tx('email_deliveries').insert({
                id: `x-${i}`,
                account_id: mail.accountId,
                dedupe_key: mail.key,
                kind: 'signin',
                recipient: mail.to,
                status: 'sending',
                claimed_at: ctx.now.toISOString(),
              });
              throw new Error('plan failed');
            }
            return [mail];
          },
          render,
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('plan failed'));
    const rows = (await db('email_deliveries').where('recipient', 'like', '%@claim2.example').orderBy('recipient').select('recipient', 'status')) as Array<{
      recipient: string;
      status: string;
    }>;
    expect(rows).toEqual([0, 1, 3].map((i) => ({ recipient: `d${i}@claim2.example`, status: 'sent' })));
  });
});
