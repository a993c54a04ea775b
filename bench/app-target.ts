// The real app as a target: a fresh database seeded directly, then `mspbridge serve` as a child process.
import crypto from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Db, isPg, migrateLatest, openDb } from '../src/db/knex';
import { recountSeats } from '../src/db/members.repo';
import { unitOfWork } from '../src/db/unitOfWork';
import { createMsp } from '../src/domain/accounts';
import { addCompany } from '../src/domain/companies';
import type { Ctx } from '../src/domain/context';
import { operator } from '../src/domain/principal';
import { createScimToken } from '../src/domain/scimTokens';
import { ServerProcess, freePort } from './child';
import { onCleanup } from './cleanup';
import type { BenchOptions, DbKind } from './options';
import { type GroupFixture, PATCH_OP, type Target, createGroups, expectStatus, membersValue, scim, sizeLabel } from './target';

const ROOT = path.join(__dirname, '..');
const BATCH = 500;

export interface Database {
  url: string;
  db: Db;
}

/** A fresh database for one app: a SQLite file in the run's folder, or a PostgreSQL schema dropped at cleanup. */
export function openDatabase(opts: BenchOptions, kind: DbKind, runDir: string, key: string): Database {
  if (kind === 'sqlite') {
    const url = `sqlite:${path.join(runDir, `${key}.sqlite`)}`;
    return { url, db: openDb({ url }) };
  }
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const url = `${opts.pgUrl}${opts.pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  onCleanup(`drop schema ${schema}`, async () => {
    const admin = openDb({ url: opts.pgUrl, poolMax: 1 });
    try {
      await admin.raw('drop schema if exists ?? cascade', [schema]);
    } finally {
      await admin.destroy();
    }
  });
  return { url, db: openDb({ url, poolMax: 4 }) };
}

export const asOperator = <T>(db: Db, fn: (ctx: Ctx) => Promise<T>): Promise<T> =>
  unitOfWork(db, (tx) => fn({ tx, actor: operator('bench'), now: new Date() }));

/** A company with a SCIM token, made by the domain exactly as `mspbridge company add` and `scim-token create` do. */
export async function scimAccount(db: Db, seats?: number): Promise<{ accountId: string; token: string }> {
  const msp = await asOperator(db, (ctx) => createMsp(ctx, { name: 'Bench MSP', region: 'eu', ownerEmail: 'owner@bench.example' }, ['eu']));
  const company = await asOperator(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Bench Company', country: 'DE', seats }));
  const { token } = await asOperator(db, (ctx) => createScimToken(ctx, company.id, 'bench'));
  return { accountId: company.id, token };
}

/**
 * People as a SCIM push leaves them (the row shape the SCIM view reads: scim_managed, active,
 * provisioned by scim, the rest of the resource in attrs), written in batches: an initial sync
 * over HTTP would take minutes at 100,000 users.
 */
export async function seedMembers(db: Db, accountId: string, prefix: string, count: number, firstAt: number): Promise<string[]> {
  const ids: string[] = [];
  await db.transaction(async (tx) => {
    for (let start = 0; start < count; start += BATCH) {
      const rows: Array<Record<string, unknown>> = [];
      for (let i = start; i < Math.min(start + BATCH, count); i++) {
        const id = crypto.randomUUID();
        ids.push(id);
        const userName = `${prefix}${i}@bulk.example`;
        const givenName = `${prefix}${i}`;
        const at = new Date(firstAt + i).toISOString();
        rows.push({
          id,
          account_id: accountId,
          user_name: userName,
          user_name_ci: userName,
          email: userName,
          email_ci: userName,
          given_name: givenName,
          family_name: 'Bulk',
          state: 'active',
          provisioned_by: 'scim',
          scim_managed: true,
          attrs: JSON.stringify({ userName, name: { givenName, familyName: 'Bulk' }, emails: [{ value: userName, type: 'work', primary: true }] }),
          version: 1,
          created_at: at,
          updated_at: at,
        });
      }
      await tx('members').insert(rows);
    }
  });
  return ids;
}

/** Deletes the BullMQ keys a run's app left in the shared Redis. */
async function dropQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A BullMQ key prefix of the run's own in the shared Redis, its keys deleted at cleanup. */
export function queuePrefixFor(opts: BenchOptions): string {
  const prefix = `bench-${crypto.randomBytes(5).toString('hex')}`;
  onCleanup(`redis keys ${prefix}`, () => dropQueueKeys(opts.redisUrl, prefix));
  return prefix;
}

export interface AppSpawn {
  /** Database URL (DATABASE_URL). */
  url: string;
  queuePrefix: string;
  /** PUBLIC_URL; for serve also where it listens (its port is taken from it). */
  origin: string;
  /** Folder for DATA_DIR. */
  dataDir: string;
  /** More environment (SMTP_URL, SCIM_RATE_PER_TOKEN, LOG_LEVEL…). */
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/** Every process of one deployment shares it (link tokens must verify across processes). */
export const BENCH_SECRET_KEY = 'bench-secret-key-0123456789-abcdefghijklmnop';

/**
 * `node bin/mspbridge.js serve|worker` as a measured child process, configured like the
 * benchmark's app: silent logs, production mode, no per-token limit unless env sets one.
 */
export function spawnApp(opts: BenchOptions, mode: 'serve' | 'worker', label: string, a: AppSpawn): ServerProcess {
  const env: Record<string, string> = {
    DATABASE_URL: a.url,
    DATABASE_POOL_MAX: String(opts.poolMax),
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: a.queuePrefix,
    HOST: '127.0.0.1',
    PORT: new URL(a.origin).port,
    PUBLIC_URL: a.origin,
    LOG_LEVEL: 'silent',
    SCIM_RATE_PER_TOKEN: '1000000',
    SECRET_KEY: BENCH_SECRET_KEY,
    DATA_DIR: a.dataDir,
    NODE_ENV: 'production',
    ...a.env,
  };
  return new ServerProcess(label, [...(a.nodeArgs ?? []), path.join(ROOT, 'bin', 'mspbridge.js'), mode], env, ROOT);
}

/** `serve` on a free port, answering /readyz. */
export async function startServe(opts: BenchOptions, label: string, a: Omit<AppSpawn, 'origin'>): Promise<{ proc: ServerProcess; origin: string }> {
  const origin = `http://127.0.0.1:${await freePort()}`;
  const proc = spawnApp(opts, 'serve', label, { ...a, origin });
  await proc.waitReady(`${origin}/readyz`);
  return { proc, origin };
}

