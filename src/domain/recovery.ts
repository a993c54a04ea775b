// Account recovery: an Owner/Administrator (or a launched technician) starts it, the member
// chooses new credentials from an emailed link, an administrator completes it.
import { type Account, getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import type { Tx } from '../db/knex';
import { getMemberAnyState, setPasswordHash, type Member } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import {
  type RecoveryRequest,
  expireRecoveryRows,
  findRecoveryByTokenHash,
  getRecovery,
  insertRecovery,
  listRecoveries,
  markCredentialsSet,
  markRecoveryCompleted,
  openRecoveryOf,
  pendingPasswordHash,
  setRecoveryTokenHash,
} from '../db/recovery.repo';
import { revokeAllCredentialsOf } from '../db/sessions.repo';
import type { Language } from '../i18n';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { Conflict, Invalid, NotFound } from './errors';
import { MIN_PASSWORD, languageFor } from './invitations';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import { authorize, targetStates } from './policy';
import { deriveToken, hashPassword, hashSecret } from './secrets';
import { requireAccount } from './tenancy';

export const RECOVERY_TTL_MS = 3 * 24 * 3600 * 1000;
export const RECOVERY_QUEUE = 'recovery';

/**
 * Who may recover whom is the policy's (recovery.* rules): Owners and Administrators, or a
 * technician launched into the company as an Administrator; never themself; never someone of a
 * higher role; within the company's recovery plan. Asked once before the target is looked up (a
 * stranger learns nothing) and once with the target's states.
 */
async function mayRecover(
  ctx: Ctx,
  action: 'recovery.start' | 'recovery.complete',
  accountId: string,
  target: () => Promise<Member | undefined>,
): Promise<{ account: Account; target: Member }> {
  await authorize(ctx, action, accountId);
  const member = await target();
  if (!member || member.state === 'removed') throw new NotFound('member.not_found', 'No such member.');
  const account = await authorize(ctx, action, accountId, await targetStates(ctx, accountId, member.id));
  return { account, target: member };
}

export async function startRecovery(ctx: Ctx, input: { accountId: string; memberId: string }): Promise<RecoveryRequest> {
  const { account, target } = await mayRecover(ctx, 'recovery.start', input.accountId, () => getMemberAnyState(ctx.tx, input.accountId, input.memberId));
  if (target.state !== 'active') {
    throw new Conflict('recovery.not_active', `${target.email ?? target.userName} is ${target.state}: only people who have signed in can be recovered.`);
  }
  if (await openRecoveryOf(ctx.tx, account.id, target.id)) {
    throw new Conflict('recovery.already_open', 'A recovery is already open for this member.');
  }
  const now = nowIso(ctx);
  const request: RecoveryRequest = {
    id: newId(),
    accountId: account.id,
    memberId: target.id,
    actorKind: ctx.actor.kind,
    actorId: 'memberId' in ctx.actor ? ctx.actor.memberId : null,
    status: 'pending',
    createdAt: now,
    expiresAt: new Date(ctx.now.getTime() + RECOVERY_TTL_MS).toISOString(),
    credentialsSetAt: null,
    completedAt: null,
    completedBy: null,
  };
  await insertRecovery(ctx.tx, request);
  await enqueue(
    ctx.tx,
    account.id,
    { queue: RECOVERY_QUEUE, name: 'send', key: `recovery:${request.id}:send`, payload: { accountId: account.id, requestId: request.id } },
    now,
  );
  await auditOn(ctx, account, 'recovery.started', { type: 'member', id: target.id }, { requestId: request.id });
  return request;
}

export const recoveryToken = (secret: Buffer, requestId: string) => deriveToken(secret, 'msb_rec', `recovery:${requestId}`);

export interface RecoveryMailData {
  name: string;
  accountName: string;
  token: string;
  expiresAt: Date;
}

/** The member's recovery email, while the request is open; the link's hash is stored now. */
export async function planRecoveryMail(ctx: Ctx, job: { accountId: string; requestId: string }, secret: Buffer): Promise<PlannedMail<RecoveryMailData>[]> {
  const req = await getRecovery(ctx.tx, job.accountId, job.requestId);
  if (!req || req.status !== 'pending' || req.expiresAt <= nowIso(ctx)) return [];
  const member = await getMemberAnyState(ctx.tx, job.accountId, req.memberId);
  const account = await getAccount(ctx.tx, job.accountId);
  if (!member || !account || !member.email) return [];
  const token = recoveryToken(secret, req.id);
  await setRecoveryTokenHash(ctx.tx, account.id, req.id, hashSecret(token));
  return [
    {
      key: mailKeys.recovery(req.id),
      accountId: account.id,
      kind: 'recovery',
      to: member.email,
      language: languageFor(member, account),
      data: { name: member.displayName ?? member.email, accountName: account.name, token, expiresAt: new Date(req.expiresAt) },
    },
  ];
}

export async function recoveryForToken(
  tx: Tx,
  token: string,
  now: Date,
): Promise<{ request: RecoveryRequest; member: Member; accountName: string; language: Language } | undefined> {
  const request = await findRecoveryByTokenHash(tx, hashSecret(token));
  if (!request) return undefined;
  if (request.status !== 'pending' || request.expiresAt <= now.toISOString()) return undefined;
  const member = await getMemberAnyState(tx, request.accountId, request.memberId);
  const account = await getAccount(tx, request.accountId);
  if (!member || !account) return undefined;
  return { request, member, accountName: account.name, language: languageFor(member, account) };
}

/** The member, from the emailed link, chooses new credentials; they take effect on completion. */
export async function setRecoveryCredentials(ctx: Ctx, token: string, password: string): Promise<RecoveryRequest> {
  const found = await recoveryForToken(ctx.tx, token, ctx.now);
  if (!found) throw new NotFound('recovery.invalid', 'This recovery link is not valid any more.');
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD || password.length > 1024) {
    throw new Invalid('password.too_short', `The password needs at least ${MIN_PASSWORD} characters.`, { min: MIN_PASSWORD });
  }
  const now = nowIso(ctx);
  if (!(await markCredentialsSet(ctx.tx, found.request.id, await hashPassword(password), now)))
    throw new NotFound('recovery.invalid', 'This recovery link is not valid any more.');
  const account = await requireAccount(ctx, found.request.accountId);
  await auditOn(ctx, account, 'recovery.credentials_set', { type: 'member', id: found.member.id }, { requestId: found.request.id });
  return (await getRecovery(ctx.tx, account.id, found.request.id))!;
}

