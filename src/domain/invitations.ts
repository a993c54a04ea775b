// Invitations: created with the person (same transaction), sent by the invitations worker via the outbox.
import { newId } from '../db/codec';
import { insertInvitation, pendingInvitationOf, type Invitation } from '../db/invitations.repo';
import type { Member } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import type { Account } from '../db/accounts.repo';
import { type Ctx, nowIso } from './context';

export const INVITATION_TTL_MS = 5 * 24 * 3600 * 1000;
export const INVITATIONS_QUEUE = 'invitations';

/** The language an email to this person is written in: theirs from the IdP, else the account's, else English. */
export function languageFor(member: Pick<Member, 'preferredLanguage' | 'locale'>, account: Pick<Account, 'defaultLanguage'>): string {
  for (const tag of [member.preferredLanguage, member.locale]) {
    const lang = tag?.trim().slice(0, 2).toLowerCase();
    if (lang === 'de' || lang === 'en') return lang;
  }
  return account.defaultLanguage === 'de' ? 'de' : 'en';
}

/** Creates an invitation and its send job, unless one is already pending for the person. */
export async function inviteMember(ctx: Ctx, account: Account, member: Member): Promise<Invitation | undefined> {
  if (await pendingInvitationOf(ctx.tx, account.id, member.id)) return undefined;
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
  await insertInvitation(ctx.tx, invitation);
  await enqueue(ctx.tx, account.id, { queue: INVITATIONS_QUEUE, name: 'send', key: `invitation:${id}:send:1`, payload: { accountId: account.id, invitationId: id, attempt: 1 } }, now);
  return {
    ...invitation,
    tokenHash: null,
    status: 'pending',
    sendCount: 0,
    sentAt: null,
    remindedAt: null,
    acceptedAt: null,
  };
}
