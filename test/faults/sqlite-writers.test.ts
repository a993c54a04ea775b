// 32 concurrent SCIM writers against several `mspbridge serve` processes sharing ONE SQLite file:
// no request fails on lock contention, and the database ends exactly as acknowledged; then 8
// clients push members into one group at once through different processes and none is lost.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { type Db, migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { updateSettings } from '../../src/domain/settings';
import { asOp } from '../helpers/ctx';
import { REDIS_URL } from '../helpers/app';
import { scimClientFor, userBody, type ScimClient, type ScimReply } from '../helpers/scim';
import { type Proc, pool, record, spawnMode, tally, dropQueueKeys } from './harness';

const SERVES = 3;
const WRITERS = 32;
const LOAD_MS = 22_000;
const SHARED_GROUPS = 4;
const HOT_CLIENTS = 8;
const HOT_ROUNDS = 6;
const HOT_ADDS_PER_ROUND = 3;

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LOCKED = /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i;

/** A seeded generator, so a failing run can be replayed writer by writer. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Observed {
  op: string;
  status: number;
  ms: number;
  locked: boolean;
  retryAfter: string | null;
  text: string;
}

/** Every SCIM call of the scenario goes through here: status, latency and lock messages. */
class Meter {
  readonly seen: Observed[] = [];

  async call<T = Record<string, unknown>>(c: ScimClient, op: string, method: string, p: string, body?: unknown): Promise<ScimReply<T>> {
    const started = performance.now();
    let r: ScimReply<T>;
    try {
      r = await c.req<T>(method, p, body);
    } catch (err) {
      this.seen.push({ op, status: 0, ms: performance.now() - started, locked: false, retryAfter: null, text: String((err as Error).message) });
      throw err;
    }
    this.seen.push({
      op,
      status: r.status,
      ms: performance.now() - started,
      locked: LOCKED.test(r.text),
      retryAfter: r.headers.get('retry-after'),
      text: r.text.slice(0, 300),
    });
    return r;
  }

  unexpected(expected: Record<string, number>): Observed[] {
    return this.seen.filter((o) => o.status !== expected[o.op]);
  }
}

interface TrackedUser {
  id: string;
  userName: string;
  givenName: string;
  active: boolean;
  deleted: boolean;
  /** Invitations issued: one at creation, one more at each acknowledged reactivation. */
  invitations: number;
  groups: Set<string>;
}

async function setup() {
  const file = path.join(os.tmpdir(), `mspbridge-writers-${crypto.randomBytes(4).toString('hex')}.sqlite`);
  const env: Record<string, string> = {
    DATABASE_URL: `sqlite:${file}`,
    REDIS_URL,
    QUEUE_PREFIX: `faults-${crypto.randomBytes(4).toString('hex')}`,
    SECRET_KEY: 'faults-secret-key-0123456789-abcdefghij',
    SCIM_RATE_PER_TOKEN: '100000',
    PUBLIC_URL: 'http://127.0.0.1',
    DATA_DIR: path.join(os.tmpdir(), 'mspbridge-faults-data'),
  };
  const db = openDb({ url: env.DATABASE_URL! });
  await migrateLatest(db);
  const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Writers MSP', region: 'eu', ownerEmail: 'o@writers.example' }, ['eu']));
  const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Writers Co', country: 'DE', seats: 100_000 }));
  // Every acknowledged removal must apply here: the deprovisioning breaker is off for this run.
  await asOp(db, (ctx) => updateSettings(ctx, company.id, { deprovisionLimit: 0 }));
  const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
  return { file, env, db, companyId: company.id, token };
}

const count = async (q: Knex.QueryBuilder): Promise<number> => Number((await q.count({ n: '*' }))[0]!.n);

