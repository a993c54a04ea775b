// Recovery requests of one account (one open request per member, enforced by a partial index).
import type { Tx } from './knex';
import { optIso, optText, rowCodec, text, time } from './codec';

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

const RECOVERY = rowCodec<RecoveryRequest>({
  id: text,
  accountId: text,
  memberId: text,
  actorKind: text,
  actorId: optText,
  status: text,
  createdAt: time,
  expiresAt: time,
  credentialsSetAt: optIso,
  completedAt: optIso,
  completedBy: optText,
});

export async function insertRecovery(tx: Tx, r: RecoveryRequest): Promise<void> {
  await tx('recovery_requests').insert(RECOVERY.write(r));
}

export async function getRecovery(tx: Tx, accountId: string, id: string): Promise<RecoveryRequest | undefined> {
  return RECOVERY.maybe(await tx('recovery_requests').where({ account_id: accountId, id }).first());
}

export async function openRecoveryOf(tx: Tx, accountId: string, memberId: string): Promise<RecoveryRequest | undefined> {
  return RECOVERY.maybe(
    await tx('recovery_requests').where({ account_id: accountId, member_id: memberId }).whereIn('status', ['pending', 'credentials_set']).first(),
  );
}

export async function listRecoveries(tx: Tx, accountId: string): Promise<RecoveryRequest[]> {
  return (await tx('recovery_requests').where({ account_id: accountId }).orderBy('created_at', 'desc').limit(200)).map(RECOVERY.read);
}

export async function setRecoveryTokenHash(tx: Tx, accountId: string, id: string, tokenHash: string): Promise<void> {
  await tx('recovery_requests').where({ account_id: accountId, id }).update({ token_hash: tokenHash });
}

export async function findRecoveryByTokenHash(tx: Tx, tokenHash: string): Promise<RecoveryRequest | undefined> {
  return RECOVERY.maybe(await tx('recovery_requests').where({ token_hash: tokenHash }).first());
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
