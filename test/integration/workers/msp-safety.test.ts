// The MSP safety features together, on SQLite and PostgreSQL, as an MSP lives them: an IdP's
// deletions trip a company's breaker and a push runs into a seat cap; the MSP hears about each
// once, by a signed webhook (to a loopback receiver) and by email (a real SMTP server).
import { updateCompanySeats } from '../../../src/domain/seatCaps';
import { updateSettings } from '../../../src/domain/settings';
import { addWebhook } from '../../../src/domain/webhooks';
import { resolveTarget } from '../../../src/http/webhookTarget';
import { startStack, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, userBody } from '../../helpers/scim';
import { startSmtp, type TestSmtp } from '../../helpers/smtp';
import { type Receiver, startReceiver, verifySignature } from '../../helpers/webhookReceiver';

type Res = Record<string, unknown> & { id: string };

describe.each(DIALECTS)('MSP safety end to end [%s]', (dialect) => {
  let smtp: TestSmtp;
  let rx: Receiver;
  let app: TestApp;

  beforeAll(async () => {
    smtp = await startSmtp();
    rx = await startReceiver();
    app = await startStack(dialect, { smtpUrl: smtp.url, env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '300' } });
  });
  afterAll(async () => {
    await app?.close();
    await rx?.close();
    await smtp?.close();
  });

  it('a tripped breaker and a seat cap each reach the MSP once, signed and by email', async () => {
    const db = app.rt.db;
    const tripped = await scimAccount(db, app.url, { name: 'Tripped Co', region: 'us' });
    const mspId = tripped.mspId;
    const hook = await asOp(db, (ctx) =>
      addWebhook(ctx, { mspId, url: `${rx.url}/events` }, { secret: app.rt.secret, vet: async (u) => (await resolveTarget(u, true)).url }),
    );
    await asOp(db, (ctx) => updateSettings(ctx, tripped.accountId, { deprovisionLimit: 2 }));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await tripped.req<Res>('POST', '/Users', userBody(`t${i}@tripped.example`))).body.id);
    for (const id of ids) expect((await tripped.req('DELETE', `/Users/${id}`)).status).toBe(204);

    const capped = await scimAccount(db, app.url, { name: 'Capped Co', mspId });
    await asOp(db, (ctx) => updateCompanySeats(ctx, { mspId, companyId: capped.accountId, seats: 1 }));
    expect((await capped.req('POST', '/Users', userBody('one@capped.example'))).status).toBe(201);
    for (const who of ['two', 'three']) {
      const refused = await capped.req<{ schemas: string[]; status: string; detail: string }>('POST', '/Users', userBody(`${who}@capped.example`));
      expect(refused.status).toBe(403);
      expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(refused.body.detail).toMatch(/seat cap of 1\b/);
    }

    await rx.waitFor((r) => r.filter((x) => x.path === '/events').length >= 2);
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives
    const got = rx.received.filter((r) => r.path === '/events');
    const types = got.map((r) => (JSON.parse(r.body) as { type: string }).type).sort();
    expect(types).toEqual(['provisioning.held', 'seats.cap_reached']);
    for (const r of got) expect(verifySignature(r.headers['mspbridge-signature'] as string, r.body, hook.secret)).toBe(true);
    const held = JSON.parse(got.find((r) => r.body.includes('provisioning.held'))!.body) as { data: Record<string, unknown> };
    expect(held.data).toMatchObject({ companyId: tripped.accountId });
    const cap = JSON.parse(got.find((r) => r.body.includes('seats.cap_reached'))!.body) as { data: Record<string, unknown> };
    expect(cap.data).toMatchObject({ companyId: capped.accountId, seatsTotal: 1 });
    // The MSP's Owner (no contacts set) gets one email per event.
    await smtp.waitFor(2, 20_000);
    const ownerMails = () => smtp.mails.filter((m) => m.to.includes('owner@msp.example') && /held|seat/i.test(m.subject));
    for (let i = 0; i < 50 && ownerMails().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(ownerMails()).toHaveLength(2);
  });
});
