// Account recovery: an Owner/Administrator (or a launched technician) starts it, the member
// chooses new credentials from an emailed link, an administrator completes it.
import { type Account, getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { claimDelivery, markDelivered } from '../db/deliveries.repo';
import type { Tx } from '../db/knex';
import { getMemberAnyState, setPasswordHash, type Member } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import { type RecoveryRequest, getRecovery, insertRecovery, openRecoveryOf, toRecovery } from '../db/recovery.repo';
import type { Language } from '../i18n';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Conflict, Forbidden, Invalid, NotFound } from './errors';
import { DELIVERY_LEASE_MS, MIN_PASSWORD, languageFor } from './invitations';
import { ROLE_RANK, type Role, highestRole, rolesOf } from './roles';
import { personOf } from './principal';
import { deriveToken, hashPassword, hashSecret } from './secrets';
import { auditMspOf, requireAccount } from './tenancy';
import type { PreparedMail } from './invitations';

export const RECOVERY_TTL_MS = 3 * 24 * 3600 * 1000;
export const RECOVERY_QUEUE = 'recovery';

/**
 * Who may recover whom: Owners and Administrators of the account, or a technician launched
 * into it (as an Administrator); never themself; never someone of a higher role.
 */
async function assertMayRecover(ctx: Ctx, account: Account, target: Member): Promise<void> {
  const a = ctx.actor;
  const accountId = account.id;
  const plan = account.settings.recoveryPlan ?? {};
  let actorRole: Role;
  if (a.kind === 'operator' || a.kind === 'system') return;
  const person = personOf(a);
  if (a.kind === 'technician' && a.accountId === accountId) {
    if (plan.allowTechnicians === false) throw new Forbidden('recovery.plan', "The company's recovery plan does not let MSP technicians recover accounts.");
    actorRole = 'administrators';
  } else if (person && person.accountId === accountId) {
    if (person.memberId === target.id) throw new Forbidden('recovery.self', 'Nobody can recover their own account.');
    const roles = await rolesOf(ctx.tx, accountId, person.memberId);
    if (!roles.has('owners') && !roles.has('administrators')) {
      throw new Forbidden('role.required', 'Only Owners and Administrators recover accounts.');
    }
    if (!roles.has('owners') && plan.allowAdministrators === false) {
      throw new Forbidden('recovery.plan', "The company's recovery plan lets only Owners recover accounts.");
    }
    actorRole = highestRole(roles);
  } else {
    throw new NotFound('account.not_found', 'No such account.');
  }
  const targetRole = highestRole(await rolesOf(ctx.tx, accountId, target.id));
  if (ROLE_RANK[actorRole] < ROLE_RANK[targetRole]) {
    throw new Forbidden('recovery.role', `An ${actorRole === 'administrators' ? 'Administrator' : actorRole} cannot recover an Owner.`);
  }
}

export async function startRecovery(ctx: Ctx, input: { accountId: string; memberId: string }): Promise<RecoveryRequest> {
  const account = await requireAccount(ctx, input.accountId);
  const target = await getMemberAnyState(ctx.tx, account.id, input.memberId);
  if (!target || target.state === 'removed') throw new NotFound('member.not_found', 'No such member.');
  await assertMayRecover(ctx, account, target);
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
  await enqueue(ctx.tx, account.id, { queue: RECOVERY_QUEUE, name: 'send', key: `recovery:${request.id}:send`, payload: { accountId: account.id, requestId: request.id } }, now);
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'recovery.started', target: { type: 'member', id: target.id }, data: { requestId: request.id } });
  return request;
}

export const recoveryToken = (secret: Buffer, requestId: string) => deriveToken(secret, 'msb_rec', `recovery:${requestId}`);

