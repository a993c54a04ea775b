// Hot queries as prepared statements, compiled once per shape: the SQL text is built once and run on
// the connection knex holds for tx (the unit of work's transaction, or a pooled connection for a
// bare read), so transaction semantics stay knex's. SQLite: better-sqlite3's statement cache
// (preparedOn in knex.ts); PostgreSQL: named prepared statements ({name, text, values}), which the
// pg client parses once per connection. knex keeps the rest (migrations, rare dynamic queries).
import type { Knex } from 'knex';
import { type PipelinedConnection, pipelinedQuery } from './pgPipeline';
import { type SqliteDatabase, preparedOn, sqliteBinding } from './sqliteStatements';

// Not imported from knex.ts: that module's client uses this one's neighbours (no import cycle).
type Tx = Knex | Knex.Transaction;
const isPg = (tx: Tx): boolean => tx.client.dialect === 'postgresql';

type Row = Record<string, unknown>;

interface ConnectionClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<unknown>;
  emit(event: 'query', q: { sql: string; bindings: unknown[] }): boolean;
}

/** A statement of one shape: `?` placeholders, the same text on both databases. */
export interface Shape {
  /** Unique per SQL text (the PostgreSQL statement name). */
  name: string;
  sqlite: string;
  pg: string;
}

/** `?` placeholders as PostgreSQL's $1, $2… (question marks inside string literals stay). */
function numbered(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

const shapes = new Map<string, Shape>();
let named = 0;

/**
 * The shape of sql, made once: call sites with a fixed text pass it directly; built texts (a
 * compiled filter) are cached by their text, so each distinct shape is parsed once per connection.
 */
export function shape(sql: string): Shape {
  let s = shapes.get(sql);
  if (!s) {
    // Bounded: a client inventing filters must not grow this without end (pg names are per connection, reused safely).
    if (shapes.size >= 2000) shapes.clear();
    s = { name: `mb_${(++named).toString(36)}`, sqlite: sql, pg: numbered(sql) };
    shapes.set(sql, s);
  }
  return s;
}

async function onConnection<T>(tx: Tx, sql: string, bindings: unknown[], fn: (conn: unknown) => T | Promise<T>): Promise<T> {
  const client = tx.client as unknown as ConnectionClient;
  const conn = await client.acquireConnection();
  // knex's own 'query' event, so what watches knex (the query-plan test) sees these statements too.
  client.emit('query', { sql, bindings });
  try {
    return await fn(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** The rows a SELECT of this shape returns. */
export function rows(tx: Tx, s: Shape, bindings: unknown[]): Promise<Row[]> {
  if (isPg(tx))
    return onConnection(
      tx,
      s.pg,
      bindings,
      async (conn) => (await pipelinedQuery(conn as PipelinedConnection, { name: s.name, text: s.pg, values: bindings })).rows,
    );
  return onConnection(tx, s.sqlite, bindings, (conn) => preparedOn(conn as SqliteDatabase, s.sqlite).all(bindings.map(sqliteBinding)) as Row[]);
}

/** The first row, or undefined. */
export async function first(tx: Tx, s: Shape, bindings: unknown[]): Promise<Row | undefined> {
  return (await rows(tx, s, bindings))[0];
}

/** Runs a write of this shape; returns the rows it changed. */
export function run(tx: Tx, s: Shape, bindings: unknown[]): Promise<number> {
  if (isPg(tx))
    return onConnection(
      tx,
      s.pg,
      bindings,
      async (conn) => (await pipelinedQuery(conn as PipelinedConnection, { name: s.name, text: s.pg, values: bindings })).rowCount ?? 0,
    );
  return onConnection(tx, s.sqlite, bindings, (conn) => preparedOn(conn as SqliteDatabase, s.sqlite).run(bindings.map(sqliteBinding)).changes);
}

const insertShapes = new Map<string, Shape>();

/**
 * Inserts one row as a prepared statement (one shape per table and set of columns); columns left
 * undefined are left out, so the column's default applies. `suffix` is literal SQL after VALUES
 * (e.g. `on conflict (job_key) do nothing`).
 */
export function insertRow(tx: Tx, table: string, row: Record<string, unknown>, suffix = ''): Promise<number> {
  const columns = Object.keys(row).filter((k) => row[k] !== undefined);
  const key = `${table}\u0000${columns.join(',')}\u0000${suffix}`;
  let s = insertShapes.get(key);
  if (!s) {
    if (insertShapes.size >= 500) insertShapes.clear();
    s = shape(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})${suffix ? ` ${suffix}` : ''}`);
    insertShapes.set(key, s);
  }
  return run(
    tx,
    s,
    columns.map((c) => row[c]),
  );
}

/** A row a unit of work writes with its last statements (nothing reads it back inside the work). */
export interface DeferredRow {
  table: string;
  row: Record<string, unknown>;
  /** Literal SQL after VALUES, e.g. `on conflict (job_key) do nothing`. */
  suffix: string;
}

/** An account row's counters moved by a unit of work. */
export interface AccountCounters {
  id: string;
  seats: number;
  touched: boolean;
}

/** The update of one account's counters; bind(value) answers the value's placeholder. */
function counterUpdate(c: AccountCounters, bind: (v: unknown) => string): string {
  const sets = [...(c.seats !== 0 ? [`seats_filled = seats_filled + ${bind(c.seats)}`] : []), ...(c.touched ? ['members_version = members_version + 1'] : [])];
  return `update accounts set ${sets.join(', ')} where id = ${bind(c.id)}`;
}

/**
 * A unit of work's deferred writes: on PostgreSQL one statement (each insert and update a
 * data-modifying WITH clause, rows of one shape in one VALUES list), so a POST pays one round trip
 * for its invitation, outbox job, audit event and account counters, COMMIT included when `commit`
 * (the transaction's last statement; pgPipeline.ts); on SQLite each as a prepared statement.
 */
export async function writeDeferred(tx: Tx, rows: DeferredRow[], counters: AccountCounters[], commit = false): Promise<void> {
  const work = counters.filter((c) => c.seats !== 0 || c.touched);
  if (!rows.length && !work.length) return;
  if (!isPg(tx)) {
    for (const r of rows) await insertRow(tx, r.table, r.row, r.suffix);
    for (const c of work) {
      const values: unknown[] = [];
      const sql = counterUpdate(c, (v) => (values.push(v), '?'));
      await run(tx, shape(sql), values);
    }
    return;
  }
  const values: unknown[] = [];
  const bind = (v: unknown) => (values.push(v), `$${values.length}`);
  const clauses: string[] = [];
  const groups = new Map<string, { table: string; columns: string[]; suffix: string; rows: Array<Record<string, unknown>> }>();
  for (const r of rows) {
    const columns = Object.keys(r.row).filter((k) => r.row[k] !== undefined);
    const key = `${r.table}\u0000${columns.join(',')}\u0000${r.suffix}`;
    const g = groups.get(key) ?? { table: r.table, columns, suffix: r.suffix, rows: [] };
    g.rows.push(r.row);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const tuples = g.rows.map((row) => `(${g.columns.map((c) => bind(row[c])).join(', ')})`);
    clauses.push(`insert into ${g.table} (${g.columns.join(', ')}) values ${tuples.join(', ')}${g.suffix ? ` ${g.suffix}` : ''}`);
  }
  for (const c of work) clauses.push(counterUpdate(c, bind));
  const text = clauses.length === 1 ? clauses[0]! : `with ${clauses.map((c, i) => `w${i} as (${c})`).join(', ')} select 1`;
  await onConnection(tx, text, values, (conn) => pipelinedQuery(conn as PipelinedConnection, { name: shapeName(text), text, values }, commit));
}

const deferredNames = new Map<string, string>();

/** A name per statement text, so PostgreSQL parses each shape of deferred write once per connection. */
function shapeName(text: string): string {
  let n = deferredNames.get(text);
  if (!n) {
    if (deferredNames.size >= 500) deferredNames.clear();
    n = `mb_${(++named).toString(36)}`;
    deferredNames.set(text, n);
  }
  return n;
}
