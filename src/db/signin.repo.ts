// One-time sign-in links (stored hashed) for people without an OIDC issuer.
import type { Tx } from './knex';
import { optIso, rowCodec, text, time } from './codec';

export interface SigninLink {
  id: string;
  accountId: string;
  memberId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

const LINK = rowCodec<SigninLink>({ id: text, accountId: text, memberId: text, tokenHash: text, createdAt: time, expiresAt: time, usedAt: optIso });

export async function insertSigninLink(tx: Tx, l: Omit<SigninLink, 'usedAt'>): Promise<void> {
  await tx('signin_links').insert(LINK.write(l));
}

export async function findSigninLinkByHash(tx: Tx, tokenHash: string): Promise<SigninLink | undefined> {
  return LINK.maybe(await tx('signin_links').where({ token_hash: tokenHash }).first());
}

/** Marks a link used; false when it was already used (a one-time link works once). */
export async function useSigninLink(tx: Tx, accountId: string, id: string, now: string): Promise<boolean> {
  return (await tx('signin_links').where({ account_id: accountId, id }).whereNull('used_at').update({ used_at: now })) > 0;
}

/** A link's row by id (the sign-in email worker re-reads it before sending). */
export async function getSigninLink(tx: Tx, accountId: string, id: string): Promise<SigninLink | undefined> {
  return LINK.maybe(await tx('signin_links').where({ account_id: accountId, id }).first());
}
