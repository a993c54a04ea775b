// Backup and restore with real processes: `mspbridge backup` while a serve process takes a
// steady stream of SCIM POSTs, on SQLite and PostgreSQL; the backup is consistent (integrity
// check, every person with their invitation, job and audit row), restores as the operations
// guide says, and serves the same data. And `mspbridge migrate` up, down, up on both databases.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, openDb, pendingMigrations } from '../../src/db/knex';
import { migrationSource } from '../../src/db/migrations';

/** Every migration's name, in order (one batch when applied to an empty database). */
const allMigrations = async (): Promise<string[]> => (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m));
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { BIN, ROOT, cliJson } from '../helpers/cli';
import { asOp } from '../helpers/ctx';
import { REDIS_URL } from '../helpers/app';
import { PG_URL } from '../helpers/db';
import { scimClientFor, userBody, type ScimClient } from '../helpers/scim';
import { type Proc, record, spawnMode, tally, dropQueueKeys } from './harness';

const LOAD_CONCURRENCY = 6;
const USERS_BEFORE_BACKUP = 200;
/** SCIM request-log history put into the SQLite database first, so the backup has ~40 MB to copy. */
const HISTORY_ROWS = 36_000;
const BACKUP_TIMEOUT_MS = 60_000;
const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

const tag = () => crypto.randomBytes(5).toString('hex');

/** Queue prefixes used by this file's processes, their Redis keys removed after each test. */
const prefixes: string[] = [];

function baseEnv(databaseUrl: string): Record<string, string> {
  const prefix = `faults-${tag()}`;
  prefixes.push(prefix);
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SECRET_KEY: 'faults-secret-key-0123456789-abcdefghij',
    SCIM_RATE_PER_TOKEN: '100000',
    PUBLIC_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: path.join(os.tmpdir(), 'mspbridge-faults-data'),
  };
}

/** Migrates through the CLI, then an MSP, a managed company and a SCIM token for it. */
async function provision(env: Record<string, string>): Promise<{ companyId: string; token: string }> {
  expect(cliJson<{ applied: string[] }>(['migrate'], env).applied).toEqual(await allMigrations());
  const db = openDb({ url: env.DATABASE_URL!, poolMax: 1 });
  try {
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Backup MSP', region: 'eu', ownerEmail: 'o@backup.example' }, ['eu']));
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Backup Co', country: 'DE', seats: 100_000 }));
    const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
    return { companyId: company.id, token };
  } finally {
    await db.destroy();
  }
}

interface Load {
  /** userName → when the 201 arrived. */
  acked: Map<string, number>;
  /** userName → when the POST was sent. */
  sent: Map<string, number>;
  spans: Array<{ start: number; end: number; status: number }>;
  stop(): Promise<void>;
}

/** A steady stream of SCIM POST /Users, `concurrency` at a time, until stopped. */
function startLoad(c: ScimClient, prefix: string, concurrency: number): Load {
  const load: Load = { acked: new Map(), sent: new Map(), spans: [], stop: async () => undefined };
  let stopped = false;
  let n = 0;
  const runners = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      const userName = `${prefix}${n++}@backup.example`;
      const start = Date.now();
      load.sent.set(userName, start);
      const status = await c.req('POST', '/Users', userBody(userName)).then(
        (r) => r.status,
        () => 0,
      );
      const end = Date.now();
      load.spans.push({ start, end, status });
      if (status === 201) load.acked.set(userName, end);
    }
  });
  load.stop = async () => {
    stopped = true;
    await Promise.all(runners);
  };
  return load;
}

/** `mspbridge ...` without blocking the load in this process; killed (status null) after `ms`. */
function cliTimed(
  args: string[],
  env: Record<string, string>,
  ms: number,
): Promise<{ status: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, timedOut });
    });
  });
}

/** Months of SCIM request log: what makes a real database big (rows dated in the past, ~1 KB each). */
async function addHistory(url: string, accountId: string, n: number): Promise<void> {
  const db = openDb({ url, poolMax: 1 });
  try {
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], note: 'x'.repeat(900) });
    await db.transaction(async (tx) => {
      for (let i = 0; i < n; i += 500) {
        const batch = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
          account_id: accountId,
          method: 'PATCH',
          path: `/Users/${crypto.randomUUID()}`,
          status: 200,
          latency_ms: 3,
          idp: 'okta',
          user_agent: 'Okta SCIM Client 1.0.0',
          body,
          created_at: new Date(Date.UTC(2026, 0, 1) + (i + j) * 60_000).toISOString(),
        }));
        await tx('scim_requests').insert(batch);
      }
    });
  } finally {
    await db.destroy();
  }
}

