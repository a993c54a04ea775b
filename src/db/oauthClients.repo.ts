// OAuth 2.0 clients (client credentials for SCIM): one account each, secrets stored as hashes.
import type { Tx } from './knex';
import { requireWork } from './unitOfWork';
import { optIso, optText, rowCodec, text, time } from './codec';
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

const CLIENT = rowCodec<OAuthClient>({
  id: text,
  accountId: text,
  clientId: text,
  label: optText,
  authority: (v) => (v === 'owner' ? 'owner' : 'admin'),
  createdAt: time,
  rotatedAt: optIso,
  lastUsedAt: optIso,
  revokedAt: optIso,
});

export async function insertClient(tx: Tx, c: Omit<OAuthClient, 'rotatedAt' | 'lastUsedAt' | 'revokedAt'> & { secretHash: string }): Promise<void> {
  await tx('oauth_clients').insert({ ...CLIENT.write(c), secret_hash: c.secretHash });
}

export async function findClient(tx: Tx, clientId: string): Promise<(OAuthClient & { secretHash: string }) | undefined> {
  const r = await tx('oauth_clients').where({ client_id: clientId }).first();
  return r ? { ...CLIENT.read(r), secretHash: r.secret_hash as string } : undefined;
}

export async function listClients(tx: Tx, accountId: string): Promise<OAuthClient[]> {
  return (await tx('oauth_clients').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(CLIENT.read);
}

export async function updateClient(tx: Tx, accountId: string, clientId: string, patch: Record<string, unknown>): Promise<boolean> {
  const changed = (await tx('oauth_clients').where({ account_id: accountId, client_id: clientId }).update(patch)) > 0;
  // Revoked, rotated or re-authorised (anything but the last-used time): what processes cached for its tokens is stale.
  if (changed && Object.keys(patch).some((k) => k !== 'last_used_at')) requireWork(tx).credentialsChanged(accountId);
  return changed;
}
