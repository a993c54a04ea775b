// Credentials: hashed at rest, never logged, failed-auth and per-token rate limits (shared by serve
// processes), console cookies, CSRF and security headers, against real `mspbridge serve` processes
// configured as in production.
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Db, migrateLatest, openDb } from '../../src/db/knex';
import { REDIS_URL } from '../helpers/app';
import { cliJson } from '../helpers/cli';
import { testDbUrl } from '../helpers/db';
import { scimClientFor, userBody } from '../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';
import { type Proc, record, spawnMode, tally } from './harness';

/** Every text value of every table: a secret must not appear anywhere in it. */
async function everyStoredString(db: Db): Promise<string> {
  const tables = (await db('sqlite_master').where({ type: 'table' }).pluck('name')) as string[];
  const parts: string[] = [];
  for (const t of tables) for (const row of await db(t).select('*')) parts.push(JSON.stringify(row));
  return parts.join('\n');
}

/** A GET from a chosen loopback source address (127.0.0.x): another "client" as the server sees it. */
function getFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

describe('credentials, rate limits, cookies and headers', () => {
  let smtp: TestSmtp;
  let serve: Proc;
  let db: Db;
  let drop: () => Promise<void>;
  let env: Record<string, string>;
  const secrets: Record<string, string> = {};
  let mspId = '';
  let companyId = '';
  let ownerId = '';

  beforeAll(async () => {
    smtp = await startSmtp();
    const t = testDbUrl('sqlite');
    drop = t.drop;
    env = {
      DATABASE_URL: t.url,
      REDIS_URL,
      QUEUE_PREFIX: `auth-${crypto.randomBytes(4).toString('hex')}`,
      SMTP_URL: smtp.url,
      SECRET_KEY: 'auth-faults-secret-key-0123456789-abcdef',
      DATA_DIR: path.join(os.tmpdir(), 'mspbridge-auth-data'),
      // As in production behind TLS: cookies must be Secure, HSTS must be sent.
      PUBLIC_URL: 'https://bridge.example',
      LOG_LEVEL: 'debug',
      SCIM_RATE_PER_TOKEN: '40',
      SCIM_AUTH_FAILURES_PER_MINUTE: '10',
    };
    db = openDb({ url: t.url });
    await migrateLatest(db);
    const msp = cliJson<{ id: string; ownerId: string; signInUrl: string }>(
      ['msp', 'create', '--name', 'Auth MSP', '--region', 'eu', '--owner-email', 'owner@auth.example'],
      env,
    );
    mspId = msp.id;
    ownerId = msp.ownerId;
    secrets.signIn = new URL(msp.signInUrl).pathname.split('/').pop()!;
    companyId = cliJson<{ id: string }>(['company', 'add', '--msp', mspId, '--name', 'Auth Co', '--country', 'DE'], env).id;
    secrets.scim = cliJson<{ token: string }>(['scim-token', 'create', '--account', companyId], env).token;
    secrets.scim2 = cliJson<{ token: string }>(['scim-token', 'create', '--account', companyId], env).token;
    const client = cliJson<{ clientId: string; clientSecret: string }>(['scim-client', 'create', '--account', companyId], env);
    secrets.clientSecret = client.clientSecret;
    secrets.api = cliJson<{ token: string }>(['api-token', 'create', '--msp', mspId, '--member', ownerId], env).token;
    serve = await spawnMode('start', env);
    // An OAuth access token, and an invitation link (the email's secret).
    const tok = await fetch(`${serve.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(tok.status).toBe(200);
    secrets.accessToken = ((await tok.json()) as { access_token: string }).access_token;
    const c = scimClientFor(serve.url!, secrets.scim!, companyId);
    expect((await c.req('POST', '/Users', userBody('invitee@auth.example'))).status).toBe(201);
    await smtp.waitFor(1, 30_000);
    const mail = smtp.mails.find((m) => m.to.includes('invitee@auth.example'))!;
    secrets.invitation = new URL(linkIn(mail, 'invitations')).pathname.split('/').pop()!;
  }, 120_000);

  afterAll(async () => {
    await serve?.stop();
    await db?.destroy();
    await drop?.();
    await smtp?.close();
  });

  it('stores only hashes of tokens and secrets, and never writes one to the log', async () => {
    const base = serve.url!;
    // Use every credential the way its owner would, including failures that get logged.
    expect((await fetch(`${base}/scim/v2/Users`, { headers: { authorization: `Bearer ${secrets.scim}` } })).status).toBe(200);
    expect((await fetch(`${base}/scim/v2/Users`, { headers: { authorization: `Bearer ${secrets.accessToken}` } })).status).toBe(200);
    expect((await fetch(`${base}/scim/v2/Users`, { headers: { authorization: `Bearer ${secrets.scim}x` } })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${secrets.api}` } })).status).toBe(200);
    expect((await fetch(`${base}/invitations/${secrets.invitation}`)).status).toBe(200);
    const signin = await fetch(`${base}/signin/${secrets.signIn}`, { redirect: 'manual' });
    expect([302, 303]).toContain(signin.status);
    const session = /msb_session=([^;]+)/.exec(signin.headers.get('set-cookie') ?? '')![1]!;
    secrets.session = decodeURIComponent(session);
    expect((await fetch(`${base}/api/v1/me`, { headers: { cookie: `msb_session=${session}` } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // the SCIM request log is written in batches

    const stored = await everyStoredString(db);
    const log = serve.output();
    // Debug access logging is on and saw the link pages, so the check below means something.
    expect(log).toContain('"path":"/signin/[redacted]"');
    expect(log).toContain('"path":"/invitations/[redacted]"');
    const found: string[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      // The part after the public prefix is what must never appear (prefixes are shown on purpose).
      const secretPart = value.slice(-24);
      if (stored.includes(secretPart)) found.push(`${name} in the database`);
      if (log.includes(secretPart)) found.push(`${name} in the log`);
    }
    expect(found).toEqual([]);
    // What is stored for a SCIM token is its SHA-256, looked up by that hash.
    const hashes = (await db('scim_tokens').pluck('token_hash')) as string[];
    expect(hashes).toContain(crypto.createHash('sha256').update(secrets.scim!).digest('hex'));
    record({
      scenario: 'Secrets at rest and in logs',
      injected: `${Object.keys(secrets).length} kinds of secret (SCIM tokens, OAuth client secret and access token, API token, session, sign-in link, invitation link) used, and misused, against a serve process logging at debug`,
      checked: [
        'no secret (beyond its public prefix) in any column of any table',
        'none in the process log',
        'SCIM tokens stored as SHA-256 and looked up by hash',
      ],
      figures: {
        secrets: Object.keys(secrets).length,
        tablesScanned: (await db('sqlite_master').where({ type: 'table' }).count({ n: '*' }))[0]!.n as number,
        logBytes: log.length,
        leaks: found.length,
      },
      command: 'npm run test:faults -- test/faults/auth.test.ts',
    });
  });

  it('rate-limits failed authentication per client and requests per token, with an integer Retry-After', async () => {
    const users = `${serve.url}/scim/v2/Users`;
    // Failed authentication from 127.0.0.2: after the allowance, 429 even for a good token from there.
    const fromBad: number[] = [];
    for (let i = 0; i < 14; i++) fromBad.push((await getFrom('127.0.0.2', users, { authorization: `Bearer wrong-${i}` })).status);
    expect(fromBad.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await getFrom('127.0.0.2', users, { authorization: `Bearer ${secrets.scim2}` });
    expect(limited.status).toBe(429);
    expect(String(limited.headers['retry-after'])).toMatch(/^\d+$/);
    expect(JSON.parse(limited.body)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
    // Another client is unaffected.
    expect((await getFrom('127.0.0.3', users, { authorization: `Bearer ${secrets.scim2}` })).status).toBe(200);
    // Behind a reverse proxy on loopback (trusted), the client is the one X-Forwarded-For names.
    const viaProxy = async (client: string, token: string) =>
      (await getFrom('127.0.0.5', users, { authorization: `Bearer ${token}`, 'x-forwarded-for': client })).status;
    const proxied: number[] = [];
    for (let i = 0; i < 11; i++) proxied.push(await viaProxy('198.51.100.7', `wrong-${i}`));
    expect(proxied.slice(0, 10).every((st) => st === 401)).toBe(true);
    expect(proxied[10]).toBe(429);
    expect(await viaProxy('198.51.100.8', secrets.scim2!)).toBe(200);

    // Per-token: SCIM_RATE_PER_TOKEN=40/s; a burst of 120 from one token is cut with 429s, another token still passes.
    const burst = await Promise.all(Array.from({ length: 120 }, () => getFrom('127.0.0.4', users, { authorization: `Bearer ${secrets.scim}` })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(burst.filter((r) => r.status === 429).every((r) => /^\d+$/.test(String(r.headers['retry-after'])))).toBe(true);
    expect((await getFrom('127.0.0.4', users, { authorization: `Bearer ${secrets.scim2}` })).status).toBe(200);
    record({
      scenario: 'Failed-auth and per-token rate limits',
      injected:
        '14 bad tokens from one client address, 11 from a client behind a trusted proxy (X-Forwarded-For), a burst of 120 requests on one token limited to 40/s',
      checked: [
        'the 11th failure and later answered 429 with an integer Retry-After, also for a good token from that client',
        'behind a loopback proxy each forwarded client has its own allowance',
        'other clients and other tokens unaffected',
        'the burst cut with 429s, never 5xx',
      ],
      figures: { badAuthStatuses: JSON.stringify(tally(fromBad)), burst: 120, burstStatuses: JSON.stringify(tally(statuses)) },
      command: 'npm run test:faults -- test/faults/auth.test.ts',
    });
  });

  it('shares the failed-authentication and per-token budgets between two serve processes (Redis)', async () => {
    const second = await spawnMode('serve', env);
    try {
      const users = (p: Proc) => `${p.url}/scim/v2/Users`;
      // 30 wrong tokens from one client, half to each process: 10 are checked in all, not 10 each.
      const wrong = await Promise.all(
        Array.from({ length: 30 }, (_, i) => getFrom('127.0.0.6', users(i % 2 ? second : serve), { authorization: `Bearer wrong-shared-${i}` })),
      );
      const wrongStatuses = wrong.map((r) => r.status);
      expect(tally(wrongStatuses)).toEqual({ 401: 10, 429: 20 });
      // A fresh token limited to 40/s (80 per 2-second window), 120 requests split over both processes.
      const token = cliJson<{ token: string }>(['scim-token', 'create', '--account', companyId], env).token;
      const burst = await Promise.all(
        Array.from({ length: 120 }, (_, i) => getFrom('127.0.0.7', users(i % 2 ? second : serve), { authorization: `Bearer ${token}` })),
      );
      const burstStatuses = burst.map((r) => r.status);
      expect(burstStatuses.filter((st) => st !== 200 && st !== 429)).toEqual([]);
      const served = burstStatuses.filter((st) => st === 200).length;
      expect(served).toBeLessThanOrEqual(80);
      expect(served).toBeGreaterThan(0);
      record({
        scenario: 'Rate limits shared by two serve processes',
        injected:
          'a second `mspbridge serve` on the same Redis and QUEUE_PREFIX; 30 wrong SCIM tokens from one client split over both; 120 requests on one token (40/s, 80 per 2 s window) split over both',
        checked: [
          'exactly the failed-authentication budget (10) of wrong tokens was checked across both processes, the rest 429',
          'at most one window of the per-token budget (80) served across both processes, the rest 429, never 5xx',
        ],
        figures: { wrongTokenStatuses: JSON.stringify(tally(wrongStatuses)), burst: 120, burstStatuses: JSON.stringify(tally(burstStatuses)) },
        command: 'npm run test:faults -- test/faults/auth.test.ts',
      });
    } finally {
      await second.stop();
    }
  });

  it('sets console cookies HttpOnly, Secure and SameSite, demands the CSRF token, and sends the security headers', async () => {
    const base = serve.url!;
    const signIn = cliJson<{ signInUrl: string }>(
      ['msp', 'create', '--name', 'Cookie MSP', '--region', 'eu', '--owner-email', 'cookie@auth.example'],
      env,
    ).signInUrl;
    const res = await fetch(`${base}${new URL(signIn).pathname}`, { redirect: 'manual' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^msb_session=/);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/']) expect(cookie).toContain(attr);
    const session = /msb_session=([^;]+)/.exec(cookie)![1]!;
    const me = (await (await fetch(`${base}/api/v1/session`, { headers: { cookie: `msb_session=${session}` } })).json()) as { csrfToken: string };
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/companies`, {
        method: 'POST',
        headers: { cookie: `msb_session=${session}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'CSRF Co', country: 'US' }),
      });
    const noToken = await post({});
    const wrongToken = await post({ 'x-csrf-token': me.csrfToken.replace(/.$/, (ch) => (ch === 'a' ? 'b' : 'a')) });
    const rightToken = await post({ 'x-csrf-token': me.csrfToken });
    expect([noToken.status, wrongToken.status, rightToken.status]).toEqual([403, 403, 201]);

    const pages = { console: `${base}/`, api: `${base}/api/v1/me`, scim: `${base}/scim/v2/ServiceProviderConfig`, invitation: `${base}/invitations/nope` };
    const missing: string[] = [];
    for (const [name, url] of Object.entries(pages)) {
      const h = (await fetch(url, { headers: { cookie: `msb_session=${session}` } })).headers;
      if (!/max-age=\d+/.test(h.get('strict-transport-security') ?? '')) missing.push(`${name}: HSTS`);
      if (h.get('x-content-type-options') !== 'nosniff') missing.push(`${name}: nosniff`);
      if (h.get('x-powered-by')) missing.push(`${name}: x-powered-by`);
      if (name === 'console' || name === 'invitation') {
        const csp = h.get('content-security-policy') ?? '';
        if (!/frame-ancestors 'none'|frame-ancestors 'self'/.test(csp)) missing.push(`${name}: frame-ancestors`);
        if (/script-src[^;]*'unsafe-inline'/.test(csp) || !/script-src|default-src/.test(csp)) missing.push(`${name}: script-src`);
        if (!h.get('referrer-policy')) missing.push(`${name}: referrer-policy`);
      }
    }
    expect(missing).toEqual([]);
    record({
      scenario: 'Console cookies, CSRF and security headers',
      injected: 'PUBLIC_URL https (as behind TLS); console requests without, with a wrong and with the right CSRF token',
      checked: [
        'session cookie HttpOnly; Secure; SameSite=Lax',
        'state-changing cookie requests need the session’s CSRF token (403 otherwise)',
        'HSTS, nosniff, no X-Powered-By on console, API, SCIM and link pages; CSP without inline script and with frame-ancestors on HTML pages',
      ],
      figures: {
        csrfStatuses: `${noToken.status}/${wrongToken.status}/${rightToken.status}`,
        surfacesChecked: Object.keys(pages).length,
        missingHeaders: missing.length,
      },
      command: 'npm run test:faults -- test/faults/auth.test.ts',
    });
  });
});
