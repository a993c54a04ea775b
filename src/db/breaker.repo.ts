// The deprovisioning breaker's rows: removals SCIM applied (the rolling hour is counted from
// them), one lock-and-trip row per company, and the MSP-wide view of trips for the fleet alert.
import { type Tx, isPg } from './knex';
import { optIso } from './codec';

export interface BreakerRow {
  accountId: string;
  /** When the current trip started (its first hold); null while nothing is held. */
  tripStartedAt: string | null;
}

/**
 * The company's breaker row, locked for the rest of the transaction on PostgreSQL (SQLite
 * serialises every write already): concurrent removals of one company are counted one by one.
 */
export async function lockBreaker(tx: Tx, accountId: string, now: string): Promise<BreakerRow> {
  await tx('breakers').insert({ account_id: accountId, trip_started_at: null, updated_at: now }).onConflict('account_id').ignore();
  const q = tx('breakers').where({ account_id: accountId }).first('account_id', 'trip_started_at');
  if (isPg(tx)) q.forNoKeyUpdate(); // the row's key never changes: excludes other lockers, not key-share
  const row = (await q) as { account_id: string; trip_started_at: unknown };
  return { accountId: row.account_id, tripStartedAt: optIso(row.trip_started_at) };
}

export async function getBreaker(tx: Tx, accountId: string): Promise<BreakerRow | undefined> {
  const row = (await tx('breakers').where({ account_id: accountId }).first('account_id', 'trip_started_at')) as
    { account_id: string; trip_started_at: unknown } | undefined;
  return row ? { accountId: row.account_id, tripStartedAt: optIso(row.trip_started_at) } : undefined;
}

export async function setTripStarted(tx: Tx, accountId: string, at: string | null, now: string): Promise<void> {
  await tx('breakers').where({ account_id: accountId }).update({ trip_started_at: at, updated_at: now });
}

/** Removals applied for the company since the given time (the rolling window). */
export async function countDeprovisionsSince(tx: Tx, accountId: string, since: string): Promise<number> {
  const row = (await tx('deprovisions').where({ account_id: accountId }).andWhere('created_at', '>', since).count({ n: '*' }).first()) as { n: unknown };
  return Number(row.n);
}

export async function insertDeprovision(tx: Tx, d: { id: string; accountId: string; memberId: string; kind: string; createdAt: string }): Promise<void> {
  await tx('deprovisions').insert({ id: d.id, account_id: d.accountId, member_id: d.memberId, kind: d.kind, created_at: d.createdAt });
}

/** Rows older than the window are never counted again. */
export async function pruneDeprovisions(tx: Tx, accountId: string, before: string): Promise<void> {
  await tx('deprovisions').where({ account_id: accountId }).andWhere('created_at', '<=', before).del();
}

/** Companies of an MSP whose breaker tripped (a provisioning.held event) since the given time, first trip first. */
export async function companiesTrippedSince(tx: Tx, mspId: string, since: string): Promise<Array<{ accountId: string; at: string }>> {
  const rows = (await tx('msp_events')
    .where({ msp_id: mspId, type: 'provisioning.held' })
    .andWhere('created_at', '>=', since)
    .whereNotNull('account_id')
    .groupBy('account_id')
    .select('account_id')
    .min({ at: 'created_at' })
    .orderBy('at')) as Array<{ account_id: string; at: unknown }>;
  return rows.map((r) => ({ accountId: r.account_id, at: new Date(String(r.at)).toISOString() }));
}

/** Whether the MSP got a fleet alert since the given time. */
export async function fleetAlertSince(tx: Tx, mspId: string, since: string): Promise<boolean> {
  return Boolean(await tx('msp_events').where({ msp_id: mspId, type: 'provisioning.fleet_alert' }).andWhere('created_at', '>=', since).first('id'));
}
