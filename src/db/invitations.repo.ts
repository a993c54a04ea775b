// Invitations of one account: one row per invitation, the link's secret stored only as a hash.
import type { Tx } from './knex';
import { first, insertRow, run, shape } from './prepared';
import { workOf } from './unitOfWork';
import { int, optIso, optText, rowCodec, text, time } from './codec';

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
  remindedAt: string | null;
  acceptedAt: string | null;
}

const INVITATION = rowCodec<Invitation>({
  id: text,
  accountId: text,
  memberId: text,
  tokenHash: optText,
  status: text,
  language: optText,
  sendCount: int,
  createdBy: optText,
  createdAt: time,
  expiresAt: time,
  remindedAt: optIso,
  acceptedAt: optIso,
});

/**
 * A new invitation. `deferred`: nothing reads it back in this unit of work (the invitation of a
 * person inserted in it), so it is written with the work's last statements (on PostgreSQL in the
 * same round trip as its outbox job and audit event).
 */
export async function insertInvitation(
  tx: Tx,
  i: Pick<Invitation, 'id' | 'accountId' | 'memberId' | 'language' | 'createdBy' | 'createdAt' | 'expiresAt'>,
  opts: { deferred?: boolean } = {},
): Promise<void> {
  // send_count is the link generation: 1 for the first email, +1 per resend
  const row = { ...INVITATION.write(i), token_hash: null, status: 'pending', send_count: 1 };
  const work = opts.deferred ? workOf(tx) : undefined;
  if (work) work.deferInsert('invitations', row);
  else await insertRow(tx, 'invitations', row);
}

const BY_ID = shape(`select ${INVITATION.columnList()} from invitations where account_id = ? and id = ?`);
const SET_TOKEN_HASH = shape('update invitations set token_hash = ? where account_id = ? and id = ?');

export async function getInvitation(tx: Tx, accountId: string, id: string): Promise<Invitation | undefined> {
  return INVITATION.maybe(await first(tx, BY_ID, [accountId, id]));
}

export async function pendingInvitationOf(tx: Tx, accountId: string, memberId: string): Promise<Invitation | undefined> {
  return INVITATION.maybe(
    await tx('invitations').where({ account_id: accountId, member_id: memberId, status: 'pending' }).orderBy('created_at', 'desc').first(),
  );
}

export async function revokePendingInvitations(tx: Tx, accountId: string, memberId: string): Promise<number> {
  return tx('invitations').where({ account_id: accountId, member_id: memberId, status: 'pending' }).update({ status: 'revoked' });
}

/** A resend: the next link generation with a new expiry (the reminder may come again). */
export async function bumpGeneration(tx: Tx, accountId: string, id: string, generation: number, expiresAt: string): Promise<void> {
  await tx('invitations').where({ account_id: accountId, id }).update({ send_count: generation, expires_at: expiresAt, reminded_at: null });
}

export async function setInvitationStatus(tx: Tx, accountId: string, id: string, status: Invitation['status']): Promise<void> {
  await tx('invitations').where({ account_id: accountId, id }).update({ status });
}

export async function setInvitationTokenHash(tx: Tx, accountId: string, id: string, tokenHash: string): Promise<void> {
  await run(tx, SET_TOKEN_HASH, [tokenHash, accountId, id]);
}

export async function findInvitationByTokenHash(tx: Tx, tokenHash: string): Promise<Invitation | undefined> {
  return INVITATION.maybe(await tx('invitations').where({ token_hash: tokenHash }).first());
}

/** Only the first acceptance wins (two tabs, a double click). */
export async function markAccepted(tx: Tx, id: string, now: string): Promise<boolean> {
  return (await tx('invitations').where({ id, status: 'pending' }).update({ status: 'accepted', accepted_at: now, token_hash: null })) > 0;
}

export async function expirePendingInvitations(tx: Tx, now: string): Promise<number> {
  return tx('invitations').where({ status: 'pending' }).andWhere('expires_at', '<=', now).update({ status: 'expired', token_hash: null });
}

/**
 * Pending invitations whose current email was delivered by `cutoff` and not reminded yet. When it
 * was delivered is read from the one record of sent emails (email_deliveries, by the email's key).
 */
export async function dueForReminder(tx: Tx, cutoff: string, now: string, limit: number): Promise<Invitation[]> {
  const rows = (await tx('invitations as i')
    .join('email_deliveries as d', 'd.dedupe_key', tx.raw(`'invitation:' || i.id || ':send:' || i.send_count`))
    .where('i.status', 'pending')
    .whereNull('i.reminded_at')
    .andWhere('i.expires_at', '>', now)
    .andWhere('d.status', 'sent')
    .andWhere('d.sent_at', '<=', cutoff)
    .limit(limit)
    .select('i.*')) as Array<Record<string, unknown>>;
  return rows.map(INVITATION.read);
}

/** Marked when the reminder is queued (same transaction), so the next tick does not queue it again. */
export async function markReminded(tx: Tx, id: string, now: string): Promise<boolean> {
  return (await tx('invitations').where({ id, status: 'pending' }).whereNull('reminded_at').update({ reminded_at: now })) > 0;
}
