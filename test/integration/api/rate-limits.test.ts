// Rate limits are taken before the slow work (a password, client secret or token is checked only
// once a point was taken) and live in Redis, so two serve processes draw on one budget. Checks are
// counted by mspbridge_credential_checks_total, never by timing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createOAuthClient } from '../../../src/domain/oauthClients';
import { createLogger } from '../../../src/logger';
import { createRuntime, type Runtime } from '../../../src/runtime';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, scimClientFor } from '../../helpers/scim';
import { apiToken, mspOwner, type Owner, tally } from './people';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Credential checks one runtime made on a surface, by outcome (granted, refused, error, limited). */
async function checks(rt: Runtime, surface: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await rt.metrics.credentialChecks.get()).values) if (v.labels.surface === surface) out[String(v.labels.outcome)] = v.value;
  return out;
}
const evaluated = (c: Record<string, number>) => (c.granted ?? 0) + (c.refused ?? 0) + (c.error ?? 0);

interface Reply {
  status: number;
  retryAfter: string | null;
  body: unknown;
}
async function send(url: string, init: RequestInit): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}
const parallel = (n: number, one: (i: number) => Promise<Reply>) => Promise.all(Array.from({ length: n }, (_, i) => one(i)));

const wrongPassword = (base: string, email: string, i: number) =>
  send(`${base}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password: `wrong-${i}` }),
  });

/** Every 429 says when to come back, in whole seconds within the window. */
function expectRetryAfter(replies: Reply[], maxSeconds: number): void {
  for (const r of replies.filter((x) => x.status === 429)) {
    expect(r.retryAfter).toMatch(/^\d+$/);
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(r.retryAfter)).toBeLessThanOrEqual(maxSeconds);
  }
}

describe.each(DIALECTS)('failed-authentication limits are taken before the check [%s]', (dialect) => {
  let app: TestApp;
  let owner: Owner;
  const BUDGET = 30; // SCIM_AUTH_FAILURES_PER_MINUTE's default

  beforeAll(async () => {
    app = await startTestApp(dialect);
    owner = await mspOwner(app);
  });
  afterAll(() => app.close());

  it('gives a good password its point back, so only failures use the budget up', async () => {
    const good: number[] = [];
    for (let i = 0; i < BUDGET + 5; i++) {
      const r = await send(`${app.url}/auth/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: owner.email, password: owner.password }),
      });
      good.push(r.status);
    }
    expect(tally(good)).toEqual({ 200: BUDGET + 5 });
  });

  it('does not take 100 parallel requests with one good SCIM or API token for 100 guesses', async () => {
    const scim = await scimAccount(app.rt.db, app.url, { name: 'Busy IdP', mspId: owner.mspId });
    const token = await apiToken(owner);
    const before = { scim: await checks(app.rt, 'scim'), api: await checks(app.rt, 'api') };
    const [viaScim, viaApi] = await Promise.all([
      parallel(100, () => send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${scim.token}` } })),
      parallel(100, () => send(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })),
    ]);
    expect(tally(viaScim.map((r) => r.status))).toEqual({ 200: 100 });
    expect(tally(viaApi.map((r) => r.status))).toEqual({ 200: 100 });
    // Concurrent checks of one credential are one check (and SCIM then answers from its cache).
    const after = { scim: await checks(app.rt, 'scim'), api: await checks(app.rt, 'api') };
    expect(evaluated(after.scim) - evaluated(before.scim)).toBeLessThan(BUDGET);
    expect((after.api.limited ?? 0) - (before.api.limited ?? 0)).toBe(0);
  });

  it('checks at most the budget of 100 parallel wrong passwords at /auth/signin; the rest get 429 with Retry-After', async () => {
    const before = await checks(app.rt, 'signin');
    const replies = await parallel(100, (i) => wrongPassword(app.url, owner.email, i));
    const after = await checks(app.rt, 'signin');
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: BUDGET, 429: 100 - BUDGET });
    expect(evaluated(after) - evaluated(before)).toBe(BUDGET);
    expect((after.limited ?? 0) - (before.limited ?? 0)).toBe(100 - BUDGET);
    expectRetryAfter(replies, 60);
    expect(replies.find((r) => r.status === 429)!.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    // The right password from that client now waits too: the budget is the client's, not the guess's.
    const right = await send(`${app.url}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    expect(right.status).toBe(429);
  });

  it('checks at most the budget of 100 parallel wrong client secrets at /oauth/token', async () => {
    const scim = await scimAccount(app.rt.db, app.url, { name: 'OAuth Co', mspId: owner.mspId });
    const client = await asOp(app.rt.db, (ctx) => createOAuthClient(ctx, { accountId: scim.accountId }));
    const before = await checks(app.rt, 'oauth');
    const replies = await parallel(100, (i) =>
      send(`${app.url}/oauth/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:wrong-${i}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      }),
    );
    const after = await checks(app.rt, 'oauth');
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: BUDGET, 429: 100 - BUDGET });
    expect(evaluated(after) - evaluated(before)).toBe(BUDGET);
    expectRetryAfter(replies, 60);
    // OAuth clients read "error" as a string (RFC 6749 §5.2).
    expect(replies.find((r) => r.status === 429)!.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
    expect(replies.find((r) => r.status === 401)!.body).toMatchObject({ error: 'invalid_client' });
  });

  it('checks at most the budget of 100 parallel wrong SCIM bearer tokens, answering 429 as SCIM errors', async () => {
    const scim = await scimAccount(app.rt.db, app.url, { name: 'SCIM Co', mspId: owner.mspId });
    const before = await checks(app.rt, 'scim');
    const replies = await parallel(100, (i) => send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer wrong-${i}` } }));
    const after = await checks(app.rt, 'scim');
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: BUDGET, 429: 100 - BUDGET });
    expect(evaluated(after) - evaluated(before)).toBe(BUDGET);
    expectRetryAfter(replies, 60);
    expect(replies.find((r) => r.status === 429)!.body).toMatchObject({ schemas: [SCIM_ERROR], status: '429' });
    // A token nobody from this client verified lately is a guess like any other: it waits too.
    expect((await scimClientFor(app.url, scim.token, scim.accountId).req('GET', '/Users')).status).toBe(429);
  });

  it('checks at most the budget of 100 parallel wrong API tokens at /api/v1', async () => {
    const token = await apiToken(owner);
    expect((await send(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const before = await checks(app.rt, 'api');
    const replies = await parallel(100, (i) => send(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer msb_api_wrong${i}` } }));
    const after = await checks(app.rt, 'api');
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: BUDGET, 429: 100 - BUDGET });
    expect(evaluated(after) - evaluated(before)).toBe(BUDGET);
    expectRetryAfter(replies, 60);
    expect(replies.find((r) => r.status === 429)!.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    // The console session of the same person is no guess and still works.
    expect((await owner.console.req('GET', '/me')).status).toBe(200);
  });
});

/** Another serve process of the same deployment: same database, Redis and QUEUE_PREFIX. */
async function secondProcess(a: TestApp): Promise<{ url: string; rt: Runtime; close(): Promise<void> }> {
  const c = a.rt.config;
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    DATABASE_URL: c.databaseUrl,
    REDIS_URL: a.rt.redisUrl,
    QUEUE_PREFIX: c.queuePrefix,
    PUBLIC_URL: c.publicUrl,
    DATA_DIR: c.dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    SCIM_RATE_PER_TOKEN: String(c.scim.ratePerToken),
    SCIM_AUTH_FAILURES_PER_MINUTE: String(c.scim.authFailuresPerMinute),
  });
  const rt = createRuntime(config, { log: createLogger('silent') });
  // Until its Redis connection is up a process counts in memory: start measuring after that.
  for (let waited = 0; rt.redis.status !== 'ready'; waited += 20) {
    if (waited > 5000) throw new Error('Redis did not answer');
    await new Promise((r) => setTimeout(r, 20));
  }
  server.on('request', buildApp(rt));
  return {
    url,
    rt,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rt.close();
    },
  };
}

describe.each(DIALECTS)('two serve processes share one budget through Redis [%s]', (dialect) => {
  let a: TestApp;
  let b: Awaited<ReturnType<typeof secondProcess>>;

  beforeAll(async () => {
    // 2 requests a second per SCIM credential: 4 points per 2-second window.
    a = await startTestApp(dialect, { env: { SCIM_RATE_PER_TOKEN: '2', SCIM_AUTH_FAILURES_PER_MINUTE: '10' } });
    b = await secondProcess(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a SCIM token limited to N per window gets N across both processes, not 2N', async () => {
    const scim = await scimAccount(a.rt.db, a.url, { name: 'Shared Co' });
    const via = [scimClientFor(a.url, scim.token, scim.accountId), scimClientFor(b.url, scim.token, scim.accountId)];
    const statuses: Array<[string, number]> = [];
    // Alternating, one at a time: each process alone would allow 4 and so serve every one of these 8.
    for (let i = 0; i < 8; i++) {
      const r = await via[i % 2]!.req('GET', '/Users');
      statuses.push([i % 2 ? 'b' : 'a', r.status]);
      if (r.status === 429) expect(r.headers.get('retry-after')).toMatch(/^[12]$/);
    }
    expect(statuses).toEqual([
      ['a', 200],
      ['b', 200],
      ['a', 200],
      ['b', 200],
      ['a', 429],
      ['b', 429],
      ['a', 429],
      ['b', 429],
    ]);
  });

  it('wrong passwords sent to both processes are checked at most the budget times in all', async () => {
    const owner = await mspOwner(a);
    const before = evaluated(await checks(a.rt, 'signin')) + evaluated(await checks(b.rt, 'signin'));
    const replies = await parallel(100, (i) => wrongPassword(i % 2 ? b.url : a.url, owner.email, i));
    const after = evaluated(await checks(a.rt, 'signin')) + evaluated(await checks(b.rt, 'signin'));
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: 10, 429: 90 });
    expect(after - before).toBe(10);
    expectRetryAfter(replies, 60);
  });
});

describe('while Redis is unreachable', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite', { env: { REDIS_URL: 'redis://127.0.0.1:1', SCIM_AUTH_FAILURES_PER_MINUTE: '10' } });
  });
  afterAll(() => app.close());

  it('each process still limits failed sign-ins in its own memory', async () => {
    const owner = await mspOwner(app);
    const replies = await parallel(40, (i) => wrongPassword(app.url, owner.email, i));
    expect(tally(replies.map((r) => r.status))).toEqual({ 401: 10, 429: 30 });
    expect(evaluated(await checks(app.rt, 'signin'))).toBe(10);
    expectRetryAfter(replies, 60);
  });
});

describe.each(DIALECTS)('tenants behind one address [%s]', (dialect) => {
  let app: TestApp;
  let owner: Owner;
  const BUDGET = 30;

  beforeAll(async () => {
    // SCIM's identity cache shortened to half a second, so the test can outwait it (30 s by default).
    app = await startTestApp(dialect, { env: { SCIM_AUTH_CACHE_MS: '500' } });
    owner = await mspOwner(app);
  });
  afterAll(() => app.close());

  it("keeps answering 40 tenants' good tokens from one address after its failures used the budget up; a revoked one fails and pays", async () => {
    // Many IdP tenants share egress addresses: their good tokens must not pay for each other's re-checks.
    const tenants: Array<Awaited<ReturnType<typeof scimAccount>>> = [];
    for (let i = 0; i < 40; i++) tenants.push(await scimAccount(app.rt.db, app.url, { name: `Tenant ${i}`, mspId: owner.mspId }));
    for (const t of tenants) expect((await scimClientFor(app.url, t.token, t.accountId).req('GET', '/Users')).status).toBe(200);
    const guesses = await parallel(BUDGET, (i) => send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer guess-${i}` } }));
    expect(tally(guesses.map((r) => r.status))).toEqual({ 401: BUDGET });
    await new Promise((r) => setTimeout(r, 600)); // past the identity cache (500 ms here): every token is checked again
    const again = await parallel(40, (i) => send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${tenants[i]!.token}` } }));
    expect(tally(again.map((r) => r.status))).toEqual({ 200: 40 });
    // A guess still waits, and so does a good token nobody from here used lately.
    expect((await send(`${app.url}/scim/v2/Users`, { headers: { authorization: 'Bearer guess-more' } })).status).toBe(429);
    const fresh = await scimAccount(app.rt.db, app.url, { name: 'Fresh', mspId: owner.mspId });
    expect((await scimClientFor(app.url, fresh.token, fresh.accountId).req('GET', '/Users')).status).toBe(429);
    // Revoked (behind the product's back, so only the cache's expiry tells serve): the known token is refused (401)
    // and forgotten, so its next try is a guess again (429).
    await app.rt.db('scim_tokens').where({ account_id: tenants[0]!.accountId }).update({ revoked_at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 600));
    expect((await send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${tenants[0]!.token}` } })).status).toBe(401);
    expect((await send(`${app.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${tenants[0]!.token}` } })).status).toBe(429);
  });
});
