// OAuth 2.0 clients (client credentials for SCIM): one account each, secrets stored as hashes.
import type { Tx } from './knex';
import { optIso } from './codec';
import type { CredentialAuthority } from './credentials.repo';

export interface OAuthClient {
  id: string;
  accountId: string;
  clientId: string;
  label: string | null;
  authority: CredentialAuthority;
  createdAt: string;
  rotatedAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toClient = (r: Record<string, unknown>): OAuthClient => ({
  id: r.id as string,
  accountId: r.account_id as string,
  clientId: r.client_id as string,
  label: (r.label as string | null) ?? null,
  authority: r.authority === 'owner' ? 'owner' : 'admin',
  createdAt: String(r.created_at),
  rotatedAt: optIso(r.rotated_at),
  lastUsedAt: optIso(r.last_used_at),
  revokedAt: optIso(r.revoked_at),
});

export async function insertClient(tx: Tx, c: Omit<OAuthClient, 'rotatedAt' | 'lastUsedAt' | 'revokedAt'> & { secretHash: string }): Promise<void> {
  await tx('oauth_clients').insert({
    id: c.id,
    account_id: c.accountId,
    client_id: c.clientId,
    secret_hash: c.secretHash,
    label: c.label,
    authority: c.authority,
    created_at: c.createdAt,
  });
}

export async function findClient(tx: Tx, clientId: string): Promise<(OAuthClient & { secretHash: string }) | undefined> {
  const r = await tx('oauth_clients').where({ client_id: clientId }).first();
  return r ? { ...toClient(r), secretHash: r.secret_hash as string } : undefined;
}

export async function listClients(tx: Tx, accountId: string): Promise<OAuthClient[]> {
  return (await tx('oauth_clients').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(toClient);
}

export async function updateClient(tx: Tx, accountId: string, clientId: string, patch: Record<string, unknown>): Promise<boolean> {
  return (await tx('oauth_clients').where({ account_id: accountId, client_id: clientId }).update(patch)) > 0;
}
