// What the load generator aims at: a running SCIM server (the app or the baseline) with its seeded fixture.
import type { ServerProcess } from './child';
import type { DbKind } from './options';

export const SCIM_JSON = 'application/scim+json';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface GroupFixture {
  id: string;
  /** Members it holds between runs. */
  size: number;
}

export interface Target {
  /** Stable key for results.json, e.g. "app-sqlite-100000". */
  key: string;
  /** Short column label, e.g. "app sqlite 100k". */
  label: string;
  /** The app, the scimmy baseline, or the limit server (bench/limit.ts: what the machine allows). */
  kind: 'app' | 'baseline' | 'limit';
  db?: DbKind;
  /** Users seeded for the reads (user0… in creation order). */
  users: number;
  /** Users plus the pool: the directory's size while reads run. */
  total: number;
  /** SCIM base URL, no trailing slash. */
  base: string;
  token: string;
  userIds: string[];
  /** Users in no group, added to groups one per PATCH and taken out again after each run. */
  poolIds: string[];
  groups: { small: GroupFixture; large: GroupFixture };
  process: ServerProcess;
  /** Seconds to seed users and pool. */
  seedSeconds: number;
  /** Seconds for one PATCH that put the large group's members in (a first sync's group push). */
  bulkMembersSeconds: number;
  /** Memory once seeded and idle. */
  rssAfterSeed: number;
  /** Takes out of a group the pool users a run added to it. */
  resetGroup(group: GroupFixture, added: string[]): Promise<void>;
}

export interface ScimReply {
  status: number;
  body: Record<string, unknown> | undefined;
  ms: number;
}

/** One SCIM request outside the load generator (setup, probes, the full import). */
export async function scim(base: string, token: string, method: string, path: string, body?: unknown): Promise<ScimReply> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': SCIM_JSON }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, ms };
}

export async function expectStatus(reply: Promise<ScimReply>, ok: number[], what: string): Promise<ScimReply> {
  const r = await reply;
  if (!ok.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r;
}

export const membersValue = (ids: string[]) => ids.map((value) => ({ value }));

/**
 * Creates the two benchmark groups the way an IdP does: the small one with its members in the
 * POST, the large one empty and then filled by a single PATCH, which is timed.
 */
export async function createGroups(
  base: string,
  token: string,
  userIds: string[],
  sizes: { small: number; large: number },
): Promise<{ small: GroupFixture; large: GroupFixture; bulkMembersSeconds: number }> {
  const post = (displayName: string, members: string[]) =>
    expectStatus(
      scim(base, token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members: membersValue(members) }),
      [201],
      `POST /Groups ${displayName}`,
    );
  const small = await post('bench-small', userIds.slice(0, sizes.small));
  const large = await post('bench-large', []);
  const largeId = String(large.body!.id);
  const fill = await expectStatus(
    scim(base, token, 'PATCH', `/Groups/${largeId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: membersValue(userIds.slice(0, sizes.large)) }],
    }),
    [200, 204],
    `PATCH /Groups/${largeId} with ${sizes.large} members`,
  );
  return {
    small: { id: String(small.body!.id), size: sizes.small },
    large: { id: largeId, size: sizes.large },
    bulkMembersSeconds: fill.ms / 1000,
  };
}

export const sizeLabel = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
