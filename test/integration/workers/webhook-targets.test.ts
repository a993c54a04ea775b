// Where webhooks may go: private and reserved addresses refused (by name or literal, at add and
// at send time) unless WEBHOOK_ALLOW_PRIVATE; the retry schedule spans 24 hours; a delivery that
// keeps failing ends failed.
import crypto from 'node:crypto';
import { createMsp } from '../../../src/domain/accounts';
import { DomainError } from '../../../src/domain/errors';
import { raiseMspEvent } from '../../../src/domain/mspEvents';
import { fanOutEvent } from '../../../src/domain/notifications';
import { system } from '../../../src/domain/principal';
import { addWebhook, finishAttempt, startAttempt, webhookDeliveries } from '../../../src/domain/webhooks';
import { attemptOffsets } from '../../../src/domain/webhookSchedule';
import { sendWebhook, signatureHeader } from '../../../src/http/webhookSender';
import { isForbiddenAddress, resolveTarget } from '../../../src/http/webhookTarget';
import { asActor, asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';
import { type Receiver, startReceiver, verifySignature } from '../../helpers/webhookReceiver';

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
};

describe('webhook targets', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::2',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isForbiddenAddress(ip)).toBe(true));

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) =>
    expect(isForbiddenAddress(ip)).toBe(false),
  );

  it('refuses private hosts by name and literal, odd schemes and credentials; allows them with the flag', async () => {
    expect(await codeOf(resolveTarget('http://localhost:8080/x', false))).toBe('webhook.url.private');
    expect(await codeOf(resolveTarget('https://[::1]/x', false))).toBe('webhook.url.private');
    expect(await codeOf(resolveTarget('https://169.254.169.254/latest/meta-data', false))).toBe('webhook.url.private');
    expect(await codeOf(resolveTarget('https://[::ffff:10.0.0.1]/x', false))).toBe('webhook.url.private');
    expect(await codeOf(resolveTarget('ftp://93.184.215.14/x', false))).toBe('webhook.url.scheme');
    expect(await codeOf(resolveTarget('https://u:p@93.184.215.14/x', false))).toBe('webhook.url.credentials');
    expect(await codeOf(resolveTarget('not a url', false))).toBe('webhook.url.invalid');
    expect(await codeOf(resolveTarget('https://no-such-host.invalid/x', false))).toBe('webhook.url.unresolvable');
    expect(await resolveTarget('https://93.184.215.14/x', false)).toMatchObject({ address: '93.184.215.14', family: 4 });
    expect(await resolveTarget('http://localhost:8080/x', true)).toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) });
  });

  it('retries for 24 hours with exponential backoff by default', () => {
    const offsets = attemptOffsets({ baseMs: 30_000, windowMs: 24 * 3600_000, timeoutMs: 10_000 });
    expect(offsets.slice(0, 5)).toEqual([0, 30_000, 90_000, 210_000, 450_000]);
    expect(offsets.at(-1)).toBe(24 * 3600_000);
    expect(offsets.length).toBe(14);
    for (let i = 2; i < offsets.length; i++) expect(offsets[i]! - offsets[i - 1]!).toBeLessThanOrEqual(6 * 3600_000);
  });
});

describe('sending', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(() => rx.close());

  it('refuses a private address at send time without the flag, and signs what it sends with it', async () => {
    const body = JSON.stringify({ id: 'e1', type: 'scim.errors', createdAt: new Date().toISOString(), data: {} });
    const refused = await sendWebhook({ url: `${rx.url}/private`, secret: 's', body, allowPrivate: false, timeoutMs: 2000, now: () => new Date() });
    expect(refused).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/loopback, private or reserved/) });
    expect(rx.received).toHaveLength(0);
    const sent = await sendWebhook({ url: `${rx.url}/ok`, secret: 'whsec_x', body, allowPrivate: true, timeoutMs: 2000, now: () => new Date() });
    expect(sent).toEqual({ ok: true, statusCode: 200, error: null });
    expect(verifySignature(rx.received[0]!.headers['mspbridge-signature'] as string, rx.received[0]!.body, 'whsec_x')).toBe(true);
    expect(signatureHeader('k', 'b', 1700000000)).toBe('t=1700000000,v1=' + crypto.createHmac('sha256', 'k').update('1700000000.b').digest('hex'));
  });

  it('gives up on a receiver that does not answer in time', async () => {
    rx.answer.set('/slow', () => ({ status: 200 }));
    const hang = await import('node:http');
    const server = hang.createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const started = Date.now();
    const r = await sendWebhook({ url: `http://127.0.0.1:${port}/`, secret: 's', body: '{}', allowPrivate: true, timeoutMs: 300, now: () => new Date() });
    expect(r).toMatchObject({ ok: false, statusCode: null, error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    server.closeAllConnections();
    await new Promise((res) => server.close(res));
  });
});

