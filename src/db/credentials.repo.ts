// Queries for SCIM bearer tokens (hashed); lookup by hash is the one way in from outside an account.
import type { Tx } from './knex';
import { requireWork } from './unitOfWork';
import { optIso, optText, rowCodec, text, time } from './codec';

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

const TOKEN = rowCodec<ScimToken>({
  id: text,
  accountId: text,
  tokenHash: text,
  prefix: text,
  label: optText,
  createdBy: optText,
  authority: (v) => (v === 'owner' ? 'owner' : 'admin'),
  createdAt: time,
  lastUsedAt: optIso,
  expiresAt: optIso,
  revokedAt: optIso,
});

export async function insertScimToken(tx: Tx, t: Omit<ScimToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
  await tx('scim_tokens').insert(TOKEN.write(t));
}

export async function findScimTokenByHash(tx: Tx, tokenHash: string): Promise<ScimToken | undefined> {
  return TOKEN.maybe(await tx('scim_tokens').where({ token_hash: tokenHash }).first());
}

export async function listScimTokens(tx: Tx, accountId: string): Promise<ScimToken[]> {
  return (await tx('scim_tokens').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(TOKEN.read);
}

export async function getScimToken(tx: Tx, accountId: string, id: string): Promise<ScimToken | undefined> {
  return TOKEN.maybe(await tx('scim_tokens').where({ account_id: accountId, id }).first());
}

export async function revokeScimToken(tx: Tx, accountId: string, id: string, now: string): Promise<boolean> {
  const n = await tx('scim_tokens').where({ account_id: accountId, id }).whereNull('revoked_at').update({ revoked_at: now });
  if (n > 0) requireWork(tx).credentialsChanged(accountId);
  return n > 0;
}

export async function touchScimToken(tx: Tx, accountId: string, id: string, now: string): Promise<void> {
  await tx('scim_tokens').where({ account_id: accountId, id }).update({ last_used_at: now });
}

export async function countLiveScimTokens(tx: Tx, accountId: string): Promise<number> {
  const [{ n }] = (await tx('scim_tokens').where({ account_id: accountId }).whereNull('revoked_at').count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}
