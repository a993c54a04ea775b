// One knex per process: SQLite (WAL, busy timeout) by default, PostgreSQL when DATABASE_URL says so.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from './migrations';
import { type PipelinedConnection, beginIfPending } from './pgPipeline';
import { type SqliteDatabase, preparedOn, sqliteBinding } from './sqliteStatements';
import type { UnitOfWork } from './unitOfWork';

export type Db = Knex;
export type Tx = Knex | Knex.Transaction;

// PostgreSQL hands int8 back as strings and timestamptz as Date; the rest of the code
// works with numbers and ISO-8601 strings on both dialects.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());
pg.types.setTypeParser(1114, (v) => new Date(`${v}Z`).toISOString());

interface SqliteConnection {
  pragma(s: string): unknown;
  function(name: string, options: { deterministic: boolean }, fn: (v: unknown) => unknown): unknown;
}

export interface DbOptions {
  url: string;
  poolMax?: number;
}

export function isSqliteUrl(url: string): boolean {
  return url.startsWith('sqlite:');
}

export function sqlitePath(url: string): string {
  const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
  return file === ':memory:' ? file : path.resolve(file);
}

/** Splits a `?schema=` parameter off a PostgreSQL URL (used to give each test run its own schema). */
function pgConnection(url: string): { connectionString: string; schema: string | undefined } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

// knex ships no types for its dialect classes; this is the constructor it exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3') as new (config: Knex.Config) => {
  transaction(...args: unknown[]): { begin(conn: unknown): Promise<unknown>; query(conn: unknown, sql: string): Promise<unknown> };
};

/**
 * better-sqlite3 with write transactions that take SQLite's write lock at BEGIN: a deferred
 * BEGIN that reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when another
 * process committed in between (busy_timeout cannot help); BEGIN IMMEDIATE waits its turn.
 */
class ImmediateSqliteClient extends BetterSqlite3Client {
  override transaction(...args: unknown[]) {
    const trx = super.transaction(...args) as ReturnType<InstanceType<typeof BetterSqlite3Client>['transaction']> & {
      query(conn: unknown, sql: string, status?: number, value?: unknown): Promise<unknown>;
      transactor?: { work?: UnitOfWork };
    };
    trx.begin = (conn: unknown) => beginImmediate(conn as SqliteConnection & { exec(sql: string): unknown }, () => trx.query(conn, 'BEGIN IMMEDIATE;'));
    const query = trx.query.bind(trx);
    trx.query = (conn: unknown, sql: string, status?: number, value?: unknown) => {
      const out = query(conn, sql, status, value);
      // better-sqlite3 ran the COMMIT synchronously inside query(): the unit of work's
      // after-commit actions run now, in the same turn, before any other request's work.
      if (sql === 'COMMIT;' && !(conn as { inTransaction: boolean }).inTransaction) trx.transactor?.work?.committed();
      return out;
    };
    return trx;
  }

