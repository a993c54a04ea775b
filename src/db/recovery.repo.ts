// Recovery requests of one account (one open request per member, enforced by a partial index).
import type { Tx } from './knex';
import { optIso } from './codec';

export type RecoveryStatus = 'pending' | 'credentials_set' | 'completed' | 'expired' | 'cancelled';

export interface RecoveryRequest {
  id: string;
  accountId: string;
  memberId: string;
  actorKind: string;
  actorId: string | null;
  status: RecoveryStatus;
  createdAt: string;
  expiresAt: string;
  credentialsSetAt: string | null;
  completedAt: string | null;
  completedBy: string | null;
}

export const toRecovery = (r: Record<string, unknown>): RecoveryRequest => ({
  id: r.id as string,
  accountId: r.account_id as string,
  memberId: r.member_id as string,
  actorKind: r.actor_kind as string,
  actorId: (r.actor_id as string | null) ?? null,
  status: r.status as RecoveryStatus,
  createdAt: String(r.created_at),
  expiresAt: String(r.expires_at),
  credentialsSetAt: optIso(r.credentials_set_at),
  completedAt: optIso(r.completed_at),
  completedBy: (r.completed_by as string | null) ?? null,
});

export async function insertRecovery(tx: Tx, r: RecoveryRequest): Promise<void> {
  await tx('recovery_requests').insert({
    id: r.id,
    account_id: r.accountId,
    member_id: r.memberId,
    actor_kind: r.actorKind,
    actor_id: r.actorId,
    status: r.status,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  });
}

export async function getRecovery(tx: Tx, accountId: string, id: string): Promise<RecoveryRequest | undefined> {
  const r = await tx('recovery_requests').where({ account_id: accountId, id }).first();
  return r ? toRecovery(r) : undefined;
}

export async function openRecoveryOf(tx: Tx, accountId: string, memberId: string): Promise<RecoveryRequest | undefined> {
  const r = await tx('recovery_requests').where({ account_id: accountId, member_id: memberId }).whereIn('status', ['pending', 'credentials_set']).first();
  return r ? toRecovery(r) : undefined;
}

export async function listRecoveries(tx: Tx, accountId: string): Promise<RecoveryRequest[]> {
  return (await tx('recovery_requests').where({ account_id: accountId }).orderBy('created_at', 'desc').limit(200)).map(toRecovery);
}

export async function setRecoveryTokenHash(tx: Tx, accountId: string, id: string, tokenHash: string): Promise<void> {
  await tx('recovery_requests').where({ account_id: accountId, id }).update({ token_hash: tokenHash });
}

export async function findRecoveryByTokenHash(tx: Tx, tokenHash: string): Promise<RecoveryRequest | undefined> {
  const row = await tx('recovery_requests').where({ token_hash: tokenHash }).first();
  return row ? toRecovery(row) : undefined;
}

/** The member chose new credentials (kept aside until an administrator completes); false if the request moved on. */
export async function markCredentialsSet(tx: Tx, id: string, passwordHash: string, now: string): Promise<boolean> {
  return (
    (await tx('recovery_requests')
      .where({ id, status: 'pending' })
      .update({ status: 'credentials_set', credentials_set_at: now, pending_password_hash: passwordHash, token_hash: null })) > 0
  );
}

export async function pendingPasswordHash(tx: Tx, id: string): Promise<string | null> {
  const row = (await tx('recovery_requests').where({ id }).first('pending_password_hash')) as { pending_password_hash: string | null } | undefined;
  return row?.pending_password_hash ?? null;
}

export async function markRecoveryCompleted(tx: Tx, id: string, completedBy: string, now: string): Promise<void> {
  await tx('recovery_requests')
    .where({ id, status: 'credentials_set' })
    .update({ status: 'completed', completed_at: now, completed_by: completedBy, pending_password_hash: null });
}

export async function expireRecoveryRows(tx: Tx, now: string): Promise<number> {
  return tx('recovery_requests')
    .whereIn('status', ['pending', 'credentials_set'])
    .andWhere('expires_at', '<=', now)
    .update({ status: 'expired', token_hash: null, pending_password_hash: null });
}
