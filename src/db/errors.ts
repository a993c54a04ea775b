// What a database driver's error means for the caller, in one place for every adapter: a
// transient condition to retry (lock contention, pool exhaustion, failover, a restart), a
// unique-key race, or nothing we know.
export type DbFailure = 'transient' | 'unique' | undefined;

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown (PostgreSQL restarting)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

const UNIQUE_CODES = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

export function classifyDbError(err: unknown): DbFailure {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (UNIQUE_CODES.has(code)) return 'unique';
  if (TRANSIENT_CODES.has(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'transient';
  // A pool with no free connection in time, or a connection the server closed under us.
  if (e?.name === 'KnexTimeoutError') return 'transient';
  if (
    typeof e?.message === 'string' &&
    /Connection terminated|terminating connection|the database system is (starting up|shutting down)|connection error and is not queryable/i.test(e.message)
  )
    return 'transient';
  return undefined;
}
