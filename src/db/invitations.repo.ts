// Invitations of one account: one row per invitation, the link's secret stored only as a hash.
import type { Tx } from './knex';
import { optIso } from './codec';

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface Invitation {
  id: string;
  accountId: string;
  memberId: string;
  tokenHash: string | null;
  status: InvitationStatus;
  language: string | null;
  sendCount: number;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  sentAt: string | null;
  remindedAt: string | null;
  acceptedAt: string | null;
}

type Row = Record<string, unknown>;

export const toInvitation = (r: Row): Invitation => ({
  id: r.id as string,
  accountId: r.account_id as string,
  memberId: r.member_id as string,
  tokenHash: (r.token_hash as string | null) ?? null,
  status: r.status as InvitationStatus,
  language: (r.language as string | null) ?? null,
  sendCount: Number(r.send_count),
  createdBy: (r.created_by as string | null) ?? null,
  createdAt: String(r.created_at),
  expiresAt: String(r.expires_at),
  sentAt: optIso(r.sent_at),
  remindedAt: optIso(r.reminded_at),
  acceptedAt: optIso(r.accepted_at),
});

export async function insertInvitation(
  tx: Tx,
  i: Pick<Invitation, 'id' | 'accountId' | 'memberId' | 'language' | 'createdBy' | 'createdAt' | 'expiresAt'>,
): Promise<void> {
  await tx('invitations').insert({
    id: i.id,
    account_id: i.accountId,
    member_id: i.memberId,
    token_hash: null,
    status: 'pending',
    language: i.language,
    send_count: 1, // the link generation: 1 for the first email, +1 per resend
    created_by: i.createdBy,
    created_at: i.createdAt,
    expires_at: i.expiresAt,
  });
}

export async function getInvitation(tx: Tx, accountId: string, id: string): Promise<Invitation | undefined> {
  const r = await tx('invitations').where({ account_id: accountId, id }).first();
  return r ? toInvitation(r) : undefined;
}

export async function pendingInvitationOf(tx: Tx, accountId: string, memberId: string): Promise<Invitation | undefined> {
  const r = await tx('invitations')
    .where({ account_id: accountId, member_id: memberId, status: 'pending' })
    .orderBy('created_at', 'desc')
    .first();
  return r ? toInvitation(r) : undefined;
}

export async function revokePendingInvitations(tx: Tx, accountId: string, memberId: string): Promise<number> {
  return tx('invitations').where({ account_id: accountId, member_id: memberId, status: 'pending' }).update({ status: 'revoked' });
}
