// Linking an existing account to an MSP (and transfers): same data region, one MSP at a time,
// approved by an Owner of the account; unlinking starts a 14-day trial, then the account freezes.
import { type Account, freezeTrial, getAccount, trialsEnding, updateAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import type { Tx } from '../db/knex';
import { type LinkRequest, dueLinks, getLinkById, getLinkForMsp, insertLink, openLinkFor, updateLink } from '../db/links.repo';
import { countActiveOwners } from '../db/groups.repo';
import { getMemberAnyState } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import type { Language } from '../i18n';
import { recordAudit } from './audit';
import { requireMsp } from './companies';
import { authorizeCompany } from './policy';
import { type Ctx, nowIso } from './context';
import { countingOwners } from './effectiveRoles';
import { Conflict, Invalid, NotFound } from './errors';
import { languageFor } from './invitations';
import { raiseMspEvent } from './mspEvents';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import type { RegionDirectory } from './regions';
import { signParts, verifyParts } from './secrets';

export const LINK_TTL_MS = 7 * 24 * 3600 * 1000;
export const TRIAL_MS = 14 * 24 * 3600 * 1000;
export const REGION_QUEUE = 'region-validation';
export const LIFECYCLE_QUEUE = 'lifecycle';

export type RejectReason =
  'not_found' | 'not_a_company' | 'region_mismatch' | 'linked_elsewhere' | 'already_linked' | 'no_owner' | 'owner_rejected' | 'other_deployment';

export interface LinkView {
  requestId: string;
  status: LinkRequest['status'];
  reason: string | null;
  kind: LinkRequest['kind'];
  accountId: string;
  mspId: string;
  expiresAt: string;
}

export const linkView = (l: LinkRequest): LinkView => ({
  requestId: l.id,
  status: l.status,
  reason: l.reason,
  kind: l.kind,
  accountId: l.accountId,
  mspId: l.mspId,
  expiresAt: l.expiresAt,
});

/** `company link`: asks to link an existing account; region checks and approval run in the workers. */
export async function requestLink(ctx: Ctx, input: { mspId: string; accountId: string }): Promise<LinkView> {
  const msp = await requireMsp(ctx, input.mspId, 'link.request');
  const accountId = input.accountId.trim();
  if (!accountId || accountId.length > 64) throw new Invalid('link.account.invalid', 'Give the id of the account to link.');
  if (accountId === msp.id) throw new Invalid('link.self', 'An MSP cannot link itself.');
  const open = await openLinkFor(ctx.tx, msp.id, accountId);
  if (open) return linkView(open);
  const local = await getAccount(ctx.tx, accountId);
  // A company the MSP already manages is there only for those whose scope reaches it.
  if (local?.mspId === msp.id) await authorizeCompany(ctx, 'company.read', msp.id, local.id);
  // What this deployment already knows is refused at once; the worker checks everything again
  // (and asks other regions about accounts it does not hold).
  if (local && local.region !== msp.region) {
    throw new Conflict(
      'link.region_mismatch',
      `That account lives in the ${local.region} data region; only accounts in ${msp.region} can be linked to this MSP.`,
    );
  }
  const now = nowIso(ctx);
  const request: LinkRequest = {
    id: newId(),
    accountId,
    mspId: msp.id,
    kind: local?.status === 'trial' || local?.status === 'frozen' ? 'transfer' : 'link',
    status: 'pending',
    reason: null,
    prevStatus: null,
    approverMemberId: null,
    requestedBy: ctx.actor.label,
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(ctx.now.getTime() + LINK_TTL_MS).toISOString(),
    decidedAt: null,
  };
  await insertLink(ctx.tx, request);
  await enqueue(ctx.tx, msp.id, { queue: REGION_QUEUE, name: 'validate', key: `link:${request.id}:validate`, payload: { requestId: request.id } }, now);
  await recordAudit(ctx, {
    accountId: msp.id,
    mspId: msp.id,
    action: 'company.link_requested',
    target: { type: 'account', id: accountId },
    data: { requestId: request.id },
  });
  // The account is named by the id the MSP gave: nothing about it is shown before its Owner approves.
  await raiseMspEvent(ctx, msp.id, {
    type: 'company.link_requested',
    account: null,
    data: { requestId: request.id, accountId, kind: request.kind, expiresAt: request.expiresAt },
    dedupeKey: `company.link_requested:${request.id}`,
  });
  return linkView(request);
}

export async function showLink(ctx: Ctx, input: { requestId: string; mspId?: string }): Promise<LinkView> {
  const link = input.mspId ? await getLinkForMsp(ctx.tx, input.mspId, input.requestId) : await getLinkById(ctx.tx, input.requestId);
  if (!link) throw new NotFound('link.not_found', 'No such link request.');
  await requireMsp(ctx, link.mspId, 'link.read');
  return linkView(link);
}

async function reject(ctx: Ctx, link: LinkRequest, reason: RejectReason, from: LinkRequest['status'][]): Promise<void> {
  if (!(await updateLink(ctx.tx, link.id, from, { status: 'rejected', reason, decided: true }, nowIso(ctx)))) return;
  await recordAudit(ctx, {
    accountId: link.mspId,
    mspId: link.mspId,
    action: 'company.link_rejected',
    target: { type: 'account', id: link.accountId },
    data: { requestId: link.id, reason },
  });
}

/**
 * The region-validation step: same data region, a company, not linked elsewhere, with an Owner
 * of its own to approve. Passing it marks the account pending_link and queues the approval emails.
 */
export async function validateLink(ctx: Ctx, requestId: string, directory: RegionDirectory): Promise<LinkView | undefined> {
  const link = await getLinkById(ctx.tx, requestId);
  if (!link || link.status !== 'pending') return link ? linkView(link) : undefined;
  const msp = await getAccount(ctx.tx, link.mspId);
  if (!msp) return undefined;
  const entry = await directory.lookup(link.accountId);
  let reason: RejectReason | undefined;
  if (!entry) reason = 'not_found';
  else if (entry.region !== msp.region) reason = 'region_mismatch';
  else if (!entry.local) reason = 'other_deployment';
  else if (entry.kind !== 'company') reason = 'not_a_company';
  else if (entry.mspId === msp.id) reason = 'already_linked';
  else if (entry.mspId) reason = 'linked_elsewhere';
  let account: Account | undefined;
  if (!reason) {
    account = (await getAccount(ctx.tx, link.accountId))!;
    if ((await countActiveOwners(ctx.tx, account.id, { acceptedOnly: true })) === 0) reason = 'no_owner';
  }
  if (reason || !account) {
    await reject(ctx, link, reason ?? 'not_found', ['pending']);
    return linkView((await getLinkById(ctx.tx, link.id))!);
  }
  const now = nowIso(ctx);
  if (!(await updateLink(ctx.tx, link.id, ['pending'], { status: 'awaiting_approval', prevStatus: account.status }, now))) return undefined;
  // The account stays exactly as it is until its Owner approves: the MSP gains nothing before
  // (no listing, no reading, no unlinking, no audit roll-up).
  await enqueue(ctx.tx, account.id, { queue: REGION_QUEUE, name: 'notify', key: `link:${link.id}:notify`, payload: { requestId: link.id } }, now);
  await recordAudit(ctx, {
    accountId: account.id,
    mspId: null,
    action: 'company.link_pending',
    target: { type: 'account', id: account.id },
    data: { requestId: link.id },
  });
  return linkView((await getLinkById(ctx.tx, link.id))!);
}

export interface ApprovalMailData {
  name: string;
  accountName: string;
  mspName: string;
  token: string;
  expiresAt: Date;
}

export const approvalToken = (secret: Buffer, requestId: string, memberId: string) => signParts(secret, 'link', [requestId, memberId]);

/** One approval email per accepted Owner of the account, while the request awaits approval. */
export async function planApprovalMails(ctx: Ctx, requestId: string, secret: Buffer): Promise<PlannedMail<ApprovalMailData>[]> {
  const link = await getLinkById(ctx.tx, requestId);
  if (!link || link.status !== 'awaiting_approval') return [];
  const account = await getAccount(ctx.tx, link.accountId);
  const msp = await getAccount(ctx.tx, link.mspId);
  if (!account || !msp) return [];
  const mails: PlannedMail<ApprovalMailData>[] = [];
  for (const ownerId of await countingOwners(ctx.tx, account.id)) {
    const owner = await getMemberAnyState(ctx.tx, account.id, ownerId);
    if (!owner || owner.state !== 'active' || !owner.email) continue;
    mails.push({
      key: mailKeys.linkApproval(link.id, owner.id),
      accountId: account.id,
      kind: 'link.approval',
      to: owner.email,
      language: languageFor(owner, account),
      data: {
        name: owner.displayName ?? owner.email,
        accountName: account.name,
        mspName: msp.name,
        token: approvalToken(secret, link.id, owner.id),
        expiresAt: new Date(link.expiresAt),
      },
    });
  }
  return mails;
}

export interface ApprovalContext {
  link: LinkRequest;
  account: Account;
  msp: Account;
  ownerId: string;
  language: Language;
}

/** The open request an approval link names, if the link is genuine and its Owner still an Owner. */
export async function approvalFor(tx: Tx, token: string, secret: Buffer): Promise<ApprovalContext | undefined> {
  const parts = verifyParts(secret, 'link', token, 2);
  if (!parts) return undefined;
  const [requestId, ownerId] = parts as [string, string];
  const link = await getLinkById(tx, requestId);
  if (!link || link.status !== 'awaiting_approval') return undefined;
  const account = await getAccount(tx, link.accountId);
  const msp = await getAccount(tx, link.mspId);
  const owner = account ? await getMemberAnyState(tx, account.id, ownerId) : undefined;
  if (!account || !msp || !owner || owner.state !== 'active' || !(await countingOwners(tx, account.id)).has(owner.id)) return undefined;
  return { link, account, msp, ownerId, language: languageFor(owner, account) };
}

/** The Owner approves (linked) or rejects (the account returns to how it was). */
export async function decideLink(ctx: Ctx, token: string, approve: boolean, secret: Buffer): Promise<LinkView> {
  const found = await approvalFor(ctx.tx, token, secret);
  if (!found) throw new NotFound('link.invalid', 'This request is not open any more.');
  const { link, account, msp, ownerId } = found;
  const now = nowIso(ctx);
  if (approve) {
    // One MSP at a time: a request approved while another MSP manages the account cannot link it.
    if (account.mspId && account.mspId !== msp.id)
      throw new Conflict('link.linked_elsewhere', 'This account is managed by another MSP: it must be unlinked first.');
    if (!(await updateLink(ctx.tx, link.id, ['awaiting_approval'], { status: 'linked', approverMemberId: ownerId, decided: true }, now))) {
      throw new Conflict('link.decided', 'This request was already decided.');
    }
    await updateAccount(ctx.tx, account.id, { mspId: msp.id, status: 'active', trialEndsAt: null, frozenAt: null }, now);
    await recordAudit(ctx, {
      accountId: account.id,
      mspId: msp.id,
      action: link.kind === 'transfer' ? 'company.transferred' : 'company.linked',
      target: { type: 'account', id: account.id },
      data: { requestId: link.id, approvedBy: ownerId },
    });
    await raiseMspEvent(ctx, msp.id, {
      type: 'company.link_approved',
      account,
      data: { requestId: link.id, companyId: account.id, companyName: account.name, kind: link.kind },
      dedupeKey: `company.link_approved:${link.id}`,
    });
  } else {
    if (
      !(await updateLink(
        ctx.tx,
        link.id,
        ['awaiting_approval'],
        { status: 'rejected', reason: 'owner_rejected', approverMemberId: ownerId, decided: true },
        now,
      ))
    ) {
      throw new Conflict('link.decided', 'This request was already decided.');
    }
    await recordAudit(ctx, {
      accountId: account.id,
      mspId: null,
      action: 'company.link_rejected',
      target: { type: 'account', id: account.id },
      data: { requestId: link.id, reason: 'owner_rejected' },
    });
  }
  return linkView((await getLinkById(ctx.tx, link.id))!);
}

/** Lifecycle: requests nobody decided in time expire. */
export async function expireLinks(ctx: Ctx): Promise<number> {
  const due = await dueLinks(ctx.tx, nowIso(ctx));
  let expired = 0;
  for (const link of due) {
    if (!(await updateLink(ctx.tx, link.id, ['pending', 'awaiting_approval'], { status: 'expired', decided: true }, nowIso(ctx)))) continue;
    expired++;
    await recordAudit(ctx, {
      accountId: link.mspId,
      mspId: link.mspId,
      action: 'company.link_expired',
      target: { type: 'account', id: link.accountId },
      data: { requestId: link.id },
    });
  }
  return expired;
}

/**
 * `company unlink`: refused while the company has no Owner of its own who accepted their
 * invitation; afterwards the company is on a 14-day free trial.
 */
export async function unlinkCompany(ctx: Ctx, input: { mspId: string; companyId: string }): Promise<{ status: 'trial'; trialEndsAt: string }> {
  const msp = await authorizeCompany(ctx, 'company.unlink', input.mspId, input.companyId);
  const company = await getAccount(ctx.tx, input.companyId);
  if (!company || company.kind !== 'company' || company.mspId !== msp.id) throw new NotFound('company.not_found', 'No such company.');
  if ((await countActiveOwners(ctx.tx, company.id, { acceptedOnly: true })) === 0) {
    throw new Conflict(
      'company.unlink.no_owner',
      'The company needs an Owner of its own who has accepted their invitation before it can be unlinked (otherwise nobody could sign in to it).',
    );
  }
  const now = nowIso(ctx);
  const trialEndsAt = new Date(ctx.now.getTime() + TRIAL_MS).toISOString();
  await updateAccount(ctx.tx, company.id, { mspId: null, status: 'trial', trialEndsAt, subscribed: false }, now);
  await enqueue(
    ctx.tx,
    company.id,
    { queue: LIFECYCLE_QUEUE, name: 'trial-notice', key: `trial:${company.id}:${now}`, payload: { accountId: company.id } },
    now,
  );
  await recordAudit(ctx, {
    accountId: company.id,
    mspId: msp.id,
    action: 'company.unlinked',
    target: { type: 'account', id: company.id },
    data: { trialEndsAt },
  });
  await raiseMspEvent(ctx, msp.id, {
    type: 'company.unlinked',
    account: company,
    data: { companyId: company.id, companyName: company.name, trialEndsAt },
    dedupeKey: `company.unlinked:${company.id}:${now}`,
  });
  return { status: 'trial', trialEndsAt };
}

/** Lifecycle: trials that ended without a subscription or a new MSP become frozen (read-only). */
export async function freezeExpiredTrials(ctx: Ctx): Promise<number> {
  const now = nowIso(ctx);
  const due = await trialsEnding(ctx.tx, now);
  for (const { id } of due) {
    if (await freezeTrial(ctx.tx, id, now))
      await recordAudit(ctx, { accountId: id, mspId: null, action: 'account.frozen', target: { type: 'account', id }, data: { reason: 'trial_ended' } });
  }
  return due.length;
}
