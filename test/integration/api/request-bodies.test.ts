// Request bodies: /api/v1 authenticates before it reads a byte of the body, one nesting cap
// (shared with /scim) refuses deep JSON with 400 before it is parsed, and every unreadable body
// gets a 4xx with a fixed JSON message, never a 500 or the parser's own words.
import http from 'node:http';
import { startTestApp, type TestApp } from '../../helpers/app';
import { DIALECTS } from '../../helpers/db';
import { mspOwner, type Owner } from './people';

/**
 * Starts a POST announcing a 2 MB body, sends only its first 64 KiB, and resolves with the answer:
 * a server that waits for the body before authenticating never answers.
 */
function answerBeforeBody(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024), ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the body was still incomplete'));
    }, 10_000);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', () => undefined); // destroyed on purpose once answered
    req.write('['.repeat(64 * 1024));
  });
}

/** JSON nested `levels` objects deep: {"a":{"a":...1...}}. */
const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;

describe.each(DIALECTS)('request bodies on /api/v1 [%s]', (dialect) => {
  let app: TestApp;
  let owner: Owner;
  let items = '';

  beforeAll(async () => {
    app = await startTestApp(dialect);
    owner = await mspOwner(app);
    const vault = await owner.console.req<{ id: string }>('POST', `/accounts/${owner.mspId}/vaults`, { name: 'Deep' });
    expect(vault.status).toBe(201);
    items = `/accounts/${owner.mspId}/vaults/${vault.body.id}/items`;
    expect((await owner.console.req('POST', `/accounts/${owner.mspId}/vaults/${vault.body.id}/access`, { memberId: owner.memberId })).status).toBeLessThan(300);
  });
  afterAll(() => app.close());

  it('answers 401 to an anonymous 2 MB body before the body has arrived', async () => {
    const anonymous = await answerBeforeBody(`${app.url}/api/v1${items}`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ error: { code: 'unauthenticated' } });
    const wrongToken = await answerBeforeBody(`${app.url}/api/v1${items}`, { authorization: 'Bearer msb_api_not-a-token' });
    expect(wrongToken.status).toBe(401);
  });

  it('refuses item metadata nested 6,000 levels deep with 400 and a JSON error, not 500', async () => {
    const body = `{"title":"deep","category":"login","metadata":${nested(6000)}}`;
    const res = await fetch(`${app.url}/api/v1${items}`, {
      method: 'POST',
      headers: { cookie: owner.console.cookie!, 'x-csrf-token': owner.console.csrf!, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'too_deep', message: 'The request body is nested too deeply.' } });
  });

  it('accepts metadata nested up to the cap (32 levels with the body itself)', async () => {
    const res = await owner.console.req('POST', items, { title: 'shallow', category: 'login', metadata: JSON.parse(nested(31)) });
    expect(res.status).toBe(201);
    const over = await owner.console.req('POST', items, { title: 'deep', category: 'login', metadata: JSON.parse(nested(32)) });
    expect(over.status).toBe(400);
  });

  it('answers bad JSON, a wrong charset and an oversized body with 4xx and fixed messages', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${app.url}/api/v1${items}`, {
        method: 'POST',
        headers: { cookie: owner.console.cookie!, 'x-csrf-token': owner.console.csrf!, 'content-type': contentType },
        body,
      });
    const bad = await post('{"title": tru');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.' } });
    const latin1 = await post('{"title":"x"}', 'application/json; charset=iso-8859-1');
    expect(latin1.status).toBe(415);
    expect(await latin1.json()).toMatchObject({ error: { code: 'unsupported_charset' } });
    const huge = await post(JSON.stringify({ title: 'x', payload: 'A'.repeat(3 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: { code: 'too_large', message: 'The request body is too large.' } });
  });
});

describe('client errors outside /api/v1', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
  });
  afterAll(() => app.close());

  it('answers unreadable sign-in and link-page bodies with 4xx JSON that does not echo the parser', async () => {
    const cases: Array<[string, string, string, number, string]> = [
      ['/auth/signin', 'application/json', '{"email":', 400, 'invalid_json'],
      ['/auth/signin', 'application/json', `{"email":"${'x'.repeat(10_000)}"}`, 413, 'too_large'],
      ['/auth/signin', 'application/json', `{"email":${nested(40)}}`, 400, 'too_deep'],
      ['/invitations/abcdefghijklmnop', 'application/json', '{"password":', 400, 'invalid_json'],
      ['/recovery/abcdefghijklmnop', 'application/json', `{"password":"${'x'.repeat(20_000)}"}`, 413, 'too_large'],
      // Thousands of levels fit in 16 kB; String() of such a password would overflow the stack.
      ['/invitations/abcdefghijklmnop', 'application/json', `{"password":${'['.repeat(7000)}${']'.repeat(7000)}}`, 400, 'too_deep'],
    ];
    for (const [path, type, body, status, code] of cases) {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
      const text = await res.text();
      expect([path, res.status]).toEqual([path, status]);
      expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
      expect(text).not.toMatch(/Unexpected|JSON at position|at \w+ \(/);
    }
  });

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    const res = await fetch(`${app.url}/invitations/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
  });
});
