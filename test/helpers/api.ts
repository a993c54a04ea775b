// A REST API client for tests: sign in with a one-time link (session cookie + CSRF) or use an API
// token, optionally acting in a company through a launch token.
export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiClient {
  req<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiReply<T>>;
  /** The same client acting in a company through a launch token. */
  launched(token: string): ApiClient;
  cookie?: string;
  csrf?: string;
}

export function apiClient(base: string, auth: { cookie?: string; csrf?: string; bearer?: string; launch?: string }): ApiClient {
  return {
    cookie: auth.cookie,
    csrf: auth.csrf,
    async req<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        redirect: 'manual',
        headers: {
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
          ...(auth.csrf ? { 'x-csrf-token': auth.csrf } : {}),
          ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
          ...(auth.launch ? { 'x-launch-token': auth.launch } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed as T, text, headers: res.headers };
    },
    launched(token: string) {
      return apiClient(base, { ...auth, launch: token });
    },
  };
}

/** Follows a one-time sign-in link; returns a client holding the session cookie and its CSRF token. */
export async function signInWithLink(base: string, signInUrl: string): Promise<ApiClient> {
  const res = await fetch(signInUrl, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`sign-in link answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const session = (await (await fetch(`${base}/api/v1/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return apiClient(base, { cookie, csrf: session.csrfToken });
}

/** Signs in with email and password (set when the invitation was accepted). */
export async function signInWithPassword(base: string, email: string, password: string): Promise<ApiClient> {
  const res = await fetch(`${base}/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`password sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return apiClient(base, { cookie, csrf: csrfToken });
}
