// "Email me a sign-in link": a known person gets {PUBLIC_URL}/signin/{token}, good once for 15
// minutes, sent by the signin worker through the outbox (one email per link, in their language).
// Nobody learns from the answer whether an address is known: the adapter always says 202.
import { getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { getMemberAnyState, signInCandidates } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import { getSigninLink, insertSigninLink } from '../db/signin.repo';
import { type Ctx, nowIso } from './context';
import { languageFor } from './invitations';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import { deriveToken, hashSecret } from './secrets';

export const EMAIL_LINK_TTL_MS = 15 * 60 * 1000;
export const SIGNIN_QUEUE = 'signin';

export const emailLinkToken = (secret: Buffer, linkId: string) => deriveToken(secret, 'msb_sin', `signin:${linkId}`);

export interface SigninJob {
  accountId: string;
  linkId: string;
}

/** Creates the link and its email job when the address belongs to someone who may sign in. */
export async function requestEmailLink(ctx: Ctx, email: string, secret: Buffer): Promise<void> {
  const [who] = await signInCandidates(ctx.tx, email);
  if (!who) return;
  const id = newId();
  const now = nowIso(ctx);
  await insertSigninLink(ctx.tx, {
    id,
    accountId: who.accountId,
    memberId: who.memberId,
    tokenHash: hashSecret(emailLinkToken(secret, id)),
    createdAt: now,
    expiresAt: new Date(ctx.now.getTime() + EMAIL_LINK_TTL_MS).toISOString(),
  });
  await enqueue(
    ctx.tx,
    who.accountId,
    { queue: SIGNIN_QUEUE, name: 'send', key: `signin:${id}:send`, payload: { accountId: who.accountId, linkId: id } satisfies SigninJob },
    now,
  );
}

export interface SigninMailData {
  name: string;
  accountName: string;
  token: string;
  expiresAt: Date;
}

/** The link's one email; a link used or expired before the worker ran is not mailed. */
export async function planSigninMail(ctx: Ctx, job: SigninJob, secret: Buffer): Promise<PlannedMail<SigninMailData>[]> {
  const link = await getSigninLink(ctx.tx, job.accountId, job.linkId);
  if (!link || link.usedAt || link.expiresAt <= nowIso(ctx)) return [];
  const member = await getMemberAnyState(ctx.tx, job.accountId, link.memberId);
  const account = await getAccount(ctx.tx, job.accountId);
  if (!member || !account || !member.email || (member.state !== 'active' && member.state !== 'invited')) return [];
  const name = member.displayName ?? ([member.givenName, member.familyName].filter(Boolean).join(' ') || member.email);
  return [
    {
      key: mailKeys.signin(link.id),
      accountId: account.id,
      kind: 'signin',
      to: member.email,
      language: languageFor(member, account),
      data: { name, accountName: account.name, token: emailLinkToken(secret, link.id), expiresAt: new Date(link.expiresAt) },
    },
  ];
}
