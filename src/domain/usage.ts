// The usage ledger MSPs bill on: one snapshot per company per UTC day, and per-company sums over
// a date range (seat-days, average and peak seats, days in each status).
import { getManagedCompany } from '../db/accounts.repo';
import { companyBatch, companyNames, currentCompanies, dailyUsage, takeSnapshots, usageSums, type DailyUsage } from '../db/usage.repo';
import { type Ctx, nowIso } from './context';
import { toCsv } from './csv';
import { Invalid, NotFound } from './errors';
import { authorize, authorizeDeployment } from './policy';

/** The UTC day of a time, as YYYY-MM-DD. */
export const utcDay = (d: Date): string => d.toISOString().slice(0, 10);

/** The first day of the UTC month of a time. */
export const monthStart = (d: Date): string => `${utcDay(d).slice(0, 8)}01`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range one question may cover (three years of days). */
export const MAX_RANGE_DAYS = 3 * 366;

function assertDay(name: string, v: string): string {
  if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || utcDay(new Date(`${v}T00:00:00Z`)) !== v) {
    throw new Invalid('usage.day.invalid', `${name} must be a date as YYYY-MM-DD (got "${v}").`);
  }
  return v;
}

/** A valid inclusive range of days; refuses a reversed or too long one. */
export function dayRange(from: string, to: string): { from: string; to: string; days: number } {
  assertDay('from', from);
  assertDay('to', to);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
  if (days < 1) throw new Invalid('usage.range.reversed', `from (${from}) is after to (${to}).`);
  if (days > MAX_RANGE_DAYS) throw new Invalid('usage.range.too_long', `A usage range covers at most ${MAX_RANGE_DAYS} days (got ${days}).`);
  return { from, to, days };
}

/** Companies per snapshot transaction: short write transactions leave room for SCIM writes. */
export const SNAPSHOT_BATCH = 1000;

/**
 * Takes today's snapshot (UTC) of the next batch of companies (every company, or one MSP's) after
 * `afterId`; `next` is where the following batch starts (null when done). Idempotent per day: a
 * second run the same day takes none; companies added later that day are taken by the next run.
 */
export async function snapshotUsageBatch(
  ctx: Ctx,
  q: { mspId?: string; afterId?: string; limit?: number } = {},
): Promise<{ day: string; taken: number; next: string | null }> {
  await authorizeDeployment(ctx, 'usage.snapshot');
  const day = utcDay(ctx.now);
  const limit = q.limit ?? SNAPSHOT_BATCH;
  const ids = await companyBatch(ctx.tx, { mspId: q.mspId, afterId: q.afterId, limit });
  const taken = await takeSnapshots(ctx.tx, day, nowIso(ctx), ids);
  return { day, taken, next: ids.length === limit ? ids[ids.length - 1]! : null };
}

/** Today's snapshot of every company (or one MSP's) in this transaction (the CLI's `usage snapshot`). */
export async function snapshotUsage(ctx: Ctx, mspId?: string): Promise<{ day: string; taken: number }> {
  let total = 0;
  let afterId: string | undefined;
  for (;;) {
    const r = await snapshotUsageBatch(ctx, { mspId, afterId });
    total += r.taken;
    if (!r.next) return { day: r.day, taken: total };
    afterId = r.next;
  }
}

export interface CompanyUsage {
  companyId: string;
  name: string;
  /** The sum over the range of each day's filled seats (what per-seat-day billing multiplies). */
  seatDays: number;
  /** seatDays over the days the company was in the ledger under this MSP (2 decimals). */
  avgSeats: number;
  peakSeats: number;
  /** Days in each status (a company being set up counts under `setup`; its seats count like any other). */
  statusDays: { trial: number; active: number; frozen: number; setup: number };
  /** Days with a snapshot under this MSP in the range. */
  days: number;
}

/**
 * Every company of the MSP exactly once: those it manages now (with zeros if no snapshot falls in
 * the range) and those that left it but were in its ledger within the range. Sorted by name.
 */
export async function usageOfMsp(ctx: Ctx, mspId: string, fromDay: string, toDay: string): Promise<CompanyUsage[]> {
  await authorize(ctx, 'usage.read', mspId);
  const { from, to } = dayRange(fromDay, toDay);
  const sums = new Map((await usageSums(ctx.tx, mspId, from, to)).map((s) => [s.accountId, s]));
  const names = new Map((await currentCompanies(ctx.tx, mspId)).map((c) => [c.id, c.name]));
  const departed = [...sums.keys()].filter((id) => !names.has(id));
  for (const [id, name] of await companyNames(ctx.tx, departed)) names.set(id, name);
  const out: CompanyUsage[] = [];
  for (const [companyId, name] of names) {
    const s = sums.get(companyId);
    out.push({
      companyId,
      name,
      seatDays: s?.seatDays ?? 0,
      avgSeats: s && s.days ? Math.round((s.seatDays / s.days) * 100) / 100 : 0,
      peakSeats: s?.peakSeats ?? 0,
      statusDays: { trial: s?.trialDays ?? 0, active: s?.activeDays ?? 0, frozen: s?.frozenDays ?? 0, setup: s?.setupDays ?? 0 },
      days: s?.days ?? 0,
    });
  }
  const byName = new Intl.Collator('en').compare;
  return out.sort((a, b) => byName(a.name, b.name) || (a.companyId < b.companyId ? -1 : 1));
}

/** One company's daily snapshots under the MSP (for its chart). */
export async function companyUsageSeries(ctx: Ctx, mspId: string, companyId: string, fromDay: string, toDay: string): Promise<DailyUsage[]> {
  await authorize(ctx, 'usage.read', mspId);
  const { from, to } = dayRange(fromDay, toDay);
  const series = await dailyUsage(ctx.tx, mspId, companyId, from, to);
  // A company the MSP neither manages nor billed in the range is not there for it.
  if (!series.length && !(await getManagedCompany(ctx.tx, mspId, companyId))) throw new NotFound('company.not_found', 'No such company.');
  return series;
}

const USAGE_CSV_HEADER = ['companyId', 'name', 'seatDays', 'avgSeats', 'peakSeats', 'trialDays', 'activeDays', 'frozenDays', 'setupDays'];

/** A header line plus one row per company. */
export function usageCsv(rows: CompanyUsage[]): string {
  return toCsv(
    USAGE_CSV_HEADER,
    rows.map((r) => [
      r.companyId,
      r.name,
      r.seatDays,
      r.avgSeats,
      r.peakSeats,
      r.statusDays.trial,
      r.statusDays.active,
      r.statusDays.frozen,
      r.statusDays.setup,
    ]),
  );
}
