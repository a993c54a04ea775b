// Link (and transfer) requests, scoped by the requesting MSP and by the account to be linked.
import type { Tx } from './knex';
import { optIso, optText, rowCodec, text, time } from './codec';

export type LinkStatus = 'pending' | 'awaiting_approval' | 'linked' | 'rejected' | 'expired';

export interface LinkRequest {
  id: string;
  accountId: string;
  mspId: string;
  kind: 'link' | 'transfer';
  status: LinkStatus;
  reason: string | null;
  prevStatus: string | null;
  approverMemberId: string | null;
  requestedBy: string | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  decidedAt: string | null;
}

const LINK = rowCodec<LinkRequest>({
  id: text,
  accountId: text,
  mspId: text,
  kind: text,
  status: text,
  reason: optText,
  prevStatus: optText,
  approverMemberId: optText,
  requestedBy: optText,
  createdAt: time,
  updatedAt: time,
  expiresAt: time,
  decidedAt: optIso,
});

export async function insertLink(tx: Tx, l: LinkRequest): Promise<void> {
  await tx('link_requests').insert(LINK.write(l));
}

export async function getLinkForMsp(tx: Tx, mspId: string, id: string): Promise<LinkRequest | undefined> {
  return LINK.maybe(await tx('link_requests').where({ msp_id: mspId, id }).first());
}

/** For the workers and the approval page, which act on a request id they were handed. */
export async function getLinkById(tx: Tx, id: string): Promise<LinkRequest | undefined> {
  return LINK.maybe(await tx('link_requests').where({ id }).first());
}

export async function openLinkFor(tx: Tx, mspId: string, accountId: string): Promise<LinkRequest | undefined> {
  return LINK.maybe(await tx('link_requests').where({ msp_id: mspId, account_id: accountId }).whereIn('status', ['pending', 'awaiting_approval']).first());
}

export async function updateLink(
  tx: Tx,
  id: string,
  from: LinkStatus[],
  patch: { status: LinkStatus; reason?: string | null; prevStatus?: string | null; approverMemberId?: string | null; decided?: boolean },
  now: string,
): Promise<boolean> {
  const row: Record<string, unknown> = { status: patch.status, updated_at: now };
  if (patch.reason !== undefined) row.reason = patch.reason;
  if (patch.prevStatus !== undefined) row.prev_status = patch.prevStatus;
  if (patch.approverMemberId !== undefined) row.approver_member_id = patch.approverMemberId;
  if (patch.decided) row.decided_at = now;
  return (await tx('link_requests').where({ id }).whereIn('status', from).update(row)) > 0;
}

export async function dueLinks(tx: Tx, now: string, limit = 500): Promise<LinkRequest[]> {
  return (await tx('link_requests').whereIn('status', ['pending', 'awaiting_approval']).andWhere('expires_at', '<=', now).limit(limit)).map(LINK.read);
}

/** The open request of an MSP for an account, if any (pending or awaiting approval). */
export async function openLinkOfMspFor(tx: Tx, mspId: string, accountId: string): Promise<string | null> {
  const row = (await tx('link_requests').where({ account_id: accountId, msp_id: mspId }).whereIn('status', ['pending', 'awaiting_approval']).first('id')) as
    { id: string } | undefined;
  return row?.id ?? null;
}
