// POST /Users without HTTP: the real write (inWriteTx + provisionUser) in a loop, the statements and round trips
// it sends counted, and the same work as bare hand-written statements (the measured ceiling of the database part).
// npx tsx bench/post-ceiling.ts --db sqlite|postgres [--users 100000] [--posts 3000] [--concurrency 1] [--accounts 1]
import crypto from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { getAccount } from '../src/db/accounts.repo';
import { type Db, isPg, migrateLatest, openDb } from '../src/db/knex';
import { recountSeats } from '../src/db/members.repo';
import { unitOfWork } from '../src/db/unitOfWork';
import { provisionUser } from '../src/domain/provisioning';
import { createLogger } from '../src/logger';
import { inWriteTx, type ScimEnv } from '../src/scim/context';
import { scimAccount, seedMembers } from './app-target';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    users: { type: 'string', default: '100000' },
    posts: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1' },
    /** POSTs spread round-robin over this many accounts (the first holds the seeded users). */
    accounts: { type: 'string', default: '1' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    /** A CPU profile of the measured rounds only (not the seeding), written to this file. */
    profile: { type: 'string' },
  },
});
const kind = values.db!;
const users = Number(values.users);
const posts = Number(values.posts);
const concurrency = Number(values.concurrency);

/** Statements sent to PostgreSQL (each one round trip with node-postgres), counted at the client. */
let pgQueries = 0;
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueries++;
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

