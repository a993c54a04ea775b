// A real OpenID Provider (oidc-provider) for tests, and a scripted browser that signs in through it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startProvider(redirectUri: string, emails: { verified?: boolean } = {}): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'mspbridge',
        client_secret: 'mspbridge-test-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // The login form's "login" is used as the subject and as the email address.
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: sub, email_verified: emails.verified ?? true }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key-0123456789'] },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId: 'mspbridge',
    clientSecret: 'mspbridge-test-secret',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A tiny browser: a cookie jar per origin, manual redirects, forms posted as a user would. */
export class Browser {
  private jar = new Map<string, Map<string, string>>();

  private cookieFor(url: URL): string {
    return [...(this.jar.get(url.host)?.entries() ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, res: Response): void {
    const set = res.headers.getSetCookie();
    const jar = this.jar.get(url.host) ?? new Map<string, string>();
    for (const c of set) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/max-age=0/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(url.host, jar);
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.jar.set(host, jar);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { cookie: this.cookieFor(u), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    this.keep(u, res);
    return res;
  }

  /** Follows redirects until a non-redirect answer, or until `stopAt` matches the next location. */
  async follow(url: string, stopAt?: RegExp): Promise<{ res: Response; url: string }> {
    let current = url;
    for (let i = 0; i < 20; i++) {
      const res = await this.request(current);
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !loc) return { res, url: current };
      const next = new URL(loc, current).href;
      if (stopAt?.test(next)) return { res, url: next };
      current = next;
    }
    throw new Error('too many redirects');
  }
}

/**
 * Signs in through the provider's login and consent pages; returns the callback URL the provider
 * sends the browser to (not yet visited, so a test can tamper with it).
 */
export async function throughProvider(browser: Browser, appUrl: string, login: string, tamper?: (authorize: URL) => void): Promise<string> {
  const start = await browser.request(`${appUrl}/auth/oidc/login`);
  const authorize = new URL(start.headers.get('location')!, appUrl);
  // A test may alter the authorization request the app built (e.g. swap its nonce) before the provider sees it.
  tamper?.(authorize);
  let next = authorize.href;
  for (let step = 0; step < 6; step++) {
    const { res, url } = await browser.follow(next, /\/auth\/oidc\/callback/);
    if (/\/auth\/oidc\/callback/.test(url)) return url;
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`unexpected provider page: ${page.slice(0, 300)}`);
    const posted = await browser.request(new URL(action, url).href, {
      method: 'POST',
      form: prompt === 'login' ? { prompt, login, password: 'any' } : { prompt },
    });
    next = new URL(posted.headers.get('location')!, url).href;
    if (/\/auth\/oidc\/callback/.test(next)) return next;
  }
  throw new Error('the provider never sent the browser back');
}
