// Invitations end to end with real Redis/BullMQ and a real SMTP server, on SQLite and PostgreSQL:
// a push sends one email with a working link; accepting activates the person; resend, reminder,
// expiry, retries and a permanent SMTP refusal.
import { getAccount } from '../../../src/db/accounts.repo';
import { inviteByEmail, planInvitationMail, resendInvitation } from '../../../src/domain/invitations';
import { MailDelivery } from '../../../src/mail/delivery';
import type { Mailer } from '../../../src/mail/mailer';
import { lifecycleTick } from '../../../src/domain/lifecycle';
import { listMembersWithGroups } from '../../../src/domain/members';
import { system } from '../../../src/domain/principal';
import { startStack, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, userBody, type ScimClient } from '../../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../../helpers/smtp';

type Res = Record<string, unknown> & { id: string };
const DAY = 24 * 3600 * 1000;

describe.each(DIALECTS)('invitations [%s]', (dialect) => {
  let smtp: TestSmtp;
  let app: TestApp;
  let c: ScimClient;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack(dialect, { smtpUrl: smtp.url, now: clock });
    c = await scimAccount(app.rt.db, app.url, { name: 'Invite Co' });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const mailsTo = (addr: string) => smtp.mails.filter((m) => m.to.includes(addr));
  const waitForMail = async (addr: string, n = 1) => {
    const until = Date.now() + 20_000;
    while (mailsTo(addr).length < n) {
      if (Date.now() > until) throw new Error(`no email for ${addr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return mailsTo(addr);
  };
  const member = async (email: string) => (await asOp(app.rt.db, (ctx) => listMembersWithGroups(ctx, c.accountId))).find((m) => m.email === email);

  it('sends one email with a working one-time link; accepting activates the SCIM-provisioned person', async () => {
    const r = await c.req<Res>(
      'POST',
      '/Users',
      userBody('new.hire@invite.example', { name: { givenName: 'New', familyName: 'Hire' }, displayName: 'New Hire' }),
    );
    expect(r.status).toBe(201);
    const [mail] = await waitForMail('new.hire@invite.example');
    expect(mail!.subject).toBe('You are invited to join Invite Co');
    expect(mail!.language).toBe('en');
    expect(mail!.text).toContain('Hello New Hire,');
    expect(mail!.html).toMatch(/<a href="http:\/\/127\.0\.0\.1:\d+\/invitations\//);
    const link = linkIn(mail!, 'invitations');
    expect(link.startsWith(app.url)).toBe(true);
    // The link's secret is nowhere at rest.
    const token = link.split('/').pop()!;
    expect(JSON.stringify(await app.rt.db('invitations'))).not.toContain(token);
    expect(JSON.stringify(await app.rt.db('outbox'))).not.toContain(token);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<html lang="en">');
    expect(body).toMatch(/<label for="password">Password<\/label>/);

    const short = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'short' }) });
    expect(short.status).toBe(400);
    expect((await member('new.hire@invite.example'))!.state).toBe('invited');

    const accepted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'correct horse battery staple' }),
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ status: 'accepted', memberId: r.body.id });
    expect((await member('new.hire@invite.example'))!.state).toBe('active');
    const stored = await app.rt.db('members').where({ id: r.body.id }).first();
    expect(stored.password_hash).toMatch(/^scrypt\$/);
    // One-time: the same link no longer works.
    expect(
      (await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'another long password' }) }))
        .status,
    ).toBe(404);
    expect((await fetch(link)).status).toBe(404);
    // Still exactly one email for this person.
    await new Promise((r2) => setTimeout(r2, 300));
    expect(mailsTo('new.hire@invite.example')).toHaveLength(1);
  });

  it('accepts through the page’s own form too', async () => {
    await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: 'form.user@invite.example', group: 'Administrators' }));
    const [mail] = await waitForMail('form.user@invite.example');
    const link = linkIn(mail!, 'invitations');
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password=a+long+enough+password',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('Welcome to Invite Co');
    expect(await member('form.user@invite.example')).toMatchObject({ state: 'active', groups: ['Administrators'] });
  });

  it('resends with a new link (the old one stops working) and sends one reminder after two days', async () => {
    const { member: m } = await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: 'slow@invite.example' }));
    const [first] = await waitForMail('slow@invite.example');
    await asOp(app.rt.db, (ctx) => resendInvitation(ctx, c.accountId, m.id));
    const both = await waitForMail('slow@invite.example', 2);
    const [oldLink, newLink] = [linkIn(first!, 'invitations'), linkIn(both[1]!, 'invitations')];
    expect(newLink).not.toBe(oldLink);
    expect((await fetch(oldLink)).status).toBe(404);
    expect((await fetch(newLink)).status).toBe(200);
    offset = 2 * DAY + 60_000;
    try {
      const report = await asActor(app.rt.db, system('test'), (ctx) => lifecycleTick(ctx), clock());
      expect(report.remindersQueued).toBeGreaterThanOrEqual(1);
      const three = await waitForMail('slow@invite.example', 3);
      expect(three[2]!.subject).toBe('Reminder: your invitation to Invite Co is waiting');
      // The reminder carries the current link, which still works.
      expect(linkIn(three[2]!, 'invitations')).toBe(newLink);
      expect((await asActor(app.rt.db, system('test'), (ctx) => lifecycleTick(ctx), clock())).remindersQueued).toBe(0);
    } finally {
      offset = 0;
    }
  });

  it('expires an unaccepted invitation after five days', async () => {
    await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: 'late@invite.example' }));
    const [mail] = await waitForMail('late@invite.example');
    const link = linkIn(mail!, 'invitations');
    offset = 5 * DAY + 60_000;
    try {
      const report = await asActor(app.rt.db, system('test'), (ctx) => lifecycleTick(ctx), clock());
      expect(report.invitationsExpired).toBeGreaterThanOrEqual(1);
      expect((await fetch(link)).status).toBe(404);
    } finally {
      offset = 0;
    }
  });

  it('sends nothing twice when the same job runs again (retries, stalled jobs)', async () => {
    const { invitation } = await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: 'once@invite.example' }));
    await waitForMail('once@invite.example');
    // The job's work, replayed as a retry would: the delivery marker says it went out.
    const refuse = { send: async () => Promise.reject(new Error('sent twice')) } as unknown as Mailer;
    const delivery = new MailDelivery({ db: app.rt.db, mailer: refuse, metrics: app.rt.metrics, now: app.rt.now, publicUrl: app.url, leaseMs: 60_000 });
    const job = { accountId: c.accountId, invitationId: invitation.id, generation: 1, kind: 'send' as const };
    const again = await delivery.deliver(
      'test',
      (ctx) => planInvitationMail(ctx, job, app.rt.secret),
      () => ({ subject: 's', text: 't', html: 'h' }),
    );
    expect(again).toEqual({ sent: [], alreadySent: 1 });
    const row = await app.rt
      .db('outbox')
      .where({ job_key: `invitation:${invitation.id}:send:1` })
      .first();
    const bullJob = await app.rt.queues.get('invitations').getJob(`outbox-${row.id}`);
    await bullJob!.retry('completed');
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo('once@invite.example')).toHaveLength(1);
    expect(await app.rt.db('email_deliveries').where({ dedupe_key: `invitation:${invitation.id}:send:1` })).toEqual([
      expect.objectContaining({ status: 'sent' }),
    ]);
  });

  it('fails a job for good on a permanent SMTP refusal and lists it as failed', async () => {
    smtp.reject.add('bounce@invite.example');
    await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: 'bounce@invite.example' }));
    const queue = app.rt.queues.get('invitations');
    const until = Date.now() + 15_000;
    let failed: Awaited<ReturnType<typeof queue.getFailed>> = [];
    while (Date.now() < until) {
      failed = (await queue.getFailed()).filter((j) => JSON.stringify(j.failedReason).includes('550'));
      if (failed.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(failed).toHaveLength(1);
    expect(failed[0]!.attemptsMade).toBe(1); // not retried: a 5xx will not change
    expect(mailsTo('bounce@invite.example')).toHaveLength(0);
  });

  it('counts queue depth in /metrics and hides the jobs board without the admin token', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/mspbridge_queue_jobs\{queue="invitations",state="completed"\} [1-9]\d*/);
    expect(text).toMatch(/mspbridge_emails_sent_total\{kind="invitation.send"\} [1-9]\d*/);
    expect((await fetch(`${app.url}/admin/queues`)).status).toBe(404);
  });

  it('writes German emails for German speakers (preferredLanguage from the IdP)', async () => {
    const r = await c.req<Res>(
      'POST',
      '/Users',
      userBody('de.user@invite.example', { preferredLanguage: 'de-DE', name: { givenName: 'Jürgen', familyName: 'Groß' } }),
    );
    expect(r.status).toBe(201);
    const [mail] = await waitForMail('de.user@invite.example');
    expect(mail!.language).toBe('de');
    expect(mail!.subject).toBe('Einladung zu Invite Co');
    const page = await (await fetch(linkIn(mail!, 'invitations'))).text();
    expect(page).toContain('<html lang="de">');
    expect(page).toContain('Einladung annehmen');
    const account = await getAccount(app.rt.db, c.accountId);
    expect(account!.defaultLanguage).toBe('en');
  });
});