async function waitFor(what: string, cond: () => boolean, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rows<T = Record<string, unknown>>(db: Db, sql: string, bindings: unknown[] = []): Promise<T[]> {
  const r = (await db.raw(sql, bindings as never)) as unknown;
  return (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
}

async function pending(url: string): Promise<string[]> {
  const db = openDb({ url, poolMax: 1 });
  return pendingMigrations(db).finally(() => db.destroy());
}

async function tableNames(db: Db): Promise<string[]> {
  const found =
    db.client.dialect === 'postgresql'
      ? await rows<{ name: string }>(
          db,
          `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
        )
      : await rows<{ name: string }>(db, `select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`);
  return found.map((r) => r.name).sort();
}

interface Snapshot {
  tables: Record<string, number>;
  members: number;
  invitations: number;
  outbox: number;
  audit: number;
  membersWithoutInvitation: number;
  invitationsWithoutJob: number;
  membersWithoutAudit: number;
  userNames: Set<string>;
}

/** Row counts of every table, the company's rows, and what must hold in one transaction. */
async function snapshot(db: Db, companyId: string): Promise<Snapshot> {
  const tables: Record<string, number> = {};
  for (const t of await tableNames(db)) tables[t] = Number((await db(t).count({ n: '*' }))[0]!.n);
  const one = async (sql: string) => Number((await rows<{ n: number | string }>(db, sql, [companyId]))[0]!.n);
  const userNames = new Set((await db('members').where({ account_id: companyId }).pluck('user_name')) as string[]);
  return {
    tables,
    members: await one(`select count(*) as n from members where account_id = ?`),
    invitations: await one(`select count(*) as n from invitations where account_id = ?`),
    outbox: await one(`select count(*) as n from outbox where account_id = ?`),
    audit: await one(`select count(*) as n from audit_events where account_id = ?`),
    membersWithoutInvitation: await one(
      `select count(*) as n from members m where m.account_id = ? and not exists (select 1 from invitations i where i.member_id = m.id)`,
    ),
    invitationsWithoutJob: await one(
      `select count(*) as n from invitations i where i.account_id = ? and not exists (select 1 from outbox o where o.job_key = 'invitation:' || i.id || ':send:1')`,
    ),
    membersWithoutAudit: await one(
      `select count(*) as n from members m where m.account_id = ? and not exists (select 1 from audit_events a where a.target_id = m.id and a.action = 'scim.user.created')`,
    ),
    userNames,
  };
}

const counts = (s: Snapshot) => ({ ...s, userNames: s.userNames.size });

/** The load around the backup: what the backup must contain, what it cannot, and what overlapped it. */
function bounds(load: Load, from: number, to: number) {
  const ackedBefore = [...load.acked].filter(([, at]) => at < from).map(([u]) => u);
  const sentAfter = [...load.sent].filter(([, at]) => at > to).map(([u]) => u);
  const during = load.spans.filter((s) => s.start <= to && s.end >= from);
  return { ackedBefore, sentAfter, during };
}

function checkAgainstLoad(snap: Snapshot, load: Load, from: number, to: number) {
  const b = bounds(load, from, to);
  // Everything acknowledged before the backup started is in it; nothing sent after it ended is.
  expect(b.ackedBefore.filter((u) => !snap.userNames.has(u))).toEqual([]);
  expect(b.sentAfter.filter((u) => snap.userNames.has(u))).toEqual([]);
  // Transactional consistency: each person with their invitation, its send job and the audit row.
  expect({
    membersWithoutInvitation: snap.membersWithoutInvitation,
    invitationsWithoutJob: snap.invitationsWithoutJob,
    membersWithoutAudit: snap.membersWithoutAudit,
  }).toEqual({
    membersWithoutInvitation: 0,
    invitationsWithoutJob: 0,
    membersWithoutAudit: 0,
  });
  expect(snap.invitations).toBe(snap.members);
  return b;
}

/** The SCIM view of a restored database: the same people, and it takes writes. */
async function checkScimView(c: ScimClient, snap: Snapshot, someone: string): Promise<void> {
  const list = await c.req<{ totalResults: number }>('GET', '/Users?count=0');
  expect(list.status).toBe(200);
  expect(list.body.totalResults).toBe(snap.members);
  const found = await c.req<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${someone}"`)}`);
  expect(found.body.totalResults).toBe(1);
  expect((await c.req('POST', '/Users', userBody(someone))).status).toBe(409);
  expect((await c.req('POST', '/Users', userBody(`after-restore-${tag()}@backup.example`))).status).toBe(201);
}

/** Rows per table in a pg_dump archive, read from the archive itself (its COPY blocks). */
function dumpRowCounts(file: string): Record<string, number> {
  const r = spawnSync('pg_restore', ['--data-only', '--file=-', file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`pg_restore --data-only failed: ${r.stderr}`);
  const out: Record<string, number> = {};
  let table: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (table) {
      if (line === '\\.') table = undefined;
      else out[table] = (out[table] ?? 0) + 1;
      continue;
    }
    const m = /^COPY (?:"?[\w]+"?\.)?"?(\w+)"? \(/.exec(line);
    if (m) {
      table = m[1]!;
      out[table] = 0;
    }
  }
  return out;
}

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const kb = (bytes: number) => Math.round(bytes / 1024);

describe('backup and restore under load', () => {
  const procs: Proc[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
    for (const c of cleanups.splice(0).reverse()) await c();
    for (const p of prefixes.splice(0)) await dropQueueKeys(p);
  });

  it('SQLite: `mspbridge backup` during a stream of SCIM POSTs is consistent and restores by copying into place', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mspbridge-backup-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'mspbridge.sqlite');
    const backupFile = path.join(dir, 'backups', 'mspbridge-backup.sqlite');
    const env = baseEnv(`sqlite:${file}`);
    const { companyId, token } = await provision(env);
    await addHistory(env.DATABASE_URL!, companyId, HISTORY_ROWS);
    let serve = await spawnMode('serve', env);
    procs.push(serve);
    const load = startLoad(scimClientFor(serve.url!, token, companyId), 'sq', LOAD_CONCURRENCY);
    await waitFor(`${USERS_BEFORE_BACKUP} users`, () => load.acked.size >= USERS_BEFORE_BACKUP);

    const from = Date.now();
    const r = await cliTimed(['backup', '--to', backupFile, '--json'], env, BACKUP_TIMEOUT_MS);
    const to = Date.now();
    await new Promise((res) => setTimeout(res, 1000));
    await load.stop();
    // Writers commit all the time: a backup that restarts whenever one does never ends.
    expect({ timedOut: r.timedOut, ms: to - from }).toEqual({ timedOut: false, ms: expect.any(Number) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; bytes: number; method: string; ms: number };
    expect(out).toEqual({ file: backupFile, bytes: fs.statSync(backupFile).size, method: 'sqlite online backup', ms: expect.any(Number) });
    // The contract: an existing file is refused, the backup left untouched (checked below).
    const backupHash = crypto.createHash('sha256').update(fs.readFileSync(backupFile)).digest('hex');
    const again = cliTimed(['backup', '--to', backupFile, '--json'], env, 120_000);

    // The backup, inspected through a copy (opening it must not touch the file to be restored).
    const inspect = path.join(dir, 'inspect.sqlite');
    fs.copyFileSync(backupFile, inspect);
    const bdb = openDb({ url: `sqlite:${inspect}` });
    let backup: Snapshot;
    let integrity: string;
    try {
      integrity = (await rows<{ integrity_check: string }>(bdb, 'pragma integrity_check')).map((x) => x.integrity_check).join(',');
      expect(integrity).toBe('ok');
      expect(await rows(bdb, 'pragma foreign_key_check')).toEqual([]);
      backup = await snapshot(bdb, companyId);
    } finally {
      await bdb.destroy();
    }
    const b = checkAgainstLoad(backup, load, from, to);
    const statuses = tally(load.spans.map((s) => s.status));
    expect(statuses).toEqual({ '201': load.spans.length });
    const refused = await again;
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/exists; choose a new file/);
    expect(refused.stdout).toBe('');
    expect(crypto.createHash('sha256').update(fs.readFileSync(backupFile)).digest('hex')).toBe(backupHash);

    // The live database went on past the backup.
    const ldb = openDb({ url: env.DATABASE_URL! });
    const live = await snapshot(ldb, companyId).finally(() => ldb.destroy());
    expect(live.members).toBe(load.acked.size);
    expect(live.members).toBeGreaterThan(backup.members);

    // Restore as documented: stop, remove -wal and -shm, copy the backup to the DATABASE_URL path, start.
    await serve.stop();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(backupFile, file);
    const rdb = openDb({ url: env.DATABASE_URL! });
    let restored: Snapshot;
    try {
      expect((await rows<{ integrity_check: string }>(rdb, 'pragma integrity_check'))[0]!.integrity_check).toBe('ok');
      restored = await snapshot(rdb, companyId);
    } finally {
      await rdb.destroy();
    }
    expect(counts(restored)).toEqual(counts(backup));
    serve = await spawnMode('serve', env);
    procs.push(serve);
    await checkScimView(scimClientFor(serve.url!, token, companyId), restored, b.ackedBefore[0]!);

    const rowsAtBackup = Object.values(backup.tables).reduce((a, n) => a + n, 0);
    record({
      scenario: 'SQLite backup under load, then restore',
      injected: `\`mspbridge backup --to FILE\` run while one serve process took a steady stream of SCIM POST /Users (${LOAD_CONCURRENCY} at a time); then the service stopped, the backup copied over the database file (its -wal/-shm removed) and serve started on it`,
      checked: [
        'the command prints one JSON value {file, bytes, method, ms} and refuses an existing file',
        'pragma integrity_check = ok and no foreign-key violation in the backup',
        'every user acknowledged before the backup started is in it; none sent after it ended',
        'every member in the backup has its invitation, the invitation its send job in the outbox, and its audit row (one transaction)',
        'the restored database has exactly the backup’s row count in every table; SCIM lists the same users, refuses a duplicate (409) and accepts a new one (201)',
      ],
      figures: {
        scimRequestHistoryRows: HISTORY_ROWS,
        usersAtBackup: backup.members,
        invitationsAtBackup: backup.invitations,
        outboxAtBackup: backup.outbox,
        auditAtBackup: backup.audit,
        rowsAtBackupAllTables: rowsAtBackup,
        rowsRestoredAllTables: Object.values(restored.tables).reduce((a, n) => a + n, 0),
        usersRestored: restored.members,
        usersLiveAtEnd: live.members,
        integrityCheck: integrity,
        backupKB: kb(out.bytes),
        backupMs: out.ms,
        commandWallMs: to - from,
        requestsOverlappingBackup: b.during.length,
        requestsDuringLoad: load.spans.length,
        loadErrors: load.spans.filter((s) => s.status !== 201).length,
        orphans: backup.membersWithoutInvitation + backup.invitationsWithoutJob + backup.membersWithoutAudit,
      },
      command: 'npm run build --silent && npx jest -c jest.faults.config.js test/faults/backup.test.ts -t SQLite',
    });
  });

  it('PostgreSQL: `mspbridge backup` (pg_dump) during a stream of SCIM POSTs restores with pg_restore into a new database and over the old one', async () => {
    const schema = `t_${tag()}`;
    const restoreDb = `mspb_restore_${tag()}`;
    const url = `${PG_URL}?schema=${schema}`;
    const admin = openDb({ url: PG_URL, poolMax: 1 });
    cleanups.push(async () => {
      await admin.raw(`drop database if exists ${restoreDb} with (force)`);
      await admin.raw(`drop schema if exists ${schema} cascade`);
      await admin.destroy();
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mspbridge-pgbackup-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const backupFile = path.join(dir, 'mspbridge.dump');
    const env = baseEnv(url);
    const { companyId, token } = await provision(env);
    const serve = await spawnMode('serve', env);
    procs.push(serve);
    const load = startLoad(scimClientFor(serve.url!, token, companyId), 'pg', LOAD_CONCURRENCY);
    await waitFor(`${USERS_BEFORE_BACKUP} users`, () => load.acked.size >= USERS_BEFORE_BACKUP);

    const from = Date.now();
    const r = await cliTimed(['backup', '--to', backupFile, '--json'], env, BACKUP_TIMEOUT_MS);
    const to = Date.now();
    await new Promise((res) => setTimeout(res, 1000));
    await load.stop();
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; bytes: number; method: string; ms: number };
    expect(out).toEqual({ file: backupFile, bytes: fs.statSync(backupFile).size, method: expect.stringMatching(/^pg_dump/), ms: expect.any(Number) });
    expect(tally(load.spans.map((s) => s.status))).toEqual({ '201': load.spans.length });

    // The archive's own row counts, read from its COPY data.
    const inDump = dumpRowCounts(backupFile);
    expect(inDump.members).toBeGreaterThanOrEqual(USERS_BEFORE_BACKUP);

    // Restore into an empty database: pg_restore --no-owner --dbname=...
    await admin.raw(`create database ${restoreDb}`);
    const restoreBase = PG_URL.replace(/\/[^/?]+(\?.*)?$/, `/${restoreDb}`);
    // The documented first step in a new database: the company-search index's operator class (pg_trgm, migration 009).
    expect(run('psql', [restoreBase, '-qc', 'create extension if not exists pg_trgm']).status).toBe(0);
    const pr = run('pg_restore', ['--no-owner', `--dbname=${restoreBase}`, backupFile]);
    expect(pr.stderr).toBe('');
    expect(pr.status).toBe(0);
    const restoredUrl = `${restoreBase}?schema=${schema}`;
    const rdb = openDb({ url: restoredUrl, poolMax: 2 });
    const restored = await snapshot(rdb, companyId).finally(() => rdb.destroy());
    expect(restored.tables).toEqual(inDump);
    const b = checkAgainstLoad(restored, load, from, to);

    const ldb = openDb({ url, poolMax: 2 });
    const live = await snapshot(ldb, companyId).finally(() => ldb.destroy());
    expect(live.members).toBe(load.acked.size);
    expect(live.members).toBeGreaterThan(restored.members);

    // serve on the restored database: same people, and it takes writes (sequences restored too).
    await serve.stop();
    const serveRestored = await spawnMode('serve', { ...env, DATABASE_URL: restoredUrl });
    procs.push(serveRestored);
    await checkScimView(scimClientFor(serveRestored.url!, token, companyId), restored, b.ackedBefore[0]!);
    await serveRestored.stop();

    // Over the existing database: pg_restore --clean --if-exists; the rows written after the backup go.
    const over = run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${PG_URL.replace(/\?.*$/, '')}`, backupFile]);
    expect(over.stderr).toBe('');
    expect(over.status).toBe(0);
    const odb = openDb({ url, poolMax: 2 });
    const overwritten = await snapshot(odb, companyId).finally(() => odb.destroy());
    expect(overwritten.tables).toEqual(inDump);
    expect(counts(overwritten)).toEqual({ ...counts(restored), tables: inDump });

    record({
      scenario: 'PostgreSQL backup under load, then restore',
      injected: `\`mspbridge backup --to FILE\` (pg_dump --format=custom of the deployment's schema) run while one serve process took a steady stream of SCIM POST /Users (${LOAD_CONCURRENCY} at a time); restored with pg_restore --no-owner into a new database, and with pg_restore --clean --if-exists over the original`,
      checked: [
        'the command prints one JSON value {file, bytes, method, ms}',
        'every user acknowledged before the backup started is in it; none sent after it ended',
        'every member has its invitation, its send job and its audit row (pg_dump’s single snapshot)',
        'both restores have exactly the archive’s row count in every table; serve on the new database lists the same users, refuses a duplicate (409) and accepts a new one (201)',
      ],
      figures: {
        usersAtBackup: restored.members,
        invitationsAtBackup: restored.invitations,
        outboxAtBackup: restored.outbox,
        auditAtBackup: restored.audit,
        rowsAtBackupAllTables: Object.values(inDump).reduce((a, n) => a + n, 0),
        rowsRestoredAllTables: Object.values(restored.tables).reduce((a, n) => a + n, 0),
        rowsRestoredOverExisting: Object.values(overwritten.tables).reduce((a, n) => a + n, 0),
        usersLiveAtEnd: live.members,
        backupKB: kb(out.bytes),
        backupMs: out.ms,
        commandWallMs: to - from,
        requestsOverlappingBackup: b.during.length,
        requestsDuringLoad: load.spans.length,
        loadErrors: load.spans.filter((s) => s.status !== 201).length,
        orphans: restored.membersWithoutInvitation + restored.invitationsWithoutJob + restored.membersWithoutAudit,
      },
      command: 'npm run build --silent && npx jest -c jest.faults.config.js test/faults/backup.test.ts -t PostgreSQL',
    });
  });

  it('`mspbridge migrate`, `migrate --down`, `migrate` on SQLite and PostgreSQL', async () => {
    const figures: Record<string, number | string> = {};
    const json = async <T>(args: string[], env: Record<string, string>): Promise<T> => {
      const r = await cliTimed([...args, '--json'], env, 120_000);
      if (r.status !== 0) throw new Error(`mspbridge ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    };
    // The two dialects at once (each step is a fresh `mspbridge` process).
    await Promise.all(
      (['sqlite', 'postgres'] as const).map(async (dialect) => {
        const name = tag();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mspbridge-migrate-'));
        const url = dialect === 'sqlite' ? `sqlite:${path.join(dir, 'm.sqlite')}` : `${PG_URL}?schema=t_${name}`;
        cleanups.push(async () => {
          fs.rmSync(dir, { recursive: true, force: true });
          if (dialect === 'postgres') {
            const admin = openDb({ url: PG_URL, poolMax: 1 });
            await admin.raw(`drop schema if exists t_${name} cascade`).finally(() => admin.destroy());
          }
        });
        const env = baseEnv(url);
        const tables = async () => {
          const db = openDb({ url, poolMax: 1 });
          return tableNames(db).finally(() => db.destroy());
        };
        const t0 = Date.now();
        expect(await json(['migrate'], env)).toEqual({ applied: await allMigrations() });
        const up = await tables();
        expect(up).toEqual(expect.arrayContaining(['accounts', 'members', 'invitations', 'outbox', 'audit_events', ...KNEX_TABLES]));
        // Rows in it: down must drop the tables in an order the foreign keys allow.
        const db = openDb({ url, poolMax: 1 });
        await asOp(db, (ctx) => createMsp(ctx, { name: 'Down MSP', region: 'eu', ownerEmail: 'o@down.example' }, ['eu'])).finally(() => db.destroy());
        const t1 = Date.now();
        expect(await json(['migrate', '--down'], env)).toEqual({ rolledBack: (await allMigrations()).reverse() });
        const downMs = Date.now() - t1;
        const down = await tables();
        expect(down).toEqual(KNEX_TABLES);
        expect(await pending(url)).toEqual(await allMigrations());
        if (dialect === 'sqlite') expect(await json(['migrate', '--down', '--all'], env)).toEqual({ rolledBack: [] });
        expect(await json(['migrate'], env)).toEqual({ applied: await allMigrations() });
        expect(await tables()).toEqual(up);
        expect(await pending(url)).toEqual([]);
        figures[`${dialect} tables after up`] = up.length - KNEX_TABLES.length;
        figures[`${dialect} tables after down`] = down.length - KNEX_TABLES.length;
        figures[`${dialect} down command ms`] = downMs;
        figures[`${dialect} up-down-up seconds`] = Math.round((Date.now() - t0) / 100) / 10;
      }),
    );
    record({
      scenario: 'Migrations up, down, up through the CLI',
      injected:
        '`mspbridge migrate --json`, then `mspbridge migrate --down --json` on a database holding an MSP, then `mspbridge migrate --json` again, on SQLite and on a PostgreSQL schema',
      checked: [
        'up applies every migration (one batch)',
        'down rolls the batch back: every table gone but knex_migrations and knex_migrations_lock, even with rows in them; every migration pending again',
        'a second down (--down --all, SQLite) has nothing to roll back',
        'up again recreates the same tables and leaves nothing pending',
      ],
      figures,
      command: 'npm run build --silent && npx jest -c jest.faults.config.js test/faults/backup.test.ts -t migrate',
    });
  });
});