export async function prepareRecoveryMail(ctx: Ctx, job: { accountId: string; requestId: string }, secret: Buffer, leaseMs = DELIVERY_LEASE_MS): Promise<PreparedMail> {
  const req = await getRecovery(ctx.tx, job.accountId, job.requestId);
  if (!req) return { state: 'skip', reason: 'gone' };
  if (req.status !== 'pending') return { state: 'skip', reason: req.status };
  if (req.expiresAt <= nowIso(ctx)) return { state: 'skip', reason: 'expired' };
  const member = await getMemberAnyState(ctx.tx, job.accountId, req.memberId);
  const account = await getAccount(ctx.tx, job.accountId);
  if (!member || !account || !member.email) return { state: 'skip', reason: 'no recipient' };
  const key = `recovery:${req.id}`;
  const claim = await claimDelivery(ctx.tx, { id: newId(), accountId: account.id, key, kind: 'recovery', recipient: member.email, now: nowIso(ctx), leaseMs });
  if (claim === 'sent') return { state: 'skip', reason: 'already sent' };
  if (claim === 'busy') return { state: 'busy' };
  const token = recoveryToken(secret, req.id);
  await ctx.tx('recovery_requests').where({ account_id: account.id, id: req.id }).update({ token_hash: hashSecret(token) });
  return {
    state: 'send',
    key,
    to: member.email,
    name: member.displayName ?? member.email,
    language: languageFor(member, account),
    accountName: account.name,
    inviter: account.name,
    token,
    expiresAt: new Date(req.expiresAt),
  };
}

export async function markRecoverySent(ctx: Ctx, key: string, messageId: string): Promise<void> {
  await markDelivered(ctx.tx, key, messageId, nowIso(ctx));
}

export async function recoveryForToken(tx: Tx, token: string, now: Date): Promise<{ request: RecoveryRequest; member: Member; accountName: string; language: Language } | undefined> {
  const row = await tx('recovery_requests').where({ token_hash: hashSecret(token) }).first();
  if (!row) return undefined;
  const request = toRecovery(row);
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
  const taken = await ctx.tx('recovery_requests')
    .where({ id: found.request.id, status: 'pending' })
    .update({ status: 'credentials_set', credentials_set_at: now, pending_password_hash: await hashPassword(password), token_hash: null });
  if (!taken) throw new NotFound('recovery.invalid', 'This recovery link is not valid any more.');
  const account = await requireAccount(ctx, found.request.accountId);
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'recovery.credentials_set', target: { type: 'member', id: found.member.id }, data: { requestId: found.request.id } });
  return (await getRecovery(ctx.tx, account.id, found.request.id))!;
}

/** An administrator completes a recovery whose member has chosen new credentials. */
export async function completeRecovery(ctx: Ctx, input: { accountId: string; requestId: string }): Promise<RecoveryRequest> {
  const account = await requireAccount(ctx, input.accountId);
  const req = await getRecovery(ctx.tx, account.id, input.requestId);
  if (!req) throw new NotFound('recovery.not_found', 'No such recovery request.');
  const target = await getMemberAnyState(ctx.tx, account.id, req.memberId);
  if (!target) throw new NotFound('member.not_found', 'No such member.');
  await assertMayRecover(ctx, account, target);
  if (req.status !== 'credentials_set') {
    throw new Conflict('recovery.not_ready', req.status === 'pending' ? 'The member has not chosen new credentials yet.' : `This recovery is ${req.status}.`);
  }
  if (req.expiresAt <= nowIso(ctx)) throw new Conflict('recovery.expired', 'This recovery request has expired.');
  const now = nowIso(ctx);
  const hash = (await ctx.tx('recovery_requests').where({ id: req.id }).first('pending_password_hash')).pending_password_hash as string;
  await setPasswordHash(ctx.tx, account.id, target.id, hash, now);
  await ctx.tx('recovery_requests')
    .where({ id: req.id, status: 'credentials_set' })
    .update({ status: 'completed', completed_at: now, completed_by: 'memberId' in ctx.actor ? ctx.actor.memberId : ctx.actor.label, pending_password_hash: null });
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'recovery.completed', target: { type: 'member', id: target.id }, data: { requestId: req.id } });
  return (await getRecovery(ctx.tx, account.id, req.id))!;
}

/** Lifecycle: open recoveries past their expiry become expired. */
export async function expireRecoveries(ctx: Ctx): Promise<number> {
  return ctx.tx('recovery_requests')
    .whereIn('status', ['pending', 'credentials_set'])
    .andWhere('expires_at', '<=', nowIso(ctx))
    .update({ status: 'expired', token_hash: null, pending_password_hash: null });
}
