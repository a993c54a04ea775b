// Issue 9, many tenants: T companies, each with its own SCIM token, each sending R req/s of mixed
// SCIM traffic at a constant rate (open loop: a request is due every 1/R s whatever the server
// does, and its latency counts from when it was due, so a slow server cannot slow the loader
// down and hide its queue). Then past capacity: F × the rate with the per-token limit at R.
import crypto from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../src/db/knex';
import { isPg, migrateLatest } from '../../src/db/knex';
import { recountSeats } from '../../src/db/members.repo';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { asOperator, openDatabase, queuePrefixFor, seedMembers, startServe } from '../app-target';
import type { ServerProcess } from '../child';
import { HttpClient, type HttpReply, type Latency, jsonOf, latencyOf } from '../http';
import { unitOfWork } from '../../src/db/unitOfWork';
import type { BenchOptions, DbKind } from '../options';
import { GROUP_SCHEMA, PATCH_OP, SCIM_JSON, USER_SCHEMA } from '../target';
import { say } from '../log';

const GROUP_SIZE = 50;
const TIMEOUT_MS = 10_000;
const SOCKETS_PER_TENANT = 8;

export interface Phase {
  ratePerTenant: number;
  offeredRate: number;
  /** SCIM_RATE_PER_TOKEN of the server (its burst is twice that). */
  perTokenLimit: number;
  seconds: number;
  /** Requests due (and sent) in the schedule. */
  sent: number;
  /** Answers of any status per second, from the first request due to the last answer. */
  answeredRate: number;
  /** 2xx answers per second, the same span. */
  okRate: number;
  /** Seconds from the end of the schedule to the last answer (the server working off its queue). */
  drainSeconds: number;
  /** Every answer, due time → end of answer. */
  latency: Latency;
  ok: Latency;
  limited?: Latency;
  /** HTTP status → count; "timeout" (no answer within 10 s of being due) and "error" (connection). */
  statuses: Record<string, number>;
  fiveXx: number;
  timeouts: number;
  errors: number;
  /** 429 answers and how many of them carried an integer Retry-After. */
  retryAfter: { answers: number; integer: number; values: Record<string, number> };
  /** 2xx answers with the wrong content, and 4xx other than 429. */
  wrong: number;
  problems: string[];
  /** How late the loader sent requests (p99, max ms): large values mean the loader, not the server, fell behind. */
  schedulerLag: { p99: number; max: number };
  /** CPU seconds of the server and of the loader (this process) during the phase. */
  serverCpuSeconds: number;
  loaderCpuSeconds: number;
}

export interface TenantsResult {
  db: DbKind;
  tenants: number;
  usersPerTenant: number;
  normal: Phase;
  overload: Phase;
}

interface Tenant {
  index: number;
  token: string;
  client?: HttpClient;
  userIds: string[];
  userNames: string[];
  groupId: string;
  posted: number;
  patched: number;
}

interface Planned {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Why a 2xx answer is wrong, or undefined. */
  check(r: HttpReply): string | undefined;
}

const pick = (n: number) => Math.floor(Math.random() * n);

