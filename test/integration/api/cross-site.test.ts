// CSRF, login CSRF included: a page on another site can make the victim's browser post a form
// (with the victim's cookie, or to sign the victim in as the attacker). Browsers say where a
// request comes from (Sec-Fetch-Site, else Origin): cross-site unsafe requests are refused with
// 403; same-origin pages, and clients that send neither header (curl, the CLI), still work.
import { startTestApp, type TestApp } from '../../helpers/app';
import { DIALECTS } from '../../helpers/db';
import { apiToken, mspOwner, type Owner } from './people';

const EVIL = 'https://evil.example';
const FROM_EVIL = { 'sec-fetch-site': 'cross-site', origin: EVIL };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(DIALECTS)('cross-site requests [%s]', (dialect) => {
  let app: TestApp;
  let owner: Owner;

  beforeAll(async () => {
    app = await startTestApp(dialect);
    owner = await mspOwner(app);
  });
  afterAll(() => app.close());

  const signIn = (headers: Record<string, string>) =>
    fetch(`${app.url}/auth/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...form, accept: 'text/html', ...headers },
      body: new URLSearchParams({ email: owner.email, password: owner.password }).toString(),
    });

  it('refuses a cross-site sign-in form (login CSRF) with 403 and sets no session', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['Sec-Fetch-Site cross-site', FROM_EVIL],
      ['Sec-Fetch-Site cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site from a sibling', { 'sec-fetch-site': 'same-site', origin: 'http://other.127.0.0.1.nip.io' }],
      ['only Origin (older browsers)', { origin: EVIL }],
      ['Origin null (sandboxed frame)', { origin: 'null' }],
    ];
    for (const [name, headers] of cases) {
      const res = await signIn(headers);
      expect([name, res.status]).toEqual([name, 403]);
      expect([name, res.headers.get('set-cookie')]).toEqual([name, null]);
      expect(await res.text()).toMatch(/came from another site/);
    }
    const json = await fetch(`${app.url}/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...FROM_EVIL },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toEqual({ error: { code: 'cross_site', message: expect.stringContaining('another site') } });
  });

  it('signs in from its own page, by Sec-Fetch-Site or Origin, and from clients that send neither', async () => {
    const ours: Array<Record<string, string>> = [{ 'sec-fetch-site': 'same-origin', origin: app.url }, { origin: app.url }, { 'sec-fetch-site': 'none' }, {}];
    for (const headers of ours) {
      const res = await signIn(headers);
      expect(res.status).toBe(303);
      expect(res.headers.get('set-cookie')).toMatch(/^msb_session=/);
    }
  });

  it('refuses cookie-authenticated API writes from another site, even with the CSRF token', async () => {
    const post = (headers: Record<string, string>) => owner.console.req('POST', '/api-tokens', { label: 'x' }, headers);
    const refused = await post(FROM_EVIL);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'cross_site' } });
    expect((await post({ origin: EVIL })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'same-origin', origin: app.url })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    // Reading is not a state change: a cross-site GET is left to CORS (none is granted).
    expect((await owner.console.req('GET', '/me', undefined, FROM_EVIL)).status).toBe(200);
  });

  it('lets an API token through whatever the Origin: no browser attaches it on its own', async () => {
    const token = await apiToken(owner);
    const res = await fetch(`${app.url}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...FROM_EVIL },
      body: '{}',
    });
    expect(res.status).toBe(201);
  });

  it('refuses cross-site posts to every cookie or link form: invitations, recovery, links, logout, console, admin', async () => {
    const paths = [
      '/invitations/abcdefghijklmnop',
      '/recovery/abcdefghijklmnop',
      '/links/abcdefghijklmnop',
      '/auth/logout',
      '/console/language',
      '/admin/queues/api/queues/invitations/retry/failed',
    ];
    for (const path of paths) {
      const res = await fetch(`${app.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...form, cookie: owner.console.cookie!, ...FROM_EVIL },
        body: 'password=attacker-chosen-1&decision=approve',
      });
      expect([path, res.status]).toEqual([path, 403]);
      expect([path, await res.json()]).toEqual([path, { error: { code: 'cross_site', message: expect.any(String) } }]);
    }
    // The same posts from no page at all reach their handlers (which judge the token themselves).
    for (const path of paths.slice(0, 3)) {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: form, body: 'password=attacker-chosen-1&decision=approve' });
      expect([path, res.status]).not.toEqual([path, 403]);
    }
  });
});
