// Invitations: created with the person (same transaction, job through the outbox), sent once
// per generation by the invitations worker, accepted through a one-time link.
import { type Account, getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import {
  type Invitation,
  bumpGeneration,
  dueForReminder,
  expirePendingInvitations,
  findInvitationByTokenHash,
  getInvitation,
  insertInvitation,
  markAccepted,
  markReminded,
  pendingInvitationOf,
  setInvitationStatus,
  setInvitationTokenHash,
} from '../db/invitations.repo';
import { type Member, getMemberAnyState, setMemberState, setPasswordHash } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import type { Tx } from '../db/knex';
import { type Language, pickLanguage } from '../i18n';
import { auditOn, recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { releaseHeldChanges } from './effectiveRoles';
import { Conflict, Invalid, NotFound } from './errors';
import { addManualMember } from './members';
import { authorize } from './policy';
import { resolveGroup } from './groups';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import { deriveToken, hashPassword, hashSecret } from './secrets';
import { auditMspOf } from './tenancy';

export const INVITATION_TTL_MS = 5 * 24 * 3600 * 1000;
export const REMIND_AFTER_MS = 2 * 24 * 3600 * 1000;
export const INVITATIONS_QUEUE = 'invitations';
export const MIN_PASSWORD = 10;

/** The language an email to this person is written in: theirs from the IdP, else the account's, else English. */
export function languageFor(member: Pick<Member, 'preferredLanguage' | 'locale'>, account: Pick<Account, 'defaultLanguage'>): Language {
  return pickLanguage([member.preferredLanguage, member.locale], account.defaultLanguage === 'de' ? 'de' : 'en');
}

async function enqueueSend(ctx: Ctx, accountId: string, invitationId: string, generation: number, kind: 'send' | 'remind'): Promise<void> {
  await enqueue(
    ctx.tx,
    accountId,
    {
      queue: INVITATIONS_QUEUE,
      name: kind,
      key: mailKeys.invitation(invitationId, kind, generation),
      payload: { accountId, invitationId, generation, kind },
    },
    nowIso(ctx),
  );
}

/** Creates an invitation and its send job, unless one is already pending for the person. */
export async function inviteMember(ctx: Ctx, account: Account, member: Member, opts: { newMember?: boolean } = {}): Promise<Invitation | undefined> {
  // Someone inserted in this very transaction cannot have an invitation yet.
  if (!opts.newMember && (await pendingInvitationOf(ctx.tx, account.id, member.id))) return undefined;
  const id = newId();
  const now = nowIso(ctx);
  const invitation = {
    id,
    accountId: account.id,
    memberId: member.id,
    language: languageFor(member, account),
    createdBy: ctx.actor.label,
    createdAt: now,
    expiresAt: new Date(ctx.now.getTime() + INVITATION_TTL_MS).toISOString(),
  };
  // Nothing reads a new person's invitation back before the commit: it goes with the work's last statements.
  await insertInvitation(ctx.tx, invitation, { deferred: opts.newMember });
  await enqueueSend(ctx, account.id, id, 1, 'send');
  return { ...invitation, tokenHash: null, status: 'pending', sendCount: 1, remindedAt: null, acceptedAt: null };
}

/** `members invite`: a person added by hand (optionally into a group) and invited. */
export async function inviteByEmail(
  ctx: Ctx,
  input: { accountId: string; email: string; group?: string },
): Promise<{ member: Member; invitation: Invitation }> {
  const account = await authorize(ctx, 'members.invite', input.accountId);
  // Inviting into a group gives its role: Owners only by Owners, the rest by administrators.
  if (input.group) await authorize(ctx, (await resolveGroup(ctx, account.id, input.group)).kind === 'owners' ? 'owners.change' : 'roles.change', account);
  const member = await addManualMember(ctx, { accountId: input.accountId, email: input.email, group: input.group });
  const invitation = (await inviteMember(ctx, account, member))!;
  return { member, invitation };
}

/** Sends the invitation again with a new link (the old one stops working) and a new expiry. */
export async function resendInvitation(ctx: Ctx, accountId: string, memberId: string): Promise<Invitation> {
  const account = await authorize(ctx, 'members.invite', accountId);
  const member = await getMemberAnyState(ctx.tx, accountId, memberId);
  if (!member || member.state === 'removed') throw new NotFound('member.not_found', 'No such member.');
  if (member.state !== 'invited') throw new Conflict('invitation.not_needed', `${member.email ?? member.userName} is ${member.state}, not invited.`);
  const pending = await pendingInvitationOf(ctx.tx, accountId, memberId);
  const expiresAt = new Date(ctx.now.getTime() + INVITATION_TTL_MS).toISOString();
  let invitation: Invitation;
  if (pending && pending.expiresAt > nowIso(ctx)) {
    const generation = pending.sendCount + 1;
    await bumpGeneration(ctx.tx, accountId, pending.id, generation, expiresAt);
    await enqueueSend(ctx, accountId, pending.id, generation, 'send');
    invitation = (await getInvitation(ctx.tx, accountId, pending.id))!;
  } else {
    if (pending) await setInvitationStatus(ctx.tx, accountId, pending.id, 'expired');
    invitation = (await inviteMember(ctx, account, member))!;
  }
  await recordAudit(ctx, { accountId, mspId: auditMspOf(account), action: 'invitation.resent', target: { type: 'member', id: memberId } });
  return invitation;
}

export interface InvitationJob {
  accountId: string;
  invitationId: string;
  generation: number;
  kind: 'send' | 'remind';
}

/** What an invitation email says (besides its link, which the worker builds from the token). */
export interface InvitationMailData {
  name: string;
  accountName: string;
  /** The person who invited, or null when no person did (the IdP, the operator). */
  inviter: string | null;
  token: string;
  expiresAt: Date;
  reminder: boolean;
}

export const invitationToken = (secret: Buffer, invitationId: string, generation: number) =>
  deriveToken(secret, 'msb_inv', `invite:${invitationId}:${generation}`);

/**
 * The email of one invitation generation: only a pending, unexpired invitation still at that
 * generation is mailed; the link's hash is stored now, the link itself only in the email.
 */
export async function planInvitationMail(ctx: Ctx, job: InvitationJob, secret: Buffer): Promise<PlannedMail<InvitationMailData>[]> {
  const inv = await getInvitation(ctx.tx, job.accountId, job.invitationId);
  if (!inv || inv.status !== 'pending' || inv.expiresAt <= nowIso(ctx) || inv.sendCount !== job.generation) return [];
  const member = await getMemberAnyState(ctx.tx, job.accountId, inv.memberId);
  const account = await getAccount(ctx.tx, job.accountId);
  if (!member || !account || member.state !== 'invited') return [];
  const to = member.email ?? (member.userName.includes('@') ? member.userName : undefined);
  if (!to) return [];
  const token = invitationToken(secret, inv.id, job.generation);
  await setInvitationTokenHash(ctx.tx, account.id, inv.id, hashSecret(token));
  const name = member.displayName ?? ([member.givenName, member.familyName].filter(Boolean).join(' ') || to);
  const inviter = inv.createdBy && inv.createdBy.includes('@') ? inv.createdBy : null;
  return [
    {
      key: mailKeys.invitation(inv.id, job.kind, job.generation),
      accountId: account.id,
      kind: `invitation.${job.kind}`,
      to,
      language: languageFor(member, account),
      data: { name, accountName: account.name, inviter, token, expiresAt: new Date(inv.expiresAt), reminder: job.kind === 'remind' },
    },
  ];
}

/** What the accept page shows for a link, or undefined when the link is not (or no longer) valid. */
export async function invitationForToken(tx: Tx, token: string, now: Date): Promise<{ invitation: Invitation; member: Member; account: Account } | undefined> {
  const invitation = await findInvitationByTokenHash(tx, hashSecret(token));
  if (!invitation) return undefined;
  if (invitation.status !== 'pending' || invitation.expiresAt <= now.toISOString()) return undefined;
  const member = await getMemberAnyState(tx, invitation.accountId, invitation.memberId);
  const account = await getAccount(tx, invitation.accountId);
  if (!member || !account || member.state !== 'invited') return undefined;
  return { invitation, member, account };
}

/** The invited person sets up sign-in: their membership becomes active (SCIM people included). */
export async function acceptInvitation(
  ctx: Ctx,
  token: string,
  password: string,
): Promise<{ accountId: string; memberId: string; accountName: string; language: Language }> {
  const found = await invitationForToken(ctx.tx, token, ctx.now);
  if (!found) throw new NotFound('invitation.invalid', 'This invitation link is not valid any more.');
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD || password.length > 1024) {
    throw new Invalid('password.too_short', `The password needs at least ${MIN_PASSWORD} characters.`, { min: MIN_PASSWORD });
  }
  const { invitation, member, account } = found;
  const now = nowIso(ctx);
  if (!(await markAccepted(ctx.tx, invitation.id, now))) throw new NotFound('invitation.invalid', 'This invitation link is not valid any more.');
  await setPasswordHash(ctx.tx, account.id, member.id, await hashPassword(password), now);
  await setMemberState(ctx.tx, member, 'active', now);
  await auditOn(ctx, account, 'invitation.accepted', { type: 'member', id: member.id }, { provisionedBy: member.provisionedBy });
  await releaseHeldChanges(ctx, account);
  return { accountId: account.id, memberId: member.id, accountName: account.name, language: languageFor(member, account) };
}

/** Lifecycle: pending invitations past their expiry become expired. */
export async function expireInvitations(ctx: Ctx): Promise<number> {
  return expirePendingInvitations(ctx.tx, nowIso(ctx));
}

/** Lifecycle: one reminder for invitations sent more than two days ago and still pending. */
export async function queueReminders(ctx: Ctx, limit = 500): Promise<number> {
  const cutoff = new Date(ctx.now.getTime() - REMIND_AFTER_MS).toISOString();
  const due = await dueForReminder(ctx.tx, cutoff, nowIso(ctx), limit);
  for (const inv of due) {
    if (await markReminded(ctx.tx, inv.id, nowIso(ctx))) await enqueueSend(ctx, inv.accountId, inv.id, inv.sendCount, 'remind');
  }
  return due.length;
}
