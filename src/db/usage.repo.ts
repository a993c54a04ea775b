// The usage ledger: daily snapshots of companies' seats and status, and the sums billing reads.
import type { Tx } from './knex';

/**
 * Takes the day's snapshot of every company (or one MSP's) that has none for that day yet, in one
 * statement: a second run the same day changes nothing. Returns how many were taken.
 */
export async function takeSnapshots(tx: Tx, day: string, now: string, mspId?: string): Promise<number> {
  const scope = mspId ? 'and a.msp_id = ?' : '';
  const r = (await tx.raw(
    `insert into usage_snapshots (account_id, day, msp_id, seats_filled, seats_total, status, taken_at)
     select a.id, ?, a.msp_id, a.seats_filled, a.seats_total, a.status, ?
       from accounts a
      where a.kind = 'company' ${scope}
        and not exists (select 1 from usage_snapshots s where s.account_id = a.id and s.day = ?)
     on conflict (account_id, day) do nothing`,
    mspId ? [day, now, mspId, day] : [day, now, day],
  )) as { rowCount?: number; changes?: number };
  // pg answers a result with rowCount, better-sqlite3 the statement's run info with changes.
  return Number(r.rowCount ?? r.changes ?? 0);
}

export interface UsageSums {
  accountId: string;
  days: number;
  seatDays: number;
  peakSeats: number;
  setupDays: number;
  trialDays: number;
  activeDays: number;
  frozenDays: number;
}

/** Per company, the sums of the MSP's snapshots from `from` to `to` (days, inclusive). */
export async function usageSums(tx: Tx, mspId: string, from: string, to: string): Promise<UsageSums[]> {
  const days = (status: string) => tx.raw(`sum(case when status = '${status}' then 1 else 0 end) as ${status}_days`);
  const rows = (await tx('usage_snapshots')
    .where('msp_id', mspId)
    .andWhere('day', '>=', from)
    .andWhere('day', '<=', to)
    .groupBy('account_id')
    .select(
      'account_id',
      tx.raw('count(*) as days'),
      tx.raw('sum(seats_filled) as seat_days'),
      tx.raw('max(seats_filled) as peak_seats'),
      days('setup'),
      days('trial'),
      days('active'),
      days('frozen'),
    )) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    accountId: String(r.account_id),
    days: Number(r.days),
    seatDays: Number(r.seat_days),
    peakSeats: Number(r.peak_seats),
    setupDays: Number(r.setup_days),
    trialDays: Number(r.trial_days),
    activeDays: Number(r.active_days),
    frozenDays: Number(r.frozen_days),
  }));
}

/** The names of companies that appear in an MSP's ledger (current name; a company that left keeps its row). */
export async function companyNames(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await tx('accounts')
      .whereIn('id', ids.slice(i, i + 500))
      .select('id', 'name')) as Array<{ id: string; name: string }>;
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}

/** The MSP's current companies (id and name), every one of them, whatever their status. */
export async function currentCompanies(tx: Tx, mspId: string): Promise<Array<{ id: string; name: string }>> {
  return (await tx('accounts').where({ msp_id: mspId, kind: 'company' }).select('id', 'name')) as Array<{ id: string; name: string }>;
}

export interface DailyUsage {
  day: string;
  seatsFilled: number;
  seatsTotal: number;
  status: string;
}

/** One company's snapshots under one MSP, oldest first (the console's chart). */
export async function dailyUsage(tx: Tx, mspId: string, accountId: string, from: string, to: string): Promise<DailyUsage[]> {
  const rows = (await tx('usage_snapshots')
    .where({ msp_id: mspId, account_id: accountId })
    .andWhere('day', '>=', from)
    .andWhere('day', '<=', to)
    .orderBy('day')
    .select('day', 'seats_filled', 'seats_total', 'status')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ day: String(r.day), seatsFilled: Number(r.seats_filled), seatsTotal: Number(r.seats_total), status: String(r.status) }));
}
