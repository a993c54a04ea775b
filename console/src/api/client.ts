// The typed client of /api/v1 (openapi-fetch over types generated from the served OpenAPI
// document): it sends the session's CSRF token, the reader's language and, inside a launched
// company, the launch token; every failure becomes an ApiError with the server's stable code.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

type ProblemBody = NonNullable<components['responses']['Problem']['content']['application/json']['error']>;
export type FieldProblem = NonNullable<ProblemBody['fields']>[number];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

const state = { csrf: null as string | null, lang: 'en' };

export const setCsrf = (token: string | null): void => {
  state.csrf = token;
};
export const csrfToken = (): string | null => state.csrf;
export const setApiLanguage = (lang: string): void => {
  state.lang = lang;
};

export interface LaunchInfo {
  token: string;
  launchId: string;
  expiresAt: string;
  name: string;
}

// A launch lives as long as the tab (sessionStorage): a new tab launches again, on purpose.
export const launchOf = (accountId: string): LaunchInfo | undefined => {
  const raw = sessionStorage.getItem(`launch:${accountId}`);
  if (!raw) return undefined;
  const info = JSON.parse(raw) as LaunchInfo;
  return Date.parse(info.expiresAt) > Date.now() ? info : undefined;
};
export const rememberLaunch = (accountId: string, info: LaunchInfo): void => sessionStorage.setItem(`launch:${accountId}`, JSON.stringify(info));
export const forgetLaunch = (accountId: string): void => sessionStorage.removeItem(`launch:${accountId}`);

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const headers: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', state.lang);
    if (state.csrf && UNSAFE.has(request.method)) request.headers.set('x-csrf-token', state.csrf);
    const account = /\/api\/v1\/accounts\/([^/?]+)/.exec(new URL(request.url).pathname)?.[1];
    const launch = account ? launchOf(decodeURIComponent(account)) : undefined;
    if (launch) request.headers.set('x-launch-token', launch.token);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '/api/v1', credentials: 'same-origin' });
api.use(headers);

type Problem = { error?: { code?: string; message?: string; fields?: FieldProblem[] } };

/** The data of an answer, or an ApiError carrying the server's code, message and field problems. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (result.response.ok) return result.data as T;
  const problem = (result.error ?? {}) as Problem;
  throw new ApiError(
    result.response.status,
    problem.error?.code ?? 'http_' + result.response.status,
    problem.error?.message ?? result.response.statusText,
    problem.error?.fields ?? [],
  );
}
