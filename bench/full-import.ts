// An IdP's full import: one client walks every page of 100 users in order, as Okta does.
import { type Target, scim } from './target';

export interface ImportResult {
  seconds: number;
  pages: number;
  users: number;
  /** Set when the walk stopped early or saw the wrong users. */
  problem?: string;
}

export async function fullImport(t: Target, limitSeconds: number): Promise<ImportResult> {
  const count = 100;
  const started = performance.now();
  let pages = 0;
  let users = 0;
  for (let startIndex = 1; ; startIndex += count) {
    const reply = await scim(t.base, t.token, 'GET', `/Users?startIndex=${startIndex}&count=${count}`);
    const seconds = (performance.now() - started) / 1000;
    if (reply.status !== 200) return { seconds, pages, users, problem: `page at ${startIndex}: HTTP ${reply.status}` };
    const body = reply.body as { totalResults: number; Resources?: unknown[] };
    const got = body.Resources?.length ?? 0;
    pages++;
    users += got;
    if (users >= body.totalResults || got === 0) {
      return { seconds, pages, users, problem: users === body.totalResults ? undefined : `read ${users} of ${body.totalResults} users` };
    }
    if (seconds > limitSeconds) return { seconds, pages, users, problem: `stopped after ${limitSeconds} s at ${users} of ${body.totalResults} users` };
  }
}
