// Issue 9, initial sync: an IdP's first push (N users, then G groups of S members) over a fixed
// number of connections, app (serve + worker + SMTP sink) vs the scimmy baseline's own sync of
// the same users with the same loader; every invitation email counted once per recipient.
import { spawnBaseline } from '../baseline-target';
import type { ServerProcess } from '../child';
import { HttpClient, jsonOf, pool, sleep, tally } from '../http';
import type { BenchOptions, DbKind } from '../options';
import type { Failed } from './index';
import { GROUP_SCHEMA, SCIM_JSON } from '../target';
import { type MailStack, userBody } from './mail-stack';
import { say } from '../log';

export interface SyncSettings {
  users: number;
  groups: number;
  groupSize: number;
  connections: number;
  /** Seconds within which every invitation must be at the SMTP server. */
  emailSeconds: number;
}

export interface SyncPush {
  /** Wall seconds of the whole push (users, then groups). */
  seconds: number;
  usersSeconds: number;
  groupsSeconds: number;
  /** HTTP status of every request of the push. */
  statuses: Record<string, number>;
  /** Wrong answers: statuses, bodies, and the read-back of every group and a sample of users. */
  problems: string[];
}

export interface SyncEmails {
  expected: number;
  unique: number;
  messages: number;
  duplicates: number;
  withoutLink: number;
  /** Seconds from the start of the push to the first and the last email. */
  firstSeconds?: number;
  lastSeconds?: number;
  /** Distinct recipients whose email arrived within emailSeconds of the start. */
  withinDeadline: number;
  /** unique / lastSeconds. */
  perSecond: number;
}

export interface AppSync extends SyncPush {
  db: DbKind;
  emails: SyncEmails;
  /** Peak RSS of each process while the push ran and its emails went out, bytes. */
  rss: { serve: number; worker: number };
}

export interface SyncResult {
  settings: SyncSettings;
  baseline?: SyncPush | Failed;
  apps: Array<AppSync | Failed>;
}

export function syncSettings(opts: BenchOptions): SyncSettings {
  return { users: opts.syncUsers, groups: opts.syncGroups, groupSize: opts.syncGroupSize, connections: opts.syncConnections, emailSeconds: 60 };
}

