// OAuth 2.0 client credentials for SCIM (what Entra's gallery apps use instead of a long-lived
// token): per-account clients with a hashed, rotatable secret, revocable at once.
import { newId } from '../db/codec';
import { type OAuthClient, findClient, insertClient, listClients, updateClient } from '../db/oauthClients.repo';
import type { Tx } from '../db/knex';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { NotFound, Unauthenticated } from './errors';
import { authorize, credentialAuthority } from './policy';
import { hashSecret, issueSecret, sameHash } from './secrets';

export async function createOAuthClient(ctx: Ctx, input: { accountId: string; label?: string }): Promise<{ clientId: string; clientSecret: string }> {
  const account = await authorize(ctx, 'scim.credentials.manage', input.accountId);
  const authority = await credentialAuthority(ctx, account);
  const clientId = `msb_client_${newId().replace(/-/g, '')}`;
  const secret = issueSecret('msb_cs');
  await insertClient(ctx.tx, {
    id: newId(),
    accountId: account.id,
    clientId,
    secretHash: secret.hash,
    label: input.label ?? null,
    authority,
    createdAt: nowIso(ctx),
  });
  await auditOn(ctx, account, 'scim_client.created', { type: 'oauth_client', id: clientId }, { label: input.label ?? null, authority });
  return { clientId, clientSecret: secret.value };
}

/** A new secret; the old one stops working at once (tokens already issued run out within the hour). */
export async function rotateOAuthClient(ctx: Ctx, input: { accountId: string; clientId: string }): Promise<{ clientId: string; clientSecret: string }> {
  const account = await authorize(ctx, 'scim.credentials.manage', input.accountId);
  const secret = issueSecret('msb_cs');
  // Whoever holds the new secret acts with the rotator's authority, never more.
  const authority = await credentialAuthority(ctx, account);
  if (!(await updateClient(ctx.tx, account.id, input.clientId, { secret_hash: secret.hash, rotated_at: nowIso(ctx), authority }))) {
    throw new NotFound('scim_client.not_found', 'No such SCIM client.');
  }
  await auditOn(ctx, account, 'scim_client.rotated', { type: 'oauth_client', id: input.clientId });
  return { clientId: input.clientId, clientSecret: secret.value };
}

/** Revoked: no new tokens, and its tokens already issued are refused too. */
export async function revokeOAuthClient(ctx: Ctx, input: { accountId: string; clientId: string }): Promise<void> {
  const account = await authorize(ctx, 'scim.credentials.manage', input.accountId);
  if (!(await updateClient(ctx.tx, account.id, input.clientId, { revoked_at: nowIso(ctx) })))
    throw new NotFound('scim_client.not_found', 'No such SCIM client.');
  await auditOn(ctx, account, 'scim_client.revoked', { type: 'oauth_client', id: input.clientId });
}

export async function listOAuthClients(ctx: Ctx, accountId: string): Promise<OAuthClient[]> {
  await authorize(ctx, 'scim.credentials.read', accountId);
  return listClients(ctx.tx, accountId);
}

/** Checks client id and secret (constant time); the account the client belongs to. */
export async function authenticateOAuthClient(tx: Tx, clientId: string, clientSecret: string, now: Date): Promise<OAuthClient> {
  const client = await findClient(tx, clientId);
  const presented = hashSecret(clientSecret);
  if (!client || !sameHash(client.secretHash, presented) || client.revokedAt) {
    throw new Unauthenticated('oauth.invalid_client', 'Unknown client, wrong secret, or a revoked client.');
  }
  if (!client.lastUsedAt || now.getTime() - Date.parse(client.lastUsedAt) > 60_000) {
    await updateClient(tx, client.accountId, client.clientId, { last_used_at: now.toISOString() });
  }
  return client;
}

/** The client behind an access token, if it may still act (not revoked) for that account. */
export async function activeClient(tx: Tx, clientId: string, accountId: string): Promise<OAuthClient | undefined> {
  const client = await findClient(tx, clientId);
  return client && !client.revokedAt && client.accountId === accountId ? client : undefined;
}
