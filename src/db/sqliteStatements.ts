// better-sqlite3's prepared statements, kept per connection: knex's client (knex.ts) and the hot
// repository statements (prepared.ts) share them, so a statement text is prepared once per connection.

export interface SqliteStatement {
  reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { lastInsertRowid: number | bigint; changes: number };
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

const STATEMENT_CACHE_SIZE = 500;
const statementCaches = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();

export function preparedOn(connection: SqliteDatabase, sql: string): SqliteStatement {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  const hit = cache.get(sql);
  if (hit) {
    // Map keeps insertion order: re-inserting marks it most recently used.
    cache.delete(sql);
    cache.set(sql, hit);
    return hit;
  }
  const statement = connection.prepare(sql);
  // Schema changes (migrations) invalidate nothing here: better-sqlite3 re-prepares internally.
  if (!/^\s*(create|alter|drop|pragma|begin|commit|rollback|savepoint|release)\b/i.test(sql)) {
    cache.set(sql, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return statement;
}

export function sqliteBinding(binding: unknown): unknown {
  if (binding instanceof Date) return binding.valueOf();
  if (typeof binding === 'boolean') return Number(binding);
  return binding;
}
