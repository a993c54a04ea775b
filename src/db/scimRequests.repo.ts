// The SCIM request log: what each IdP sent and what it got, for troubleshooting (bodies redacted).
import type { Knex } from 'knex';
import { isPg, type Tx } from './knex';
import { json, toJson } from './codec';

export interface ScimRequestEntry {
  accountId: string;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  idp: string | null;
  userAgent: string | null;
  scimType: string | null;
  detail: string | null;
  body: unknown;
  /** The request's X-Request-Id, as in the process log. */
  requestId?: string | null;
  createdAt: string;
}

export async function insertScimRequests(tx: Tx, entries: ScimRequestEntry[]): Promise<void> {
  if (!entries.length) return;
  await tx('scim_requests').insert(
    entries.map((e) => ({
      account_id: e.accountId,
      method: e.method.slice(0, 8), // the column's width; HTTP allows longer methods (MKCALENDAR, UNSUBSCRIBE)
      path: e.path.slice(0, 500),
      status: e.status,
      latency_ms: e.latencyMs,
      idp: e.idp,
      user_agent: e.userAgent?.slice(0, 300) ?? null,
      scim_type: e.scimType,
      detail: e.detail?.slice(0, 2000) ?? null,
      body: e.body === undefined ? null : toJson(e.body),
      request_id: e.requestId ?? null,
      created_at: e.createdAt,
    })),
  );
}

export async function listScimRequests(
  tx: Tx,
  accountId: string,
  q: { limit: number; beforeId?: number; errorsOnly?: boolean },
): Promise<Array<ScimRequestEntry & { id: number }>> {
  const query = tx('scim_requests').where({ account_id: accountId });
  if (q.beforeId) query.andWhere('id', '<', q.beforeId);
  if (q.errorsOnly) query.andWhere('status', '>=', 400);
  const rows = await query.orderBy('id', 'desc').limit(q.limit);
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    accountId: r.account_id as string,
    method: r.method as string,
    path: r.path as string,
    status: Number(r.status),
    latencyMs: Number(r.latency_ms),
    idp: (r.idp as string | null) ?? null,
    userAgent: (r.user_agent as string | null) ?? null,
    scimType: (r.scim_type as string | null) ?? null,
    detail: (r.detail as string | null) ?? null,
    body: json(r.body, null),
    requestId: (r.request_id as string | null) ?? null,
    createdAt: String(r.created_at),
  }));
}

/** Keeps the log bounded: drops entries older than the cutoff. */
/** Counts the rows older than `before` per account and UTC day (scim_request_days), then deletes them. */
export async function pruneScimRequests(tx: Tx, before: string): Promise<number> {
  const day = isPg(tx) ? `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')` : `substr(created_at, 1, 10)`;
  await tx.raw(
    `insert into scim_request_days (account_id, day, requests, errors)
     select account_id, ${day}, count(*), sum(case when status >= 400 then 1 else 0 end)
       from scim_requests where created_at < ?
      group by account_id, ${day}
     on conflict (account_id, day) do update set
       requests = scim_request_days.requests + excluded.requests, errors = scim_request_days.errors + excluded.errors`,
    [before],
  );
  return tx('scim_requests').where('created_at', '<', before).del();
}

/** An account's SCIM requests and errors (status ≥ 400) from `start` (inclusive) to `end`: the log's rows and the counted days. */
export async function scimRequestCounts(tx: Tx, accountId: string, start: string, end: string): Promise<{ requests: number; errors: number }> {
  const [live] = (await tx('scim_requests')
    .where({ account_id: accountId })
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .select(tx.raw('count(*) as n'), tx.raw('sum(case when status >= 400 then 1 else 0 end) as e'))) as Array<{ n: unknown; e: unknown }>;
  const [old] = (await tx('scim_request_days')
    .where({ account_id: accountId })
    .andWhere('day', '>=', start.slice(0, 10))
    .andWhere('day', '<', end.slice(0, 10))
    .select(tx.raw('sum(requests) as n'), tx.raw('sum(errors) as e'))) as Array<{ n: unknown; e: unknown }>;
  return { requests: Number(live?.n ?? 0) + Number(old?.n ?? 0), errors: Number(live?.e ?? 0) + Number(old?.e ?? 0) };
}

export interface ErrorWindow {
  accountId: string;
  total: number;
  errors: number;
  firstErrorAt: string;
  lastErrorAt: string;
}

/** Per account since `since`: requests, failures (status >= 400) and when the failures began and ended. */
export async function errorWindows(tx: Tx, since: string, minRequests: number): Promise<ErrorWindow[]> {
  // SQLite's planner prefers the (account_id, created_at) index for the GROUP BY and scans the
  // whole log; the time index reads only the window (a 300k-row log: 119 ms scanned, 0.35 ms so).
  const from: Knex.QueryBuilder = isPg(tx) ? tx('scim_requests') : tx.from(tx.raw('scim_requests indexed by scim_requests_time'));
  const rows = (await from
    .where('created_at', '>=', since)
    .groupBy('account_id')
    .havingRaw('count(*) >= ?', [minRequests])
    .select(
      'account_id',
      tx.raw('count(*) as total'),
      tx.raw('sum(case when status >= 400 then 1 else 0 end) as errors'),
      tx.raw('min(case when status >= 400 then created_at end) as first_error_at'),
      tx.raw('max(case when status >= 400 then created_at end) as last_error_at'),
    )) as Array<Record<string, unknown>>;
  return rows
    .filter((r) => Number(r.errors) > 0)
    .map((r) => ({
      accountId: r.account_id as string,
      total: Number(r.total),
      errors: Number(r.errors),
      firstErrorAt: new Date(r.first_error_at as string).toISOString(),
      lastErrorAt: new Date(r.last_error_at as string).toISOString(),
    }));
}

/**
 * Notes that the account's IdP is failing now: continues the open episode (one whose last bad
 * look is at or after `continuesAfter`) or starts a new one. Returns the episode's start.
 */
export async function markErrorEpisode(tx: Tx, accountId: string, now: string, continuesAfter: string): Promise<{ startedAt: string; isNew: boolean }> {
  const row = (await tx('scim_error_episodes').where({ account_id: accountId }).first()) as { started_at: string; last_bad_at: string } | undefined;
  if (row && new Date(row.last_bad_at).toISOString() >= continuesAfter) {
    await tx('scim_error_episodes').where({ account_id: accountId }).update({ last_bad_at: now });
    return { startedAt: new Date(row.started_at).toISOString(), isNew: false };
  }
  await tx('scim_error_episodes').insert({ account_id: accountId, started_at: now, last_bad_at: now }).onConflict('account_id').merge();
  return { startedAt: now, isNew: true };
}