describeEachDb('webhook delivery records', (get) => {
  it('refuses a private URL when added without the flag, and ends a delivery failed after its window', async () => {
    const { db } = get();
    const mspId = (await asOp(db, (ctx) => createMsp(ctx, { name: 'Window IT', region: 'us', ownerEmail: 'w@window.example' }, ['us']))).account.id;
    const secret = Buffer.alloc(32, 7);
    const vet = (allow: boolean) => async (u: string) => (await resolveTarget(u, allow)).url;
    expect(await codeOf(asOp(db, (ctx) => addWebhook(ctx, { mspId, url: 'http://127.0.0.1:9/hook' }, { secret, vet: vet(false) })))).toBe(
      'webhook.url.private',
    );
    expect(await codeOf(asOp(db, (ctx) => addWebhook(ctx, { mspId, url: 'https://93.184.215.14/x', events: ['nope'] }, { secret, vet: vet(false) })))).toBe(
      'webhook.events.unknown',
    );
    const hook = await asOp(db, (ctx) => addWebhook(ctx, { mspId, url: 'https://93.184.215.14/x' }, { secret, vet: vet(false) }));
    // Stored sealed: the secret itself is nowhere in the row.
    expect(JSON.stringify(await db('webhooks').where({ id: hook.id }).first())).not.toContain(hook.secret.slice(6));
    const t0 = new Date(Date.now() + 60_000);
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const sys = <T>(fn: Parameters<typeof asActor<T>>[2], now: Date) => asActor(db, system('test'), fn, now);
    const event = await sys((ctx) => raiseMspEvent(ctx, mspId, { type: 'scim.errors', account: null, data: { x: 1 }, dedupeKey: 'window-test' }), t0);
    expect(await sys((ctx) => fanOutEvent(ctx, mspId, event!.id), t0)).toEqual({ hooks: 1, emails: 1 });
    const [d] = await asOp(db, (ctx) => webhookDeliveries(ctx, { mspId }));
    const s = { baseMs: 1000, windowMs: 10_000, timeoutMs: 500 };
    let attempt = 1;
    let now = 0;
    for (;;) {
      const plan = await sys((ctx) => startAttempt(ctx, { deliveryId: d!.id, attempt }, s, secret), at(now));
      expect(plan).toBeDefined();
      expect(JSON.parse(plan!.body)).toEqual({ id: event!.id, type: 'scim.errors', createdAt: event!.createdAt, data: { x: 1 } });
      await sys((ctx) => finishAttempt(ctx, { deliveryId: d!.id, attempt, last: plan!.last }, { ok: false, statusCode: 503, error: 'HTTP 503' }), at(now));
      if (plan!.last) break;
      const row = (await asOp(db, (ctx) => webhookDeliveries(ctx, { mspId })))[0]!;
      expect(row).toMatchObject({ status: 'pending', attempts: attempt, lastStatusCode: 503 });
      now = Date.parse(row.nextAttemptAt!) - t0.getTime();
      attempt++;
    }
    expect(now).toBe(10_000);
    expect((await asOp(db, (ctx) => webhookDeliveries(ctx, { mspId })))[0]).toMatchObject({
      status: 'failed',
      attempts: attempt,
      lastStatusCode: 503,
      nextAttemptAt: null,
    });
    // Every attempt after the first was queued once in the outbox, at its time.
    expect(await db('outbox').where({ queue: 'webhooks' }).count({ n: '*' })).toEqual([{ n: attempt }]);
  });
});