/** The mix an IdP's steady state sends: mostly lookups, some updates, a few creations. */
function plan(t: Tenant, run: string): Planned {
  const u = t.userIds.length;
  const half = Math.floor(u / 2);
  // Reads and group adds use the second half; PATCH active flips the first half, one by one.
  const reader = half + pick(u - half);
  const roll = Math.random() * 100;
  if (roll < 40) {
    const name = t.userNames[reader]!;
    return {
      method: 'GET',
      path: `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`,
      check(r) {
        const b = jsonOf<{ totalResults?: number; Resources?: Array<{ userName?: string }> }>(r);
        return b?.totalResults === 1 && b.Resources?.[0]?.userName === name ? undefined : `filter ${name}: ${r.body.slice(0, 160)}`;
      },
    };
  }
  if (roll < 65) {
    const id = t.userIds[reader]!;
    return {
      method: 'GET',
      path: `/Users/${id}`,
      check: (r) => (jsonOf<{ id?: string }>(r)?.id === id ? undefined : `GET /Users/${id}: ${r.body.slice(0, 160)}`),
    };
  }
  if (roll < 75) {
    const start = 1 + pick(Math.max(1, u - 20));
    return {
      method: 'GET',
      path: `/Users?startIndex=${start}&count=20`,
      check(r) {
        const b = jsonOf<{ totalResults?: number; Resources?: unknown[] }>(r);
        return (b?.totalResults ?? 0) >= u && b?.Resources?.length === 20
          ? undefined
          : `page at ${start}: totalResults ${b?.totalResults}, ${b?.Resources?.length} resources`;
      },
    };
  }
  if (roll < 85) {
    const n = t.patched++;
    return {
      method: 'PATCH',
      path: `/Users/${t.userIds[n % half]}`,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: Math.floor(n / half) % 2 === 1 }] },
      check: () => undefined,
    };
  }
  if (roll < 95) {
    return {
      method: 'PATCH',
      path: `/Groups/${t.groupId}`,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: t.userIds[reader] }] }] },
      check: () => undefined,
    };
  }
  const userName = `t${t.index}new${t.posted++}-${run}@tenants.example`;
  return {
    method: 'POST',
    path: '/Users',
    body: {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'New', familyName: 'Tenant' },
      emails: [{ value: userName, type: 'work', primary: true }],
      active: true,
    },
    check: (r) => (jsonOf<{ userName?: string }>(r)?.userName === userName ? undefined : `POST ${userName}: ${r.body.slice(0, 160)}`),
  };
}