function open(): { db: Db; drop: () => Promise<void> } {
  const tag = `pc_${crypto.randomBytes(5).toString('hex')}`;
  if (kind === 'sqlite') {
    const file = path.join(os.tmpdir(), `${tag}.sqlite`);
    return {
      db: openDb({ url: `sqlite:${file}` }),
      drop: async () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const base = values['pg-url']!;
  return {
    db: openDb({ url: `${base}${base.includes('?') ? '&' : '?'}schema=${tag}`, poolMax: Math.max(2, concurrency) }),
    drop: async () => {
      const admin = openDb({ url: base, poolMax: 1 });
      await admin.raw(`drop schema if exists ${tag} cascade`);
      await admin.destroy();
    },
  };
}

const profile = (userName: string) => ({
  userName,
  externalId: null,
  displayName: null,
  givenName: 'New',
  familyName: 'Posted',
  email: userName,
  preferredLanguage: null,
  locale: null,
  attrs: { userName, name: { givenName: 'New', familyName: 'Posted' }, emails: [{ value: userName, type: 'work', primary: true }] },
});

async function timed(label: string, n: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const ru0 = process.resourceUsage();
  const t0 = performance.now();
  const q0 = pgQueries;
  let sqlite = 0;
  const count = () => sqlite++;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const ru = process.resourceUsage();
  void count;
  const perPost = (x: number) => ((x / n) * 1000).toFixed(0);
  console.log(
    `${label}: ${n} in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)} /s, wall ${perPost(ms)} µs, CPU ${perPost((cpu.user + cpu.system) / 1000)} µs per POST` +
      (kind === 'postgres' ? `, ${((pgQueries - q0) / n).toFixed(2)} statements per POST` : '') +
      `; per POST ${((ru.voluntaryContextSwitches - ru0.voluntaryContextSwitches) / n).toFixed(2)} waits (voluntary context switches),` +
      ` ${((ru.involuntaryContextSwitches - ru0.involuntaryContextSwitches) / n).toFixed(2)} preemptions, ${((ru.fsWrite - ru0.fsWrite) / n).toFixed(1)} fs writes`,
  );
}

async function main(): Promise<void> {
  const { db, drop } = open();
  try {
    await migrateLatest(db);
    const { accountId } = await scimAccount(db);
    if (users) await seedMembers(db, accountId, 'user', users, Date.now());
    await unitOfWork(db, (tx) => recountSeats(tx, accountId));
    await db.raw(isPg(db) ? 'vacuum analyze members' : 'analyze');
    const account = (await getAccount(db, accountId))!;
    const cred = (await db('scim_tokens').where({ account_id: accountId }).first()) as { id: string; authority: string };
    const env: ScimEnv = {
      db,
      log: createLogger('silent'),
      now: () => new Date(),
      account,
      actor: { kind: 'scim', accountId, credentialId: cred.id, label: 'scim:bench', authority: cred.authority as 'admin' },
      baseUrl: 'http://bench/scim/v2',
    };
    let statements = 0;
    db.on('query', () => statements++);
    const envs = [env];
    for (let k = 1; k < Number(values.accounts); k++) {
      const other = (await scimAccount(db)).accountId;
      const token = (await db('scim_tokens').where({ account_id: other }).first()) as { id: string };
      envs.push({ ...env, account: (await getAccount(db, other))!, actor: { ...env.actor, accountId: other, credentialId: token.id } as ScimEnv['actor'] });
    }
    const post = (prefix: string) => (i: number) =>
      inWriteTx(envs[i % envs.length]!, (ctx, acct) => provisionUser(ctx, acct, profile(`${prefix}${i}@post.example`), true));
    await timed('warmup', 300, post('warm'));
    const session = values.profile ? new inspector.Session() : undefined;
    const post2 = <T>(method: string) => new Promise<T>((resolve, reject) => session!.post(method, (err, res) => (err ? reject(err) : resolve(res as T))));
    if (session) {
      session.connect();
      await post2('Profiler.enable');
      await post2('Profiler.start');
    }
    for (const round of [1, 2]) {
      statements = 0;
      await timed(`provisionUser round ${round}`, posts, post(`r${round}-`));
      console.log(`  knex 'query' events per POST (BEGIN/COMMIT and prepared statements): ${(statements / posts).toFixed(2)}`);
    }
    if (session) {
      const { profile: cpu } = await post2<{ profile: unknown }>('Profiler.stop');
      fs.writeFileSync(values.profile!, JSON.stringify(cpu));
      session.disconnect();
    }
    if (kind === 'sqlite') {
      // The same statements without the app around them: one POST's SQL (as knex saw it) replayed on the bare driver.
      const seen: Array<{ sql: string; bindings: unknown[] }> = [];
      const watch = (q: { sql: string; bindings?: unknown[] }) => seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
      db.on('query', watch);
      await post('capture')(0);
      db.off('query', watch);
      const file = (db.client.config as { connection: { filename: string } }).connection.filename;
      await db.destroy();
      await bare(file, seen, [accountId, account.mspId ?? '', cred.id]);
      return;
    }
  } finally {
    await db.destroy();
    await drop();
  }
}

/** One POST's statements replayed `posts` times with better-sqlite3 alone: new ids and names each time, BEGIN IMMEDIATE..COMMIT. */
async function bare(file: string, seen: Array<{ sql: string; bindings: unknown[] }>, keep: string[]): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(file);
  for (const p of ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'cache_size = -32768', 'temp_store = MEMORY']) raw.pragma(p);
  raw.function('lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
  const work = seen.filter((q) => !/^(begin|commit)/i.test(q.sql));
  console.log(`bare: ${work.length} statements per POST between BEGIN IMMEDIATE and COMMIT:\n  ${work.map((q) => q.sql.slice(0, 90)).join('\n  ')}`);
  const statements = work.map((q) => ({ stmt: raw.prepare(q.sql), reader: /^\s*(select|with)/i.test(q.sql), bindings: q.bindings }));
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const fresh = (i: number) => {
    const ids = new Map<string, string>();
    return (v: unknown) =>
      typeof v === 'string'
        ? v.replace(UUID, (u) => (keep.includes(u) ? u : (ids.get(u) ?? (ids.set(u, crypto.randomUUID()), ids.get(u)!)))).replace(/capture0/g, `bare${i}`)
        : typeof v === 'boolean'
          ? Number(v)
          : v;
  };
  await timed('bare statements', posts, async (i) => {
    const map = fresh(i);
    raw.exec('BEGIN IMMEDIATE');
    for (const s of statements) {
      const b = s.bindings.map(map);
      if (s.reader) s.stmt.all(...b);
      else s.stmt.run(...b);
    }
    raw.exec('COMMIT');
  });
  raw.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
