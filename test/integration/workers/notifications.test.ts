// MSP events reach people: one email per contact in their language (a real SMTP server), and
// signed webhook POSTs to a loopback receiver that fails the first delivery and takes the retry.
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { approvalToken, decideLink, requestLink, showLink, unlinkCompany } from '../../../src/domain/links';
import { addManualMember } from '../../../src/domain/members';
import { addContact, fanOutEvent } from '../../../src/domain/notifications';
import { system } from '../../../src/domain/principal';
import { addWebhook, startAttempt, webhookDeliveries } from '../../../src/domain/webhooks';
import { resolveTarget } from '../../../src/http/webhookTarget';
import { startStack, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { startSmtp, type TestSmtp } from '../../helpers/smtp';
import { type Receiver, startReceiver, verifySignature } from '../../helpers/webhookReceiver';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('notifications and webhooks [%s]', (dialect) => {
  let smtp: TestSmtp;
  let rx: Receiver;
  let app: TestApp;
  let mspId: string;
  const hooks: Record<string, { id: string; secret: string }> = {};
  const db = () => app.rt.db;
  const hook = (url: string, events?: string[]) =>
    asOp(db(), (ctx) => addWebhook(ctx, { mspId, url, events }, { secret: app.rt.secret, vet: async (u) => (await resolveTarget(u, true)).url }));
  const events = async (type: string) => (await db()('msp_events').where({ msp_id: mspId, type })) as Array<{ id: string; data: unknown }>;

  /** A company of the MSP with an Owner of its own who accepted, then unlinked (a company.unlinked event). */
  const unlinked = async (msp: string, name: string, ownerEmail: string) => {
    const c = await asOp(db(), (ctx) => addCompany(ctx, { mspId: msp, name, country: 'US' }));
    const owner = await asOp(db(), (ctx) => addManualMember(ctx, { accountId: c.id, email: ownerEmail, group: 'Owners', state: 'active' }));
    await asOp(db(), (ctx) => unlinkCompany(ctx, { mspId: msp, companyId: c.id }));
    return { companyId: c.id, ownerId: owner.id };
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    rx = await startReceiver();
    app = await startStack(dialect, { smtpUrl: smtp.url, env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '300' } });
    mspId = (await asOp(db(), (ctx) => createMsp(ctx, { name: 'Notify IT', region: 'us', ownerEmail: 'owner@notify.example' }, ['us']))).account.id;
    await asOp(db(), (ctx) => addContact(ctx, { mspId, email: 'Kontakt@Notify.example', language: 'de' }));
    // A contact whose mailbox the server refuses for good: only their own email fails.
    await asOp(db(), (ctx) => addContact(ctx, { mspId, email: 'bounce@notify.example' }));
    smtp.reject.add('bounce@notify.example');
    // The first delivery to /flaky fails (500); the retry is taken.
    rx.answer.set('/flaky', (seen) => ({ status: seen === 0 ? 500 : 204 }));
    rx.answer.set('/moved', () => ({ status: 302, headers: { location: `${rx.url}/landing` } }));
    hooks.flaky = await hook(`${rx.url}/flaky`);
    hooks.moved = await hook(`${rx.url}/moved`, ['company.unlinked']);
    hooks.trials = await hook(`${rx.url}/trials`, ['trial.ending']);
  });
  afterAll(async () => {
    await app.close();
    await rx.close();
    await smtp.close();
  });

  let unlinkedCompany: { companyId: string; ownerId: string };

  it('signs each delivery, retries the failed first one with backoff, and emails the contact once in German', async () => {
    const raisedAt = Date.now();
    unlinkedCompany = await unlinked(mspId, 'Abschied GmbH', 'chef@abschied.example');
    const [event] = await events('company.unlinked');
    await rx.waitFor((r) => r.filter((x) => x.path === '/flaky').length >= 2 && r.some((x) => x.path === '/moved'));
    const flaky = rx.received.filter((r) => r.path === '/flaky');
    expect(flaky).toHaveLength(2);
    // The same event, the same bytes, each attempt signed at its own send time.
    expect(flaky[1]!.body).toBe(flaky[0]!.body);
    for (const r of flaky) {
      expect(verifySignature(r.headers['mspbridge-signature'] as string, r.body, hooks.flaky!.secret)).toBe(true);
      expect(verifySignature(r.headers['mspbridge-signature'] as string, r.body, hooks.moved!.secret)).toBe(false);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/^mspbridge-webhooks\//);
    }
    // The retry is queued when the first attempt is claimed (before it is sent: a crash mid-send still retries),
    // due the base delay (300 ms) later; a first request that reached the receiver late narrows the gap between
    // the arrivals, so the wait is checked from before the event was raised.
    expect(flaky[1]!.at - raisedAt).toBeGreaterThanOrEqual(300);
    expect(flaky[1]!.at).toBeGreaterThan(flaky[0]!.at);
    const body = JSON.parse(flaky[0]!.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['id', 'type', 'createdAt', 'data']);
    expect(body).toEqual({
      id: event!.id,
      type: 'company.unlinked',
      createdAt: expect.any(String),
      data: { companyId: unlinkedCompany.companyId, companyName: 'Abschied GmbH', trialEndsAt: expect.any(String) },
    });

    const until = Date.now() + 10_000;
    let list = await asOp(db(), (ctx) => webhookDeliveries(ctx, { mspId }));
    while (list.find((d) => d.webhookId === hooks.flaky!.id)?.status !== 'delivered' && Date.now() < until) {
      await settle(50);
      list = await asOp(db(), (ctx) => webhookDeliveries(ctx, { mspId }));
    }
    expect(list.find((d) => d.webhookId === hooks.flaky!.id)).toMatchObject({
      eventId: event!.id,
      eventType: 'company.unlinked',
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
    });
    // A redirect is an answer, not a delivery: not followed, recorded, retried later.
    expect(list.find((d) => d.webhookId === hooks.moved!.id)).toMatchObject({
      status: 'pending',
      lastStatusCode: 302,
      lastError: expect.stringMatching(/not followed/),
    });
    expect(rx.received.some((r) => r.path === '/landing')).toBe(false);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/mspbridge_webhook_attempts_total\{outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/mspbridge_webhook_attempts_total\{outcome="retrying"\} [1-9]/);
    // A hook that did not ask for the event gets none.
    expect(list.some((d) => d.webhookId === hooks.trials!.id)).toBe(false);

    const until2 = Date.now() + 10_000;
    while (!smtp.mails.some((m) => m.to.includes('kontakt@notify.example')) && Date.now() < until2) await settle(50);
    await settle(500);
    const mine = smtp.mails.filter((m) => m.to.includes('kontakt@notify.example'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.subject).toBe('Verknüpfung mit Abschied GmbH aufgehoben');
    expect(mine[0]!.text).toContain('Abschied GmbH');
    expect(mine[0]!.language).toBe('de');
    expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/mspbridge_emails_sent_total\{kind="event.company.unlinked"\} [1-9]/);
    expect(smtp.mails.some((m) => m.to.includes('bounce@notify.example'))).toBe(false);
    // With a contact set, the Owners are not emailed as well.
    expect(smtp.mails.some((m) => m.to.includes('owner@notify.example'))).toBe(false);
  });

  it('delivers each event once per hook, even when its jobs run again', async () => {
    const [event] = await events('company.unlinked');
    const before = await db()('webhook_deliveries').where({ event_id: event!.id }).count({ n: '*' });
    // The notifications job again (a redelivered job), and the first attempt of the delivered hook again.
    await asActor(db(), system('test'), (ctx) => fanOutEvent(ctx, mspId, event!.id));
    const delivered = (await db()('webhook_deliveries').where({ event_id: event!.id, webhook_id: hooks.flaky!.id }).first()) as { id: string };
    const again = await asActor(db(), system('test'), (ctx) =>
      startAttempt(ctx, { deliveryId: delivered.id, attempt: 1 }, { baseMs: 300, windowMs: 86_400_000, timeoutMs: 10_000 }, app.rt.secret),
    );
    expect(again).toBeUndefined();
    await settle(800);
    expect(await db()('webhook_deliveries').where({ event_id: event!.id }).count({ n: '*' })).toEqual(before);
    const bodies = rx.received.filter((r) => r.path === '/flaky' && (JSON.parse(r.body) as { id: string }).id === event!.id);
    expect(bodies).toHaveLength(2); // the failed first attempt and the delivered retry, nothing more
  });

  it('raises company.link_requested and company.link_approved, delivered to the hooks', async () => {
    const req = await asOp(db(), (ctx) => requestLink(ctx, { mspId, accountId: unlinkedCompany.companyId }));
    const requested = await events('company.link_requested');
    expect(requested.map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data))).toEqual([
      { requestId: req.requestId, accountId: unlinkedCompany.companyId, kind: 'transfer', expiresAt: req.expiresAt },
    ]);
    const until = Date.now() + 15_000;
    while ((await asOp(db(), (ctx) => showLink(ctx, { requestId: req.requestId }))).status !== 'awaiting_approval') {
      if (Date.now() > until) throw new Error('link request was not validated');
      await settle(50);
    }
    const token = approvalToken(app.rt.secret, req.requestId, unlinkedCompany.ownerId);
    await asOp(db(), (ctx) => decideLink(ctx, token, true, app.rt.secret));
    expect(await events('company.link_approved')).toHaveLength(1);
    const got = await rx.waitFor((r) => {
      const types = r.filter((x) => x.path === '/flaky').map((x) => (JSON.parse(x.body) as { type: string }).type);
      return types.includes('company.link_requested') && types.includes('company.link_approved');
    });
    const approved = got.find((x) => x.path === '/flaky' && (JSON.parse(x.body) as { type: string }).type === 'company.link_approved')!;
    expect(JSON.parse(approved.body)).toMatchObject({
      data: { requestId: req.requestId, companyId: unlinkedCompany.companyId, companyName: 'Abschied GmbH', kind: 'transfer' },
    });
    expect(verifySignature(approved.headers['mspbridge-signature'] as string, approved.body, hooks.flaky!.secret)).toBe(true);
    // Not for the hook that asked only for company.unlinked.
    await settle(300);
    expect(rx.received.filter((r) => r.path === '/moved').every((r) => (JSON.parse(r.body) as { type: string }).type === 'company.unlinked')).toBe(true);
  });

  it("emails the MSP's Owners, in English, when the MSP has no contacts", async () => {
    const other = (await asOp(db(), (ctx) => createMsp(ctx, { name: 'Quiet IT', region: 'us', ownerEmail: 'boss@quiet.example' }, ['us']))).account.id;
    await unlinked(other, 'Leaving Ltd', 'owner@leaving.example');
    const until = Date.now() + 10_000;
    while (!smtp.mails.some((m) => m.to.includes('boss@quiet.example')) && Date.now() < until) await settle(50);
    await settle(300);
    const mails = smtp.mails.filter((m) => m.to.includes('boss@quiet.example'));
    expect(mails.map((m) => m.subject)).toEqual(['Leaving Ltd was unlinked']);
  });
});