/** Runs the constant-rate schedule for every tenant at once and gathers what came back. */
async function openLoop(tenants: Tenant[], server: ServerProcess, ratePerTenant: number, seconds: number, perTokenLimit: number): Promise<Phase> {
  const run = crypto.randomBytes(3).toString('hex');
  const interval = 1000 / ratePerTenant;
  const begin = performance.now() + 100;
  const end = begin + seconds * 1000;
  // Tenants spread evenly over one interval, as independent IdPs would be.
  const due = tenants.map((_, i) => begin + (i / tenants.length) * interval);
  const all: number[] = [];
  const ok: number[] = [];
  const limited: number[] = [];
  const lag: number[] = [];
  const statuses: Record<string, number> = {};
  const retryValues: Record<string, number> = {};
  const limitedBy: Record<string, number> = {};
  const problems: string[] = [];
  let wrong = 0;
  let sent = 0;
  let retryInteger = 0;
  let lastAnswer = begin;
  const inflight = new Set<Promise<void>>();
  const cpuBefore = server.cpuSeconds();
  const loaderBefore = process.cpuUsage();

  const fire = (t: Tenant, at: number) => {
    const p = plan(t, run);
    sent++;
    lag.push(performance.now() - at);
    const req = t.client!.request(p.method, p.path, { body: p.body, startedAt: at, timeoutMs: TIMEOUT_MS }).then((r) => {
      const key = r.status ? String(r.status) : r.error === 'timeout' ? 'timeout' : 'error';
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (!r.status) return;
      lastAnswer = Math.max(lastAnswer, performance.now());
      all.push(r.ms);
      if (r.status >= 200 && r.status < 300) {
        ok.push(r.ms);
        const why = p.check(r);
        if (why) {
          wrong++;
          if (problems.length < 5) problems.push(why);
        }
      } else if (r.status === 429) {
        limited.push(r.ms);
        const ra = String(r.headers['retry-after'] ?? '');
        retryValues[ra || '(none)'] = (retryValues[ra || '(none)'] ?? 0) + 1;
        if (/^\d+$/.test(ra)) retryInteger++;
        // Which limit answered: capacity (MAX_IN_FLIGHT), the credential's rate, or failed authentications.
        const detail = /"detail":"([^"]{0,40})/.exec(r.body)?.[1] ?? /"message":"([^"]{0,40})/.exec(r.body)?.[1] ?? '(no detail)';
        limitedBy[detail] = (limitedBy[detail] ?? 0) + 1;
      } else if (r.status < 500) {
        wrong++;
        if (problems.length < 5) problems.push(`${p.method} ${p.path}: HTTP ${r.status} ${r.body.slice(0, 160)}`);
      }
    });
    inflight.add(req);
    void req.finally(() => inflight.delete(req));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      let left = false;
      for (let i = 0; i < tenants.length; i++) {
        while (due[i]! <= now && due[i]! < end) {
          fire(tenants[i]!, due[i]!);
          due[i]! += interval;
        }
        if (due[i]! < end) left = true;
      }
      if (left) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, Math.max(0, begin - performance.now()));
  });
  // Every request ends by its deadline at the latest.
  while (inflight.size) await Promise.all([...inflight]);
  if (Object.keys(limitedBy).length) say(`    429 by: ${JSON.stringify(limitedBy)}`);
  const serverCpuSeconds = server.cpuSeconds() - cpuBefore;
  const loader = process.cpuUsage(loaderBefore);
  // Let the server finish what the loader gave up on before anything else is measured.
  await server.waitIdle();
  const lagStats = latencyOf(lag);
  const fiveXx = Object.entries(statuses).reduce((s, [k, n]) => s + (/^5\d\d$/.test(k) ? n : 0), 0);
  return {
    ratePerTenant,
    offeredRate: ratePerTenant * tenants.length,
    perTokenLimit,
    seconds,
    sent,
    answeredRate: all.length / Math.max(seconds, (lastAnswer - begin) / 1000),
    okRate: ok.length / Math.max(seconds, (lastAnswer - begin) / 1000),
    drainSeconds: Math.max(0, (lastAnswer - end) / 1000),
    latency: latencyOf(all),
    ok: latencyOf(ok),
    limited: limited.length ? latencyOf(limited) : undefined,
    statuses,
    fiveXx,
    timeouts: statuses.timeout ?? 0,
    errors: statuses.error ?? 0,
    retryAfter: { answers: limited.length, integer: retryInteger, values: retryValues },
    wrong,
    problems,
    schedulerLag: { p99: lagStats.p99, max: lagStats.max },
    serverCpuSeconds,
    loaderCpuSeconds: (loader.user + loader.system) / 1e6,
  };
}

async function seed(db: Db, tenants: number, users: number): Promise<Array<Omit<Tenant, 'groupId' | 'posted' | 'patched'> & { accountId: string }>> {
  await migrateLatest(db);
  const msp = await asOperator(db, (ctx) => createMsp(ctx, { name: 'Tenants MSP', region: 'eu', ownerEmail: 'owner@tenants.example' }, ['eu']));
  const out: Array<Omit<Tenant, 'groupId' | 'posted' | 'patched'> & { accountId: string }> = [];
  const firstAt = Date.now();
  for (let k = 0; k < tenants; k++) {
    const company = await asOperator(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: `Tenant ${k}`, country: 'DE', seats: 1_000_000 }));
    const { token } = await asOperator(db, (ctx) => createScimToken(ctx, company.id, 'bench'));
    const userIds = await seedMembers(db, company.id, `t${k}u`, users, firstAt);
    await unitOfWork(db, (tx) => recountSeats(tx, company.id));
    out.push({ index: k, token, accountId: company.id, userIds, userNames: userIds.map((_, i) => `t${k}u${i}@bulk.example`) });
  }
  await db.raw(isPg(db) ? 'vacuum analyze' : 'analyze');
  return out;
}