export async function recoveriesOf(ctx: Ctx, accountId: string): Promise<RecoveryRequest[]> {
  await authorize(ctx, 'recovery.list', accountId);
  return listRecoveries(ctx.tx, accountId);
}

/** An administrator completes a recovery whose member has chosen new credentials. */
export async function completeRecovery(ctx: Ctx, input: { accountId: string; requestId: string }): Promise<RecoveryRequest> {
  await authorize(ctx, 'recovery.complete', input.accountId);
  const req = await getRecovery(ctx.tx, input.accountId, input.requestId);
  if (!req) throw new NotFound('recovery.not_found', 'No such recovery request.');
  const { account, target } = await mayRecover(ctx, 'recovery.complete', input.accountId, () => getMemberAnyState(ctx.tx, input.accountId, req.memberId));
  if (req.status !== 'credentials_set') {
    throw new Conflict('recovery.not_ready', req.status === 'pending' ? 'The member has not chosen new credentials yet.' : `This recovery is ${req.status}.`);
  }
  if (req.expiresAt <= nowIso(ctx)) throw new Conflict('recovery.expired', 'This recovery request has expired.');
  const now = nowIso(ctx);
  const hash = await pendingPasswordHash(ctx.tx, req.id);
  if (!hash) throw new Conflict('recovery.not_ready', 'The member has not chosen new credentials yet.');
  await setPasswordHash(ctx.tx, account.id, target.id, hash, now);
  await markRecoveryCompleted(ctx.tx, req.id, 'memberId' in ctx.actor ? ctx.actor.memberId : ctx.actor.label, now);
  // New credentials end every way in that the old ones opened (a thief's session included).
  const revoked = await revokeAllCredentialsOf(ctx.tx, account.id, target.id, now);
  await auditOn(ctx, account, 'recovery.completed', { type: 'member', id: target.id }, { requestId: req.id, revoked });
  return (await getRecovery(ctx.tx, account.id, req.id))!;
}

/** Lifecycle: open recoveries past their expiry become expired. */
export async function expireRecoveries(ctx: Ctx): Promise<number> {
  return expireRecoveryRows(ctx.tx, nowIso(ctx));
}
