// Link (and transfer) requests, scoped by the requesting MSP and by the account to be linked.
import type { Tx } from './knex';
import { optIso } from './codec';

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

export const toLink = (r: Record<string, unknown>): LinkRequest => ({
  id: r.id as string,
  accountId: r.account_id as string,
  mspId: r.msp_id as string,
  kind: r.kind as LinkRequest['kind'],
  status: r.status as LinkStatus,
  reason: (r.reason as string | null) ?? null,
  prevStatus: (r.prev_status as string | null) ?? null,
  approverMemberId: (r.approver_member_id as string | null) ?? null,
  requestedBy: (r.requested_by as string | null) ?? null,
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  expiresAt: String(r.expires_at),
  decidedAt: optIso(r.decided_at),
});

export async function insertLink(tx: Tx, l: LinkRequest): Promise<void> {
  await tx('link_requests').insert({
    id: l.id,
    account_id: l.accountId,
    msp_id: l.mspId,
    kind: l.kind,
    status: l.status,
    reason: l.reason,
    prev_status: l.prevStatus,
    requested_by: l.requestedBy,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
    expires_at: l.expiresAt,
  });
}

export async function getLinkForMsp(tx: Tx, mspId: string, id: string): Promise<LinkRequest | undefined> {
  const r = await tx('link_requests').where({ msp_id: mspId, id }).first();
  return r ? toLink(r) : undefined;
}

/** For the workers and the approval page, which act on a request id they were handed. */
export async function getLinkById(tx: Tx, id: string): Promise<LinkRequest | undefined> {
  const r = await tx('link_requests').where({ id }).first();
  return r ? toLink(r) : undefined;
}

export async function openLinkFor(tx: Tx, mspId: string, accountId: string): Promise<LinkRequest | undefined> {
  const r = await tx('link_requests').where({ msp_id: mspId, account_id: accountId }).whereIn('status', ['pending', 'awaiting_approval']).first();
  return r ? toLink(r) : undefined;
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
  return (await tx('link_requests').whereIn('status', ['pending', 'awaiting_approval']).andWhere('expires_at', '<=', now).limit(limit)).map(toLink);
}

/** The open request of an MSP for an account, if any (pending or awaiting approval). */
export async function openLinkOfMspFor(tx: Tx, mspId: string, accountId: string): Promise<string | null> {
  const row = (await tx('link_requests').where({ account_id: accountId, msp_id: mspId }).whereIn('status', ['pending', 'awaiting_approval']).first('id')) as
    { id: string } | undefined;
  return row?.id ?? null;
}