describe('SQLite: many writers in several processes on one file', () => {
  const procs: Proc[] = [];
  let file = '';
  let prefix = '';
  let db: Db | undefined;
  afterAll(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
    await db?.destroy();
    if (prefix) await dropQueueKeys(prefix);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (f) fs.rmSync(f, { force: true });
  });

  it('32 concurrent SCIM writers on 3 serve processes: no 5xx, no SQLITE_BUSY, the database is what was acknowledged; 8 clients on one group lose no member', async () => {
    const s = await setup();
    file = s.file;
    prefix = s.env.QUEUE_PREFIX!;
    db = s.db;
    const serves = await Promise.all(Array.from({ length: SERVES }, () => spawnMode('serve', s.env)));
    procs.push(...serves);
    const clients = serves.map((p) => scimClientFor(p.url!, s.token, s.companyId));
    const via = (i: number) => clients[i % SERVES]!;
    const meter = new Meter();

    // Shared groups every writer pushes its own people into and out of.
    const groupIds: string[] = [];
    for (let g = 0; g < SHARED_GROUPS; g++) {
      const r = await meter.call<{ id: string }>(via(g), 'group create', 'POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `Shared ${g}`,
        externalId: `shared-${g}`,
      });
      expect(r.status).toBe(201);
      groupIds.push(r.body.id);
    }

    // ---- Phase 1: 32 writers for LOAD_MS, each request to the next process in turn. ----
    const users: TrackedUser[][] = Array.from({ length: WRITERS }, () => []);
    const until = Date.now() + LOAD_MS;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const rand = rng(1000 + w);
        let k = w;
        let made = 0;
        while (Date.now() < until) {
          const c = via(k++);
          const live = users[w]!.filter((u) => !u.deleted);
          const roll = rand();
          if (live.length < 3 || roll < 0.25) {
            const userName = `w${w}-u${made++}@writers.example`;
            const r = await meter.call<{ id: string }>(c, 'POST /Users', 'POST', '/Users', userBody(userName));
            if (r.status === 201)
              users[w]!.push({ id: r.body.id, userName, givenName: userName.split('@')[0]!, active: true, deleted: false, invitations: 1, groups: new Set() });
            continue;
          }
          const u = live[Math.floor(rand() * live.length)]!;
          if (roll < 0.45) {
            const active = !u.active;
            const r = await meter.call(c, 'PATCH /Users', 'PATCH', `/Users/${u.id}`, {
              schemas: [PATCH],
              Operations: [{ op: 'replace', path: 'active', value: active }],
            });
            if (r.status === 200) {
              u.active = active;
              if (active) u.invitations++;
            }
          } else if (roll < 0.6) {
            const givenName = `g${w}x${Math.floor(rand() * 1e6)}`;
            const r = await meter.call(
              c,
              'PUT /Users',
              'PUT',
              `/Users/${u.id}`,
              userBody(u.userName, { active: u.active, name: { givenName, familyName: 'Tester' } }),
            );
            if (r.status === 200) u.givenName = givenName;
          } else if (roll < 0.92) {
            const g = groupIds[Math.floor(rand() * SHARED_GROUPS)]!;
            if (u.groups.has(g)) {
              const r = await meter.call(c, 'PATCH /Groups', 'PATCH', `/Groups/${g}`, {
                schemas: [PATCH],
                Operations: [{ op: 'remove', path: `members[value eq "${u.id}"]` }],
              });
              if (r.status === 204) u.groups.delete(g);
            } else {
              const r = await meter.call(c, 'PATCH /Groups', 'PATCH', `/Groups/${g}`, {
                schemas: [PATCH],
                Operations: [{ op: 'add', path: 'members', value: [{ value: u.id }] }],
              });
              if (r.status === 204) u.groups.add(g);
            }
          } else {
            const r = await meter.call(c, 'DELETE /Users', 'DELETE', `/Users/${u.id}`);
            if (r.status === 204) {
              u.deleted = true;
              u.groups.clear();
            }
          }
        }
      }),
    );
    const loadMs = Date.now() - started;
    const phase1 = meter.seen.slice();
    const expected1: Record<string, number> = {
      'group create': 201,
      'POST /Users': 201,
      'PATCH /Users': 200,
      'PUT /Users': 200,
      'PATCH /Groups': 204,
      'DELETE /Users': 204,
    };
    const bad1 = meter.unexpected(expected1);
    expect(bad1.slice(0, 5)).toEqual([]);
    expect(phase1.filter((o) => o.locked)).toEqual([]);

    // Every process is still up (none died on a lock error).
    for (const p of serves) expect(p.child.exitCode).toBeNull();

    // The database is exactly what was acknowledged.
    const all = users.flat();
    const rows = await s.db('members').where({ account_id: s.companyId }).select('id', 'user_name', 'given_name', 'state', 'scim_managed');
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    expect(rows.length).toBe(all.length);
    const mismatches: string[] = [];
    for (const u of all) {
      const r = byId.get(u.id);
      if (!r) {
        mismatches.push(`${u.userName}: missing`);
        continue;
      }
      const state = u.deleted ? 'suspended' : u.active ? 'invited' : 'suspended';
      if (r.state !== state) mismatches.push(`${u.userName}: state ${r.state}, acknowledged ${state}`);
      if (Boolean(r.scim_managed) === u.deleted) mismatches.push(`${u.userName}: scim_managed ${r.scim_managed}, deleted ${u.deleted}`);
      if (r.given_name !== u.givenName) mismatches.push(`${u.userName}: givenName ${r.given_name}, acknowledged ${u.givenName}`);
    }
    expect(mismatches).toEqual([]);
    // One invitation per creation and per reactivation; exactly one pending for each active person.
    expect(await count(s.db('invitations').where({ account_id: s.companyId }))).toBe(all.reduce((n, u) => n + u.invitations, 0));
    const pending = (await s.db('invitations').where({ account_id: s.companyId, status: 'pending' }).pluck('member_id')) as string[];
    const pendingOf = new Map<string, number>();
    for (const id of pending) pendingOf.set(id, (pendingOf.get(id) ?? 0) + 1);
    expect(all.filter((u) => (pendingOf.get(u.id) ?? 0) !== (!u.deleted && u.active ? 1 : 0)).map((u) => u.userName)).toEqual([]);
    // The SCIM view counts the people not deleted.
    const view = await meter.call<{ totalResults: number }>(clients[0]!, 'GET', 'GET', '/Users?count=0');
    expect(view.body.totalResults).toBe(all.filter((u) => !u.deleted).length);
    // Each shared group holds exactly the acknowledged members, as every process sees it.
    let lostOrExtra = 0;
    for (const [gi, g] of groupIds.entries()) {
      const want = all
        .filter((u) => u.groups.has(g))
        .map((u) => u.id)
        .sort();
      const inDb = (await s.db('idp_group_members').where({ group_id: g }).pluck('member_id')).sort();
      const r = await meter.call<{ members?: Array<{ value: string }> }>(via(gi), 'GET', 'GET', `/Groups/${g}`);
      const inScim = (r.body.members ?? []).map((m) => m.value).sort();
      lostOrExtra += want.filter((id) => !inDb.includes(id)).length + inDb.filter((id) => !want.includes(id)).length;
      expect(inDb).toEqual(want);
      expect(inScim).toEqual(want);
    }

    // ---- Phase 2: 8 clients PATCH one group at once, through different processes. ----
    const hot = await meter.call<{ id: string }>(clients[0]!, 'group create', 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Hot group',
      externalId: 'hot',
    });
    expect(hot.status).toBe(201);
    const hotUsers = await pool(HOT_CLIENTS * HOT_ROUNDS * HOT_ADDS_PER_ROUND, 16, async (i) => {
      const r = await meter.call<{ id: string }>(via(i), 'POST /Users', 'POST', '/Users', userBody(`hot${i}@writers.example`));
      expect(r.status).toBe(201);
      return r.body.id;
    });
    const added = new Set<string>();
    const removed = new Set<string>();
    const hotStarted = Date.now();
    const phase2Start = meter.seen.length;
    await Promise.all(
      Array.from({ length: HOT_CLIENTS }, async (_, h) => {
        const mine = hotUsers.slice(h * HOT_ROUNDS * HOT_ADDS_PER_ROUND, (h + 1) * HOT_ROUNDS * HOT_ADDS_PER_ROUND);
        const inGroup: string[] = [];
        for (let round = 0; round < HOT_ROUNDS; round++) {
          const c = via(h + round);
          const ids = mine.slice(round * HOT_ADDS_PER_ROUND, (round + 1) * HOT_ADDS_PER_ROUND);
          // Alternate the forms IdPs use: a members add (Okta), a path-less add (Entra).
          const addOp =
            round % 2 === 0
              ? { op: 'add', path: 'members', value: ids.map((value) => ({ value })) }
              : { op: 'Add', value: { members: ids.map((value) => ({ value })) } };
          const r = await meter.call(c, 'PATCH /Groups', 'PATCH', `/Groups/${hot.body.id}`, { schemas: [PATCH], Operations: [addOp] });
          if (r.status === 204) {
            for (const id of ids) added.add(id);
            inGroup.push(...ids);
          }
          // Half the clients also take one of their people out again each round after the first.
          if (h % 2 === 0 && round > 0 && inGroup.length) {
            const out = inGroup.shift()!;
            const removeOp =
              round % 2 === 0 ? { op: 'remove', path: `members[value eq "${out}"]` } : { op: 'Remove', path: 'members', value: [{ value: out }] };
            const rr = await meter.call(via(h + round + 1), 'PATCH /Groups', 'PATCH', `/Groups/${hot.body.id}`, { schemas: [PATCH], Operations: [removeOp] });
            if (rr.status === 204) removed.add(out);
          }
        }
      }),
    );
    const hotMs = Date.now() - hotStarted;
    const phase2 = meter.seen.slice(phase2Start);
    expect(meter.unexpected({ ...expected1, GET: 200 })).toEqual([]);
    expect(meter.seen.filter((o) => o.locked)).toEqual([]);
    const wantHot = [...added].filter((id) => !removed.has(id)).sort();
    const gotHot = (await s.db('idp_group_members').where({ group_id: hot.body.id }).pluck('member_id')).sort();
    const hotScim = await meter.call<{ members?: Array<{ value: string }> }>(via(1), 'GET', 'GET', `/Groups/${hot.body.id}`);
    const lost = wantHot.filter((id) => !gotHot.includes(id)).length;
    const resurrected = gotHot.filter((id) => !wantHot.includes(id)).length;
    expect({ lost, resurrected }).toEqual({ lost: 0, resurrected: 0 });
    expect((hotScim.body.members ?? []).map((m) => m.value).sort()).toEqual(wantHot);

    const lat = phase1.map((o) => o.ms).sort((a, b) => a - b);
    const hotLat = phase2.map((o) => o.ms).sort((a, b) => a - b);
    const statuses = tally(meter.seen.map((o) => o.status));
    const byOp: Record<string, number> = {};
    for (const o of phase1) byOp[o.op] = (byOp[o.op] ?? 0) + 1;
    record({
      scenario: 'SQLite: 32 concurrent writers in 3 processes on one file',
      injected: `${SERVES} \`mspbridge serve\` processes on the same SQLite file (each also relaying its outbox), ${WRITERS} concurrent SCIM clients for ${Math.round(loadMs / 1000)} s, every request sent to the next process in turn (POST/PATCH active/PUT/DELETE Users, member add/remove on ${SHARED_GROUPS} shared groups); then ${HOT_CLIENTS} clients PATCHing one group at once, ${HOT_ROUNDS} rounds, through different processes, half of them also removing`,
      checked: [
        'no request answered 5xx or mentioned SQLITE_BUSY / database is locked (no 503 either)',
        'every user row equals the last acknowledged write (state, scim_managed, givenName); one invitation per creation and per reactivation, exactly one pending for each active user',
        'each shared group holds exactly the acknowledged members, in the database and through SCIM on every process',
        'the hot group holds exactly the union of acknowledged adds minus acknowledged removes: no member lost, none resurrected',
      ],
      figures: {
        processes: SERVES,
        writers: WRITERS,
        loadSeconds: Math.round(loadMs / 100) / 10,
        requests: meter.seen.length,
        phase1Requests: phase1.length,
        requestsPerSecond: Math.round(phase1.length / (loadMs / 1000)),
        'POST /Users': byOp['POST /Users'] ?? 0,
        'PATCH /Users active': byOp['PATCH /Users'] ?? 0,
        'PUT /Users': byOp['PUT /Users'] ?? 0,
        'PATCH /Groups': byOp['PATCH /Groups'] ?? 0,
        'DELETE /Users': byOp['DELETE /Users'] ?? 0,
        statuses: Object.entries(statuses)
          .map(([k, v]) => `${k}×${v}`)
          .join(' '),
        '5xx': meter.seen.filter((o) => o.status >= 500).length,
        busyErrors: meter.seen.filter((o) => o.locked).length,
        usersChecked: all.length,
        stateMismatches: mismatches.length,
        sharedGroupMembershipErrors: lostOrExtra,
        hotGroupPatches: phase2.length,
        hotGroupSeconds: Math.round(hotMs / 100) / 10,
        hotGroupMembers: wantHot.length,
        lostMembers: lost,
        p50ms: Math.round(percentile(lat, 50)),
        p99ms: Math.round(percentile(lat, 99)),
        maxMs: Math.round(lat[lat.length - 1] ?? 0),
        hotP50ms: Math.round(percentile(hotLat, 50)),
        hotP99ms: Math.round(percentile(hotLat, 99)),
      },
      command: 'npm run build --silent && npx jest -c jest.faults.config.js test/faults/sqlite-writers.test.ts',
    });
  });
});
