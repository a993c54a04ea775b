// The usage ledger: daily snapshots of companies' seats and status, and the sums billing reads.
import { isPg, type Tx } from './knex';

/** The next companies (or one MSP's) by id after `afterId`, at most `limit`: a snapshot's batch. */
export async function companyBatch(tx: Tx, q: { mspId?: string; afterId?: string; limit: number }): Promise<string[]> {
  const rows = (await tx('accounts')
    .where({ kind: 'company', ...(q.mspId ? { msp_id: q.mspId } : {}) })
    .modify((b) => {
      if (q.afterId) b.andWhere('id', '>', q.afterId);
    })
    .orderBy('id')
    .limit(q.limit)
    .select('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/**
 * Takes the day's snapshot of these companies where none was taken that day yet, and adds those
 * days to their months: a second run the same day changes nothing. Returns how many were taken.
 */
export async function takeSnapshots(tx: Tx, day: string, now: string, accountIds: string[]): Promise<number> {
  if (!accountIds.length) return 0;
  const r = (await tx.raw(
    `insert into usage_snapshots (account_id, day, msp_id, seats_filled, seats_total, status, taken_at)
     select a.id, ?, a.msp_id, a.seats_filled, a.seats_total, a.status, ?
       from accounts a
      where a.id in (${accountIds.map(() => '?').join(', ')})
        and not exists (select 1 from usage_snapshots s where s.account_id = a.id and s.day = ?)
     on conflict (account_id, day) do nothing`,
    [day, now, ...accountIds, day],
  )) as { rowCount?: number; changes?: number };
  // pg answers a result with rowCount, better-sqlite3 the statement's run info with changes.
  const taken = Number(r.rowCount ?? r.changes ?? 0);
  if (taken) await addToMonths(tx, `day = ? and taken_at = ?`, [day, now]);
  return taken;
}

const flag = (status: string) => `case when status = '${status}' then 1 else 0 end`;

/** Adds the snapshot rows matching `where` (rows not counted yet) to their companies' months. */
async function addToMonths(tx: Tx, where: string, bindings: string[]): Promise<void> {
  const max = isPg(tx) ? 'greatest' : 'max';
  const add = (c: string) => `${c} = usage_months.${c} + excluded.${c}`;
  await tx.raw(
    `insert into usage_months (account_id, msp_id, month, days, seat_days, peak_seats, setup_days, trial_days, active_days, frozen_days)
     select account_id, msp_id, substr(day, 1, 7), count(*), sum(seats_filled), max(seats_filled),
            sum(${flag('setup')}), sum(${flag('trial')}), sum(${flag('active')}), sum(${flag('frozen')})
       from usage_snapshots
      where msp_id is not null and ${where}
      group by account_id, msp_id, substr(day, 1, 7)
     on conflict (account_id, msp_id, month) do update set
       ${['days', 'seat_days', 'setup_days', 'trial_days', 'active_days', 'frozen_days'].map(add).join(', ')},
       peak_seats = ${max}(usage_months.peak_seats, excluded.peak_seats)`,
    bindings,
  );
}

/** Recomputes every month from the daily rows (after loading snapshots in bulk). */
export async function rebuildMonths(tx: Tx): Promise<void> {
  await tx('usage_months').del();
  await addToMonths(tx, '1 = 1', []);
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

/** The whole months inside [from, to] (YYYY-MM), and the days outside them. */
export function splitRange(from: string, to: string): { months: [string, string] | null; days: Array<[string, string]> } {
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const prev = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  // The first month starting on or after `from`, and the last month ending on or before `to`.
  const firstStart = from.endsWith('-01') ? from : `${nextMonth(from.slice(0, 7))}-01`;
  const lastEnd = next(to).endsWith('-01') ? to : prev(`${to.slice(0, 7)}-01`);
  if (firstStart > lastEnd) return { months: null, days: [[from, to]] };
  const days: Array<[string, string]> = [];
  if (from < firstStart) days.push([from, prev(firstStart)]);
  if (lastEnd < to) days.push([next(lastEnd), to]);
  return { months: [firstStart.slice(0, 7), lastEnd.slice(0, 7)], days };
}

function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/** Per company, the sums of the MSP's snapshots from `from` to `to` (days, inclusive). */
export async function usageSums(tx: Tx, mspId: string, from: string, to: string): Promise<UsageSums[]> {
  const { months, days } = splitRange(from, to);
  const parts: string[] = [];
  const bindings: string[] = [];
  if (months) {
    parts.push(`select account_id, days, seat_days, peak_seats, setup_days, trial_days, active_days, frozen_days
                  from usage_months where msp_id = ? and month >= ? and month <= ?`);
    bindings.push(mspId, months[0], months[1]);
  }
  if (days.length) {
    parts.push(`select account_id, 1 as days, seats_filled as seat_days, seats_filled as peak_seats, ${flag('setup')} as setup_days,
                       ${flag('trial')} as trial_days, ${flag('active')} as active_days, ${flag('frozen')} as frozen_days
                  from usage_snapshots where msp_id = ? and (${days.map(() => '(day >= ? and day <= ?)').join(' or ')})`);
    bindings.push(mspId, ...days.flat());
  }
  const r = (await tx.raw(
    `select account_id, sum(days) as days, sum(seat_days) as seat_days, max(peak_seats) as peak_seats, sum(setup_days) as setup_days,
            sum(trial_days) as trial_days, sum(active_days) as active_days, sum(frozen_days) as frozen_days
       from (${parts.join(' union all ')}) x
      group by account_id`,
    bindings,
  )) as { rows?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>;
  const rows = Array.isArray(r) ? r : (r.rows ?? []);
  return rows.map((x) => ({
    accountId: String(x.account_id),
    days: Number(x.days),
    seatDays: Number(x.seat_days),
    peakSeats: Number(x.peak_seats),
    setupDays: Number(x.setup_days),
    trialDays: Number(x.trial_days),
    activeDays: Number(x.active_days),
    frozenDays: Number(x.frozen_days),
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
