// Queries for SCIM bearer tokens (hashed); lookup by hash is the one way in from outside an account.
import type { Tx } from './knex';
import { optIso } from './codec';

/** A SCIM credential carries the authority of whoever created it: only an Owner's may change Owners. */
export type CredentialAuthority = 'owner' | 'admin';

export interface ScimToken {
  id: string;
  accountId: string;
  tokenHash: string;
  prefix: string;
  label: string | null;
  createdBy: string | null;
  /** Whose authority the IdP acts with: an Owner's (may change Owners) or an administrator's. */
  authority: CredentialAuthority;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

type Row = Record<string, unknown>;

const toToken = (r: Row): ScimToken => ({
  id: r.id as string,
  accountId: r.account_id as string,
  tokenHash: r.token_hash as string,
  prefix: r.prefix as string,
  label: (r.label as string | null) ?? null,
  createdBy: (r.created_by as string | null) ?? null,
  authority: r.authority === 'owner' ? 'owner' : 'admin',
  createdAt: String(r.created_at),
  lastUsedAt: optIso(r.last_used_at),
  expiresAt: optIso(r.expires_at),
  revokedAt: optIso(r.revoked_at),
});

export async function insertScimToken(tx: Tx, t: Omit<ScimToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
  await tx('scim_tokens').insert({
    id: t.id,
    account_id: t.accountId,
    token_hash: t.tokenHash,
    prefix: t.prefix,
    label: t.label,
    created_by: t.createdBy,
    authority: t.authority,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
  });
}

export async function findScimTokenByHash(tx: Tx, tokenHash: string): Promise<ScimToken | undefined> {
  const row = await tx('scim_tokens').where({ token_hash: tokenHash }).first();
  return row ? toToken(row) : undefined;
}

export async function listScimTokens(tx: Tx, accountId: string): Promise<ScimToken[]> {
  return (await tx('scim_tokens').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(toToken);
}

export async function getScimToken(tx: Tx, accountId: string, id: string): Promise<ScimToken | undefined> {
  const row = await tx('scim_tokens').where({ account_id: accountId, id }).first();
  return row ? toToken(row) : undefined;
}

export async function revokeScimToken(tx: Tx, accountId: string, id: string, now: string): Promise<boolean> {
  const n = await tx('scim_tokens').where({ account_id: accountId, id }).whereNull('revoked_at').update({ revoked_at: now });
  return n > 0;
}

export async function touchScimToken(tx: Tx, accountId: string, id: string, now: string): Promise<void> {
  await tx('scim_tokens').where({ account_id: accountId, id }).update({ last_used_at: now });
}

export async function countLiveScimTokens(tx: Tx, accountId: string): Promise<number> {
  const [{ n }] = (await tx('scim_tokens').where({ account_id: accountId }).whereNull('revoked_at').count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}
