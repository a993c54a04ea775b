// Append-only audit events, per account and rolled up per MSP.
import type { Tx } from './knex';
import { json, toJson } from './codec';

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

type Row = Record<string, unknown>;

const toEvent = (r: Row): AuditEvent => ({
  id: Number(r.id),
  accountId: r.account_id as string,
  mspId: (r.msp_id as string | null) ?? null,
  actorKind: r.actor_kind as string,
  actorId: (r.actor_id as string | null) ?? null,
  actorLabel: (r.actor_label as string | null) ?? null,
  action: r.action as string,
  targetType: (r.target_type as string | null) ?? null,
  targetId: (r.target_id as string | null) ?? null,
  data: json<Record<string, unknown>>(r.data, {}),
  createdAt: String(r.created_at),
});

export async function insertAuditEvent(tx: Tx, e: NewAuditEvent): Promise<void> {
  await tx('audit_events').insert({
    account_id: e.accountId,
    msp_id: e.mspId,
    actor_kind: e.actorKind,
    actor_id: e.actorId,
    actor_label: e.actorLabel,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    data: toJson(e.data),
    created_at: e.createdAt,
  });
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
  return (await query.orderBy('id', 'desc').limit(q.limit)).map(toEvent);
}
