// One-time sign-in links (stored hashed) for people without an OIDC issuer.
import type { Tx } from './knex';
import { optIso } from './codec';

export interface SigninLink {
  id: string;
  accountId: string;
  memberId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export async function insertSigninLink(tx: Tx, l: Omit<SigninLink, 'usedAt'>): Promise<void> {
  await tx('signin_links').insert({
    id: l.id,
    account_id: l.accountId,
    member_id: l.memberId,
    token_hash: l.tokenHash,
    created_at: l.createdAt,
    expires_at: l.expiresAt,
  });
}

export async function findSigninLinkByHash(tx: Tx, tokenHash: string): Promise<SigninLink | undefined> {
  const r = await tx('signin_links').where({ token_hash: tokenHash }).first();
  return r
    ? {
        id: r.id,
        accountId: r.account_id,
        memberId: r.member_id,
        tokenHash: r.token_hash,
        createdAt: String(r.created_at),
        expiresAt: String(r.expires_at),
        usedAt: optIso(r.used_at),
      }
    : undefined;
}

/** Marks a link used; false when it was already used (a one-time link works once). */
export async function useSigninLink(tx: Tx, accountId: string, id: string, now: string): Promise<boolean> {
  return (await tx('signin_links').where({ account_id: accountId, id }).whereNull('used_at').update({ used_at: now })) > 0;
}
