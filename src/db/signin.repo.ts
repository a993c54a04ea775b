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

/** A link's row by id (the sign-in email worker re-reads it before sending). */
export async function getSigninLink(tx: Tx, accountId: string, id: string): Promise<SigninLink | undefined> {
  const r = await tx('signin_links').where({ account_id: accountId, id }).first();
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

/**
 * Who may get a sign-in link by email: the person's memberships that can sign in (invited or
 * active), MSP accounts first, then the oldest — the same order OIDC sign-in picks by.
 */
export async function signinCandidates(tx: Tx, email: string): Promise<Array<{ accountId: string; memberId: string }>> {
  const rows = (await tx('members as m')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('m.email_ci', email.trim().toLowerCase())
    .whereIn('m.state', ['invited', 'active'])
    .orderByRaw(`case when a.kind = 'msp' then 0 else 1 end`)
    .orderBy('m.created_at')
    .select('m.account_id', 'm.id')) as Array<{ account_id: string; id: string }>;
  return rows.map((r) => ({ accountId: r.account_id, memberId: r.id }));
}
