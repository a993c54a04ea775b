// What a monthly report reads about one account in a time range [start, end): people who joined,
// removals asked by the IdP and how they were applied, invitations, recoveries, held changes.
import type { Tx } from './knex';
import { optIso } from './codec';

export interface Joined {
  memberId: string;
  email: string | null;
  userName: string | null;
  provisionedBy: string;
  at: string;
}

export async function joinedMembers(tx: Tx, accountId: string, start: string, end: string): Promise<Joined[]> {
  const rows = (await tx('members')
    .where({ account_id: accountId })
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .orderBy('created_at')
    .select('id', 'email', 'user_name', 'provisioned_by', 'created_at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    memberId: String(r.id),
    email: (r.email as string | null) ?? null,
    userName: (r.user_name as string | null) ?? null,
    provisionedBy: String(r.provisioned_by),
    at: String(r.created_at),
  }));
}

/** Audit events of some actions in the range (optionally only by one kind of actor), oldest first. */
export async function auditTargets(
  tx: Tx,
  accountId: string,
  actions: readonly string[],
  start: string,
  end: string,
  actorKind?: string,
): Promise<Array<{ action: string; memberId: string; at: string }>> {
  const rows = (await tx('audit_events')
    .where({ account_id: accountId })
    .whereIn('action', actions)
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .modify((q) => {
      if (actorKind) q.andWhere('actor_kind', actorKind);
    })
    .orderBy('id')
    .select('action', 'target_id', 'created_at')) as Array<{ action: string; target_id: string | null; created_at: unknown }>;
  return rows.map((r) => ({ action: r.action, memberId: r.target_id ?? '', at: String(r.created_at) }));
}

export async function countAudit(tx: Tx, accountId: string, action: string, start: string, end: string): Promise<number> {
  const [{ n }] = (await tx('audit_events')
    .where({ account_id: accountId, action })
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .count({ n: '*' })) as Array<{ n: unknown }>;
  return Number(n);
}

export interface HeldRow {
  memberId: string;
  kind: string;
  reason: string;
  at: string;
  resolvedAt: string | null;
  resolution: string | null;
}

const held = (r: Record<string, unknown>): HeldRow => ({
  memberId: String(r.member_id),
  kind: String(r.kind),
  reason: String(r.reason),
  at: String(r.created_at),
  resolvedAt: optIso(r.resolved_at),
  resolution: (r.resolution as string | null) ?? null,
});

/** Held changes made in the range (any kind, any reason). */
export async function heldChangesMade(tx: Tx, accountId: string, start: string, end: string): Promise<HeldRow[]> {
  const rows = (await tx('held_changes')
    .where({ account_id: accountId })
    .andWhere('created_at', '>=', start)
    .andWhere('created_at', '<', end)
    .orderBy('created_at')) as Array<Record<string, unknown>>;
  return rows.map(held);
}

/** Held suspensions and removals applied (released) in the range. */
export async function heldRemovalsApplied(tx: Tx, accountId: string, start: string, end: string): Promise<HeldRow[]> {
  const rows = (await tx('held_changes')
    .where({ account_id: accountId, resolution: 'applied' })
    .whereIn('kind', ['suspend', 'remove'])
    .andWhere('resolved_at', '>=', start)
    .andWhere('resolved_at', '<', end)
    .orderBy('resolved_at')) as Array<Record<string, unknown>>;
  return rows.map(held);
}

export async function invitationEmailsSent(tx: Tx, accountId: string, start: string, end: string): Promise<{ sent: number; reminders: number }> {
  const rows = (await tx('email_deliveries')
    .where({ account_id: accountId, status: 'sent' })
    .whereIn('kind', ['invitation.send', 'invitation.remind'])
    .andWhere('sent_at', '>=', start)
    .andWhere('sent_at', '<', end)
    .groupBy('kind')
    .select('kind', tx.raw('count(*) as n'))) as Array<{ kind: string; n: unknown }>;
  const n = (k: string) => Number(rows.find((r) => r.kind === k)?.n ?? 0);
  return { sent: n('invitation.send'), reminders: n('invitation.remind') };
}

export async function invitationsAccepted(tx: Tx, accountId: string, start: string, end: string): Promise<number> {
  const [{ n }] = (await tx('invitations')
    .where({ account_id: accountId })
    .andWhere('accepted_at', '>=', start)
    .andWhere('accepted_at', '<', end)
    .count({ n: '*' })) as Array<{ n: unknown }>;
  return Number(n);
}
