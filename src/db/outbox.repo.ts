// The transactional outbox: jobs written with the change that causes them, relayed to BullMQ later.
import type { Tx } from './knex';
import { insertRow } from './prepared';
import { workOf } from './unitOfWork';

const ON_CONFLICT = 'on conflict (job_key) do nothing';
import { json, toJson } from './codec';

export interface OutboxJob {
  queue: string;
  name: string;
  /** Idempotency key: one job per entity event; a second enqueue of the same key is a no-op. */
  key: string;
  payload: Record<string, unknown>;
  availableAt?: string;
}

export interface OutboxRow extends Required<OutboxJob> {
  id: number;
  accountId: string;
  createdAt: string;
}

export async function enqueue(tx: Tx, accountId: string, job: OutboxJob, now: string): Promise<void> {
  const row = {
    account_id: accountId,
    queue: job.queue,
    name: job.name,
    job_key: job.key,
    payload: toJson(job.payload),
    available_at: job.availableAt ?? now,
    created_at: now,
  };
  // Inside a unit of work the job is written with its last statements (one round trip on PostgreSQL).
  const work = workOf(tx);
  if (work) work.deferInsert('outbox', row, ON_CONFLICT);
  else await insertRow(tx, 'outbox', row, ON_CONFLICT);
}

/** The oldest rows not yet relayed whose time has come. */
const toOutboxRow = (r: Record<string, unknown>): OutboxRow => ({
  id: Number(r.id),
  accountId: r.account_id as string,
  queue: r.queue as string,
  name: r.name as string,
  key: r.job_key as string,
  payload: json<Record<string, unknown>>(r.payload, {}),
  availableAt: String(r.available_at),
  createdAt: String(r.created_at),
});

export async function nextUnrelayed(tx: Tx, now: string, limit: number): Promise<OutboxRow[]> {
  const rows = await tx('outbox')
    .whereNull('relayed_at')
    .andWhere('available_at', '<=', now)
    .orderBy([{ column: 'available_at' }, { column: 'id' }])
    .limit(limit);
  return rows.map(toOutboxRow);
}

export async function markRelayed(tx: Tx, ids: number[], now: string): Promise<void> {
  if (ids.length) await tx('outbox').whereIn('id', ids).update({ relayed_at: now });
}

export async function countUnrelayed(tx: Tx): Promise<number> {
  const [{ n }] = (await tx('outbox').whereNull('relayed_at').count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}

/** Rows relayed before `before` whose job has not reported done (candidates for re-relay). */
export async function unfinishedSince(tx: Tx, before: string, limit: number): Promise<OutboxRow[]> {
  const rows = await tx('outbox')
    .whereNotNull('relayed_at')
    .whereNull('done_at')
    .andWhere('relayed_at', '<', before)
    .orderBy([{ column: 'relayed_at' }, { column: 'id' }])
    .limit(limit);
  return rows.map(toOutboxRow);
}

export async function markDone(tx: Tx, ids: number[], now: string): Promise<void> {
  if (ids.length) await tx('outbox').whereIn('id', ids).whereNull('done_at').update({ done_at: now });
}

/** Pushes the re-relay check of rows forward (their job is alive in BullMQ). */
export async function touchRelayed(tx: Tx, ids: number[], now: string): Promise<void> {
  if (ids.length) await tx('outbox').whereIn('id', ids).update({ relayed_at: now });
}

export interface TenantJob {
  id: number;
  accountId: string;
  accountName: string;
  queue: string;
  name: string;
  state: 'waiting' | 'relayed' | 'done';
  createdAt: string;
  availableAt: string;
  doneAt: string | null;
}

/**
 * The jobs of an MSP's own tenants (itself and the companies it manages now), newest first:
 * what MSP people see instead of the deployment-wide board. No payloads (they name people).
 */
export async function jobsOfMsp(tx: Tx, mspId: string, opts: { limit: number; beforeId?: number }): Promise<TenantJob[]> {
  const rows = (await tx('outbox as o')
    .join('accounts as a', 'a.id', 'o.account_id')
    .where((q) => q.where('a.id', mspId).orWhere('a.msp_id', mspId))
    .modify((q) => {
      if (opts.beforeId) q.andWhere('o.id', '<', opts.beforeId);
    })
    .orderBy('o.id', 'desc')
    .limit(opts.limit)
    .select('o.id', 'o.account_id', 'a.name', 'o.queue', 'o.name as job', 'o.created_at', 'o.available_at', 'o.relayed_at', 'o.done_at')) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({
    id: Number(r.id),
    accountId: r.account_id as string,
    accountName: r.name as string,
    queue: r.queue as string,
    name: r.job as string,
    state: r.done_at ? 'done' : r.relayed_at ? 'relayed' : 'waiting',
    createdAt: String(r.created_at),
    availableAt: String(r.available_at),
    doneAt: r.done_at ? String(r.done_at) : null,
  }));
}