  /**
   * knex prepares every statement anew; preparing costs as much as running a point lookup.
   * The SQL text of a builder query is stable (values are bindings), so each connection keeps
   * its prepared statements, least recently used dropped first.
   */
  async _query(connection: SqliteDatabase, obj: { sql: string; bindings?: unknown[]; options?: unknown; response?: unknown; context?: unknown }) {
    if (!obj.sql) throw new Error('The query is empty');
    const statement = preparedOn(connection, obj.sql);
    const bindings = (obj.bindings ?? []).map(sqliteBinding);
    if (statement.reader) {
      obj.response = statement.all(bindings);
      return obj;
    }
    const response = statement.run(bindings);
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PgClient = require('knex/lib/dialects/postgres') as new (config: Knex.Config) => {
  transaction(...args: unknown[]): unknown;
  _query(connection: unknown, obj: unknown): Promise<unknown>;
  _stream(connection: unknown, obj: unknown, stream: unknown, options: unknown): unknown;
};

interface KnexPgTransaction {
  isolationLevel?: string;
  readOnly?: boolean;
  doNotRejectOnRollback?: boolean;
  _completed: boolean;
  _resolver(value?: unknown): void;
  _rejecter(error: unknown): void;
  begin(conn: PipelinedConnection): Promise<unknown>;
  commit(conn: PipelinedConnection, value: unknown): Promise<unknown>;
  rollback(conn: PipelinedConnection, error: unknown): Promise<unknown>;
}

/**
 * PostgreSQL with fewer round trips per transaction (pgPipeline.ts): BEGIN is not sent on its own but with the
 * transaction's first statement, and the unit of work sends COMMIT with its deferred writes, so knex's COMMIT has
 * nothing left to send. A transaction with an isolation level or read-only mode begins as knex does.
 */
class PipelinedPgClient extends PgClient {
  override transaction(...args: unknown[]) {
    const trx = super.transaction(...args) as KnexPgTransaction;
    const { begin, commit, rollback } = trx;
    trx.begin = (conn) => {
      if (trx.isolationLevel || trx.readOnly) return begin.call(trx, conn);
      conn.mbBeginPending = true;
      conn.mbCommitted = false;
      return Promise.resolve();
    };
    trx.commit = (conn, value) => {
      // Nothing was sent (no statement ran), or the COMMIT already went with the last statement.
      if (conn.mbBeginPending || conn.mbCommitted) {
        conn.mbBeginPending = false;
        conn.mbCommitted = false;
        trx._completed = true;
        trx._resolver(value);
        return Promise.resolve();
      }
      return commit.call(trx, conn, value);
    };
    trx.rollback = (conn, error) => {
      conn.mbCommitted = false;
      if (conn.mbBeginPending) {
        // The server never saw this transaction: nothing to roll back (knex's own answer, without the round trip).
        conn.mbBeginPending = false;
        trx._completed = true;
        if (error === undefined && trx.doNotRejectOnRollback) trx._resolver();
        else trx._rejecter(error ?? new Error(`Transaction rejected with non-error: ${String(error)}`));
        return Promise.resolve();
      }
      return rollback.call(trx, conn, error);
    };
    return trx;
  }

  override async _query(connection: PipelinedConnection, obj: unknown) {
    await beginIfPending(connection);
    return super._query(connection, obj);
  }

  override async _stream(connection: PipelinedConnection, obj: unknown, stream: unknown, options: unknown) {
    await beginIfPending(connection);
    return super._stream(connection, obj, stream, options);
  }
}

/** How long a statement may block the process waiting for another process' lock (busy_timeout). */
const BUSY_TIMEOUT_MS = 2000;
/** How long a write transaction waits for SQLite's write lock before the request gets a 503. */
const BEGIN_WAIT_MS = 10_000;

/** The two busy_timeout pragmas every write transaction's BEGIN runs, prepared once per connection (pragma() prepares anew each call). */
const timeoutStatements = new WeakMap<object, { none: { get(): unknown }; usual: { get(): unknown } }>();
function busyTimeouts(conn: object): { none: { get(): unknown }; usual: { get(): unknown } } {
  let t = timeoutStatements.get(conn);
  if (!t) {
    const db = conn as { prepare(sql: string): { get(): unknown } };
    t = { none: db.prepare('pragma busy_timeout = 0'), usual: db.prepare(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`) };
    timeoutStatements.set(conn, t);
  }
  return t;
}

const isBusy = (err: unknown) => /^SQLITE_BUSY/.test(String((err as { code?: string }).code ?? ''));

/**
 * Takes the write lock without blocking the event loop: busy_timeout would make better-sqlite3
 * sleep synchronously (the whole process stalls while another process writes), so each attempt
 * is non-blocking and the waits between attempts are timers. When the lock does not come within
 * BEGIN_WAIT_MS the last attempt goes through knex and its SQLITE_BUSY becomes a retryable 503.
 */
async function beginImmediate(conn: SqliteConnection & { exec(sql: string): unknown }, viaKnex: () => Promise<unknown>): Promise<unknown> {
  const deadline = Date.now() + BEGIN_WAIT_MS;
  const timeouts = busyTimeouts(conn);
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    timeouts.none.get();
    try {
      conn.exec('BEGIN IMMEDIATE');
      return undefined;
    } catch (err) {
      if (!isBusy(err)) throw err;
    } finally {
      timeouts.usual.get();
    }
    // Jittered backoff from ~1 ms up to ~20 ms: short waits keep commit-to-commit gaps small.
    await new Promise((r) => setTimeout(r, Math.min(20, 2 ** Math.min(attempt, 5)) * (0.5 + Math.random())));
  }
  return viaKnex();
}

export function knexConfig(options: DbOptions): Knex.Config {
  if (isSqliteUrl(options.url)) {
    const filename = sqlitePath(options.url);
    if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
    return {
      client: ImmediateSqliteClient as unknown as Knex.Config['client'],
      connection: { filename },
      useNullAsDefault: true,
      // One connection: better-sqlite3 is synchronous, so a single connection serialises
      // writers inside the process and SQLITE_BUSY can only come from other processes: write
      // transactions wait for the lock without blocking (beginImmediate), other statements
      // briefly through busy_timeout.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          try {
            // SQLite's own lower() folds ASCII only; PostgreSQL's folds Unicode. Case-insensitive
            // SCIM comparisons must mean the same on both, so lower() is JavaScript's here.
            conn.function('lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
            conn.pragma('journal_mode = WAL');
            conn.pragma('synchronous = NORMAL');
            conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
            conn.pragma('foreign_keys = ON');
            conn.pragma('cache_size = -32768'); // 32 MB: keeps a 1,000,000-user process under 300 MB RSS
            conn.pragma('temp_store = MEMORY');
            // ANALYZE (run by `pragma optimize`, see keepStatistics) samples this many rows per index: milliseconds, not seconds, at 1,000,000 people.
            conn.pragma('analysis_limit = 1000');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
      migrations: { migrationSource, tableName: 'knex_migrations' },
    };
  }
  const { connectionString, schema } = pgConnection(options.url);
  return {
    client: PipelinedPgClient as unknown as Knex.Config['client'],
    connection: { connectionString },
    searchPath: schema ? [schema] : undefined,
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations', schemaName: schema },
  };
}

export function openDb(options: DbOptions): Db {
  return knexFactory(knexConfig(options));
}

/** How often a SQLite database's planner statistics are refreshed where the data grew (`pragma optimize`). */
const OPTIMIZE_EVERY_MS = 5 * 60_000;

/**
 * SQLite plans without statistics until something runs ANALYZE: a database `mspbridge start`
 * created and filled by a push would otherwise never have any. SQLite's advice for long-lived
 * connections: `pragma optimize` at start and periodically (it analyzes only tables that changed
 * enough). Through the pool, so never inside another unit's transaction. PostgreSQL's autovacuum
 * does this itself. Returns the stop function.
 */
export function keepStatistics(db: Db, onError: (err: Error) => void): () => void {
  if (isPg(db)) return () => undefined;
  const optimize = () => void db.raw('pragma optimize').catch(onError);
  optimize();
  const timer = setInterval(optimize, OPTIMIZE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function isPg(db: Tx): boolean {
  return db.client.dialect === 'postgresql';
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const schema = (db.client.config as Knex.Config).migrations?.schemaName;
  if (schema) await db.raw('create schema if not exists ??', [schema]);
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
  // With a custom migration source, knex lists the source's own items ([name, module] here).
  return pending.map((m) => (Array.isArray(m) ? String(m[0]) : String((m as { file?: string }).file)));
}
