// The real app as a target: a fresh database seeded directly, then `mspbridge serve` as a child process.
import crypto from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Db, isPg, migrateLatest, openDb } from '../src/db/knex';
import { recountSeats } from '../src/db/members.repo';
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

interface Database {
  url: string;
  db: Db;
}

function openDatabase(opts: BenchOptions, kind: DbKind, runDir: string, key: string): Database {
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

const asOperator = <T>(db: Db, fn: (ctx: Ctx) => Promise<T>): Promise<T> =>
  db.transaction((tx) => fn({ tx, actor: operator('bench'), now: new Date() }));

/** A company with a SCIM token, made by the domain exactly as `mspbridge company add` and `scim-token create` do. */
async function scimAccount(db: Db): Promise<{ accountId: string; token: string }> {
  const msp = await asOperator(db, (ctx) => createMsp(ctx, { name: 'Bench MSP', region: 'eu', ownerEmail: 'owner@bench.example' }, ['eu']));
  const company = await asOperator(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Bench Company', country: 'DE' }));
  const { token } = await asOperator(db, (ctx) => createScimToken(ctx, company.id, 'bench'));
  return { accountId: company.id, token };
}

/**
 * People as a SCIM push leaves them (the row shape the SCIM view reads: scim_managed, active,
 * provisioned by scim, the rest of the resource in attrs), written in batches: an initial sync
 * over HTTP would take minutes at 100,000 users.
 */
async function seedMembers(db: Db, accountId: string, prefix: string, count: number, firstAt: number): Promise<string[]> {
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
    await db.transaction((tx) => recountSeats(tx, account.accountId));
    // What autovacuum / a periodic ANALYZE would have done by the time an account is this big.
    await db.raw(isPg(db) ? 'vacuum analyze members' : 'analyze');
  } finally {
    await db.destroy();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const queuePrefix = `bench-${crypto.randomBytes(5).toString('hex')}`;
  onCleanup(`redis keys ${queuePrefix}`, () => dropQueueKeys(opts.redisUrl, queuePrefix));
  const env: Record<string, string> = {
    DATABASE_URL: url,
    DATABASE_POOL_MAX: String(opts.poolMax),
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: queuePrefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: origin,
    LOG_LEVEL: 'silent',
    SCIM_RATE_PER_TOKEN: '1000000',
    DATA_DIR: path.join(runDir, `${key}-data`),
    NODE_ENV: 'production',
  };
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${key}.cpuprofile`] : [];
  const proc = new ServerProcess(label, [...nodeArgs, path.join(ROOT, 'bin', 'mspbridge.js'), 'serve'], env, ROOT);
  await proc.waitReady(`${origin}/readyz`);
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
