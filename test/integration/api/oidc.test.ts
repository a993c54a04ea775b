// Console sign-in through a real OpenID Provider (oidc-provider): authorization code with PKCE,
// state and nonce; tampered callbacks are refused and create no session.
import { createMsp } from '../../../src/domain/accounts';
import { freePort, startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { Browser, startProvider, throughProvider, type TestProvider } from '../../helpers/oidc';

describe('OIDC sign-in [sqlite]', () => {
  let op: TestProvider;
  let app: TestApp;
  let host: string;

  beforeAll(async () => {
    const port = await freePort();
    op = await startProvider(`http://127.0.0.1:${port}/auth/oidc/callback`);
    app = await startTestApp('sqlite', { port, env: { OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: op.clientId, OIDC_CLIENT_SECRET: op.clientSecret } });
    host = new URL(app.url).host;
    await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'OIDC MSP', region: 'us', ownerEmail: 'boss@oidc.example' }, ['us']));
  });
  afterAll(async () => {
    await app.close();
    await op.close();
  });

  const sessions = async () => Number((await app.rt.db('sessions').count({ n: '*' }))[0]!.n);

  it('signs a member in with code + PKCE + state + nonce and opens a console session', async () => {
    const browser = new Browser();
    const start = await browser.request(`${app.url}/auth/oidc/login`);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin).toBe(op.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(browser.cookie(host, 'msb_oidc')).toBeTruthy();

    const callback = await throughProvider(new Browser(), app.url, 'boss@oidc.example').catch(() => undefined);
    expect(callback).toBeDefined(); // a fresh browser gets through the provider too

    const cb = await throughProvider(browser, app.url, 'boss@oidc.example');
    const done = await browser.request(cb);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/');
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('msb_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await fetch(`${app.url}/api/v1/me`, { headers: { cookie: `msb_session=${browser.cookie(host, 'msb_session')}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'boss@oidc.example', roles: ['owners'], accountKind: 'msp' });
  });

  it('refuses a callback whose state was tampered with', async () => {
    const before = await sessions();
    const browser = new Browser();
    const cb = new URL(await throughProvider(browser, app.url, 'boss@oidc.example'));
    cb.searchParams.set('state', 'forged-state');
    const res = await browser.request(cb.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/could not be verified/);
    expect(browser.cookie(host, 'msb_session')).toBeUndefined();
    expect(await sessions()).toBe(before);
  });

  it('refuses a callback without the browser’s own state cookie (login CSRF), or with a forged one', async () => {
    const before = await sessions();
    const victim = new Browser();
    const cb = await throughProvider(new Browser(), app.url, 'boss@oidc.example');
    // The attacker's callback URL, opened in a browser that never started a sign-in.
    expect((await victim.request(cb)).status).toBe(400);
    const forger = new Browser();
    const cb2 = await throughProvider(forger, app.url, 'boss@oidc.example');
    forger.setCookie(host, 'msb_oidc', 'eyJ2ZXJpZmllciI6Inh4In0.forged');
    expect((await forger.request(cb2)).status).toBe(400);
    expect(await sessions()).toBe(before);
  });

  it('refuses a replayed authorization code, and a code meant for another PKCE verifier', async () => {
    const browser = new Browser();
    const cb = await throughProvider(browser, app.url, 'boss@oidc.example');
    const saved = browser.cookie(host, 'msb_oidc')!;
    expect((await browser.request(cb)).status).toBe(303);
    browser.setCookie(host, 'msb_oidc', saved);
    expect((await browser.request(cb)).status).toBe(400);
    // Mix one sign-in's code with another sign-in's verifier/state cookie.
    const a = new Browser();
    const b = new Browser();
    const cbA = await throughProvider(a, app.url, 'boss@oidc.example');
    await throughProvider(b, app.url, 'boss@oidc.example');
    b.setCookie(host, 'msb_oidc', b.cookie(host, 'msb_oidc')!);
    const mixed = new URL(cbA);
    expect((await b.request(mixed.href)).status).toBe(400);
  });

  it('refuses an ID token carrying another nonce than the one this sign-in sent', async () => {
    const before = await sessions();
    const browser = new Browser();
    // State and PKCE verifier stay this browser's own; only the nonce the provider sees is swapped.
    const cb = await throughProvider(browser, app.url, 'boss@oidc.example', (authorize) => authorize.searchParams.set('nonce', 'injected-nonce'));
    const res = await browser.request(cb);
    expect(res.status).toBe(400);
    expect(browser.cookie(host, 'msb_session')).toBeUndefined();
    expect(await sessions()).toBe(before);
  });

  it('refuses someone who is not a member anywhere', async () => {
    const browser = new Browser();
    const cb = await throughProvider(browser, app.url, 'stranger@oidc.example');
    const res = await browser.request(cb);
    expect(res.status).toBe(403);
    expect(browser.cookie(host, 'msb_session')).toBeUndefined();
  });
});