export async function measureTenants(opts: BenchOptions, kind: DbKind, runDir: string): Promise<TenantsResult> {
  const key = `tenants-${kind}`;
  const { url, db } = openDatabase(opts, kind, runDir, key);
  let seeded: Awaited<ReturnType<typeof seed>>;
  try {
    seeded = await seed(db, opts.tenants, opts.tenantUsers);
  } finally {
    await db.destroy();
  }
  const queuePrefix = queuePrefixFor(opts);
  const dataDir = path.join(runDir, `${key}-data`);
  // With --profile, serve writes a CPU profile per phase to the run's folder (summarised into the log).
  const profileDir = opts.profile ? path.join(__dirname, '..', 'tmp', 'profiles') : undefined;
  const serveWith = (limit: number) =>
    startServe(opts, `app ${kind} (${opts.tenants} tenants, limit ${limit}/s)`, {
      url,
      queuePrefix,
      dataDir,
      env: { SCIM_RATE_PER_TOKEN: String(limit) },
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${key}-limit${limit}.cpuprofile`] : undefined,
    });
  const clientsFor = (origin: string, list: Tenant[]) => {
    for (const t of list) {
      t.client?.close();
      t.client = new HttpClient(`${origin}/scim/v2`, { authorization: `Bearer ${t.token}`, 'content-type': SCIM_JSON, accept: SCIM_JSON }, SOCKETS_PER_TENANT);
    }
  };

  // Phase 1: the product's default per-token limit (1000/s), each tenant at its rate.
  const defaultLimit = 1000;
  let { proc, origin } = await serveWith(defaultLimit);
  const tenants: Tenant[] = seeded.map((s) => ({ ...s, groupId: '', posted: 0, patched: 0 }));
  clientsFor(origin, tenants);
  const half = Math.floor(opts.tenantUsers / 2);
  for (const t of tenants) {
    const members = t.userIds.slice(half, half + GROUP_SIZE).map((value) => ({ value }));
    const r = await t.client!.request('POST', '/Groups', {
      body: { schemas: [GROUP_SCHEMA], displayName: `tenant ${t.index} team`, members },
      timeoutMs: 30_000,
    });
    const id = jsonOf<{ id?: string }>(r)?.id;
    if (r.status !== 201 || !id) throw new Error(`tenant ${t.index}: POST /Groups answered HTTP ${r.status} ${r.body.slice(0, 200)}`);
    t.groupId = id;
  }
  try {
    say(`  ${opts.tenants} tenants × ${opts.tenantRate} req/s for ${opts.tenantSeconds} s`);
    const normal = await openLoop(tenants, proc, opts.tenantRate, opts.tenantSeconds, defaultLimit);
    say(
      `    ${normal.answeredRate.toFixed(0)} answers/s of ${normal.offeredRate} offered, p50 ${normal.latency.p50.toFixed(0)} ms, p99 ${normal.latency.p99.toFixed(0)} ms, ${normal.fiveXx} 5xx, ${normal.timeouts} timeouts`,
    );
    await proc.stop();

    // Phase 2: past capacity. Each tenant may do its normal rate; it offers overloadFactor × that.
    ({ proc, origin } = await serveWith(opts.overloadLimit));
    clientsFor(origin, tenants);
    const rate = opts.tenantRate * opts.overloadFactor;
    say(`  past capacity: ${opts.tenants} tenants × ${rate} req/s for ${opts.overloadSeconds} s, SCIM_RATE_PER_TOKEN=${opts.overloadLimit}`);
    const overload = await openLoop(tenants, proc, rate, opts.overloadSeconds, opts.overloadLimit);
    say(
      `    ${overload.okRate.toFixed(0)} 2xx/s, ${overload.retryAfter.answers} × 429, p99 ${overload.latency.p99.toFixed(0)} ms, ${overload.fiveXx} 5xx, ${overload.timeouts} timeouts`,
    );
    return { db: kind, tenants: opts.tenants, usersPerTenant: opts.tenantUsers, normal, overload };
  } finally {
    for (const t of tenants) t.client?.close();
    await proc.stop();
  }
}
