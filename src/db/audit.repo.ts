// Append-only audit events, per account and rolled up per MSP.
import type { Tx } from './knex';
import { insertRow } from './prepared';
import { workOf } from './unitOfWork';
import { int, jsonColumn, optText, rowCodec, text, time } from './codec';

export interface AuditEvent {
  id: number;
  accountId: string;
  mspId: string | null;
  actorKind: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

const EVENT = rowCodec<AuditEvent>({
  id: int,
  accountId: text,
  mspId: optText,
  actorKind: text,
  actorId: optText,
  actorLabel: optText,
  action: text,
  targetType: optText,
  targetId: optText,
  data: jsonColumn<Record<string, unknown>>({}),
  createdAt: time,
});

export async function insertAuditEvent(tx: Tx, e: NewAuditEvent): Promise<void> {
  // Inside a unit of work the event is written with its last statements (one round trip on PostgreSQL).
  const work = workOf(tx);
  if (work) work.deferInsert('audit_events', EVENT.write(e));
  else await insertRow(tx, 'audit_events', EVENT.write(e));
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  since?: string;
  until?: string;
  limit: number;
  beforeId?: number;
}

/** Events of one account, or (rollUp) of an MSP and every company it managed at the time. */
export async function listAuditEvents(tx: Tx, accountId: string, q: AuditQuery, rollUp = false): Promise<AuditEvent[]> {
  const query = tx('audit_events');
  if (rollUp) query.where((w) => w.where('account_id', accountId).orWhere('msp_id', accountId));
  else query.where('account_id', accountId);
  if (q.action) query.andWhere('action', q.action);
  if (q.actorId) query.andWhere('actor_id', q.actorId);
  if (q.since) query.andWhere('created_at', '>=', q.since);
  if (q.until) query.andWhere('created_at', '<', q.until);
  if (q.beforeId) query.andWhere('id', '<', q.beforeId);
  return (await query.orderBy('id', 'desc').limit(q.limit)).map(EVENT.read);
}