/** The push itself, the same for the app and the baseline; `name(i)` is user i's userName. */
async function push(client: HttpClient, s: SyncSettings, name: (i: number) => string, groupName: (g: number) => string, startedAt: number): Promise<SyncPush> {
  const statuses: number[] = [];
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (m: string) => {
    if (++problemCount <= 10) problems.push(m);
  };
  const ids: string[] = new Array<string>(s.users);
  await pool(s.users, s.connections, async (i) => {
    const r = await client.request('POST', '/Users', { body: userBody(name(i)), timeoutMs: 120_000 });
    statuses.push(r.status);
    const b = jsonOf<{ id?: string; userName?: string }>(r);
    if (r.status !== 201 || !b?.id || b.userName !== name(i)) problem(`POST /Users ${name(i)}: HTTP ${r.status || r.error} ${r.body.slice(0, 200)}`);
    else ids[i] = b.id;
  });
  const usersSeconds = (performance.now() - startedAt) / 1000;
  const membersOf = (g: number) => Array.from({ length: s.groupSize }, (_, k) => ids[(g * s.groupSize + k) % s.users]).filter((v): v is string => !!v);
  const groupIds: string[] = new Array<string>(s.groups);
  await pool(s.groups, s.connections, async (g) => {
    const members = membersOf(g);
    const r = await client.request('POST', '/Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: groupName(g), externalId: `ext-${groupName(g)}`, members: members.map((value) => ({ value })) },
      timeoutMs: 120_000,
    });
    statuses.push(r.status);
    const b = jsonOf<{ id?: string; members?: unknown[] }>(r);
    if (r.status !== 201 || !b?.id) problem(`POST /Groups ${groupName(g)}: HTTP ${r.status || r.error} ${r.body.slice(0, 200)}`);
    else {
      groupIds[g] = b.id;
      if (b.members && b.members.length !== members.length)
        problem(`POST /Groups ${groupName(g)} answered ${b.members.length} members, sent ${members.length}`);
    }
  });
  const seconds = (performance.now() - startedAt) / 1000;

  // Read back (not timed): every group as pushed, users findable by userName, the total right.
  await pool(s.groups, s.connections, async (g) => {
    if (!groupIds[g]) return;
    const r = await client.request('GET', `/Groups/${groupIds[g]}`, { timeoutMs: 60_000 });
    const got = new Set((jsonOf<{ members?: Array<{ value: string }> }>(r)?.members ?? []).map((m) => m.value));
    const want = membersOf(g);
    if (r.status !== 200 || got.size !== want.length || want.some((id) => !got.has(id)))
      problem(`GET /Groups/${groupIds[g]}: HTTP ${r.status}, ${got.size} members, expected the ${want.length} pushed`);
  });
  for (let k = 0; k < 20; k++) {
    const i = Math.floor((k * s.users) / 20);
    const r = await client.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name(i)}"`)}`, { timeoutMs: 60_000 });
    const b = jsonOf<{ totalResults?: number; Resources?: Array<{ id?: string }> }>(r);
    if (r.status !== 200 || b?.totalResults !== 1 || b.Resources?.[0]?.id !== ids[i])
      problem(`filter userName eq ${name(i)}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  }
  if (problemCount > problems.length) problems.push(`… ${problemCount - problems.length} more`);
  return { seconds, usersSeconds, groupsSeconds: seconds - usersSeconds, statuses: tally(statuses), problems };
}

/** Peak RSS of some processes until stopped. */
function watchRss(procs: Array<ServerProcess | undefined>): { stop(): number[] } {
  const max = procs.map(() => 0);
  const sample = () =>
    procs.forEach((p, i) => {
      if (p?.running) max[i] = Math.max(max[i]!, p.memory().rss);
    });
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export async function syncApp(stack: MailStack, s: SyncSettings): Promise<AppSync> {
  const domain = `${stack.db}.sync.example`;
  const prefix = 'sync';
  const name = (i: number) => `${prefix}${i}@${domain}`;
  const client = stack.scim(s.connections);
  const rss = watchRss([stack.serve, stack.worker]);
  const startedAt = performance.now();
  const result = await push(client, s, name, (g) => `sync-team-${g}`, startedAt);
  say(
    `  ${stack.label}: pushed in ${result.seconds.toFixed(1)} s (users ${result.usersSeconds.toFixed(1)} s, groups ${result.groupsSeconds.toFixed(1)} s); waiting for ${s.users} emails`,
  );
  // Every email, or two minutes past the deadline (or the push's end); then a moment for late duplicates.
  const deadline = startedAt + (Math.max(s.emailSeconds, result.seconds) + 120) * 1000;
  await stack.sink.waitForUnique(prefix, s.users, Math.max(0, deadline - performance.now()));
  const [serve, worker] = rss.stop();
  await sleep(3000);
  const t = stack.sink.tally(prefix);
  let withinDeadline = 0;
  for (let i = 0; i < s.users; i++) {
    const a = stack.sink.arrivalOf(name(i));
    if (a && a.at - startedAt <= s.emailSeconds * 1000) withinDeadline++;
  }
  const lastSeconds = t.last === undefined ? undefined : (t.last - startedAt) / 1000;
  return {
    db: stack.db,
    ...result,
    emails: {
      expected: s.users,
      unique: t.unique,
      messages: t.messages,
      duplicates: t.duplicates,
      withoutLink: t.withoutLink,
      firstSeconds: t.first === undefined ? undefined : (t.first - startedAt) / 1000,
      lastSeconds,
      withinDeadline,
      perSecond: lastSeconds ? t.unique / lastSeconds : 0,
    },
    rss: { serve: serve!, worker: worker! },
  };
}

export async function syncBaseline(s: SyncSettings): Promise<SyncPush> {
  const { proc, origin, token } = await spawnBaseline('baseline (sync)');
  const client = new HttpClient(`${origin}/scim/v2`, { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON, accept: SCIM_JSON }, s.connections);
  try {
    const result = await push(
      client,
      s,
      (i) => `sync${i}@baseline.sync.example`,
      (g) => `sync-team-${g}`,
      performance.now(),
    );
    say(`  baseline: pushed in ${result.seconds.toFixed(1)} s (users ${result.usersSeconds.toFixed(1)} s, groups ${result.groupsSeconds.toFixed(1)} s)`);
    return result;
  } finally {
    client.close();
    await proc.stop();
  }
}