export async function startApp(opts: BenchOptions, kind: DbKind, users: number, runDir: string, profileDir: string | undefined): Promise<Target> {
  const key = `app-${kind}-${users}`;
  const label = `app ${kind} ${sizeLabel(users)}`;
  const { url, db } = openDatabase(opts, kind, runDir, key);
  let userIds: string[];
  let poolIds: string[];
  let token: string;
  const seedStarted = performance.now();
  try {
    await migrateLatest(db);
    const account = await scimAccount(db);
    token = account.token;
    const firstAt = Date.now();
    userIds = await seedMembers(db, account.accountId, 'user', users, firstAt);
    poolIds = await seedMembers(db, account.accountId, 'pool', opts.pool, firstAt + users);
    await unitOfWork(db, (tx) => recountSeats(tx, account.accountId));
    // What autovacuum / a periodic ANALYZE would have done by the time an account is this big.
    await db.raw(isPg(db) ? 'vacuum analyze members' : 'analyze');
  } finally {
    await db.destroy();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${key}.cpuprofile`] : [];
  const { proc, origin } = await startServe(opts, label, { url, queuePrefix: queuePrefixFor(opts), dataDir: path.join(runDir, `${key}-data`), nodeArgs });
  const base = `${origin}/scim/v2`;
  const groups = await createGroups(base, token, userIds, { small: opts.smallGroup, large: opts.largeGroup });
  return {
    key,
    label,
    kind: 'app',
    db: kind,
    users,
    total: users + opts.pool,
    base,
    token,
    userIds,
    poolIds,
    groups: { small: groups.small, large: groups.large },
    process: proc,
    seedSeconds,
    bulkMembersSeconds: groups.bulkMembersSeconds,
    rssAfterSeed: proc.memory().rss,
    // Entra's form of removal (a value list): one request, only the named rows are touched.
    async resetGroup(group: GroupFixture, added: string[]) {
      for (let i = 0; i < added.length; i += 5000) {
        await expectStatus(
          scim(base, token, 'PATCH', `/Groups/${group.id}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: 'remove', path: 'members', value: membersValue(added.slice(i, i + 5000)) }],
          }),
          [200, 204],
          `${label}: taking ${added.length} pool users out of group ${group.id}`,
        );
      }
    },
  };
}
