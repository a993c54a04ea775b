// SCIM bearer tokens: random, shown once, stored hashed, several per account, revocable.
import { newId } from '../db/codec';
import {
  type ScimToken,
  findScimTokenByHash,
  getScimToken,
  insertScimToken,
  listScimTokens,
  revokeScimToken as revokeRow,
  touchScimToken,
} from '../db/credentials.repo';
import { changeFeedOf } from '../db/changeFeed';
import type { Db, Tx } from '../db/knex';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { NotFound, Unauthenticated } from './errors';
import { auditMspOf } from './tenancy';
import { authorize, credentialAuthority } from './policy';
import { hashSecret, issueSecret, sameHash } from './secrets';

export const SCIM_TOKEN_KIND = 'msb_scim';

export async function createScimToken(ctx: Ctx, accountId: string, label?: string): Promise<{ id: string; token: string; prefix: string }> {
  const account = await authorize(ctx, 'scim.credentials.manage', accountId);
  const authority = await credentialAuthority(ctx, account);
  const secret = issueSecret(SCIM_TOKEN_KIND);
  const id = newId();
  await insertScimToken(ctx.tx, {
    id,
    accountId,
    tokenHash: secret.hash,
    prefix: secret.prefix,
    label: label ?? null,
    createdBy: ctx.actor.label,
    authority,
    createdAt: nowIso(ctx),
    expiresAt: null,
  });
  await recordAudit(ctx, {
    accountId,
    mspId: auditMspOf(account),
    action: 'scim_token.created',
    target: { type: 'scim_token', id },
    data: { prefix: secret.prefix, label: label ?? null, authority },
  });
  return { id, token: secret.value, prefix: secret.prefix };
}

export async function revokeScimToken(ctx: Ctx, accountId: string, tokenId: string): Promise<void> {
  const account = await authorize(ctx, 'scim.credentials.manage', accountId);
  if (!(await revokeRow(ctx.tx, accountId, tokenId, nowIso(ctx)))) {
    if (!(await getScimToken(ctx.tx, accountId, tokenId))) throw new NotFound('scim_token.not_found', 'No such SCIM token.');
    return; // already revoked: revoking again changes nothing
  }
  await recordAudit(ctx, {
    accountId,
    mspId: auditMspOf(account),
    action: 'scim_token.revoked',
    target: { type: 'scim_token', id: tokenId },
  });
}

export type ScimTokenView = Omit<ScimToken, 'tokenHash'>;

export async function listTokens(ctx: Ctx, accountId: string): Promise<ScimTokenView[]> {
  await authorize(ctx, 'scim.credentials.read', accountId);
  return (await listScimTokens(ctx.tx, accountId)).map(({ tokenHash: _hash, ...rest }) => rest);
}

/** How often last-used time is written (a write per SCIM request would cost more than the request). */
const TOUCH_EVERY_MS = 60_000;

/** Resolves a presented bearer token to its account, or throws Unauthenticated. */
export async function authenticateScimToken(tx: Tx, presented: string, now: Date): Promise<ScimToken> {
  const hash = hashSecret(presented);
  const token = await findScimTokenByHash(tx, hash);
  if (!token || !sameHash(token.tokenHash, hash)) throw new Unauthenticated('scim.token.invalid', 'The bearer token is not valid.');
  if (token.revokedAt) throw new Unauthenticated('scim.token.revoked', 'The bearer token was revoked.');
  if (token.expiresAt && token.expiresAt <= now.toISOString()) {
    throw new Unauthenticated('scim.token.expired', 'The bearer token has expired.');
  }
  if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) > TOUCH_EVERY_MS) {
    await touchScimToken(tx, token.accountId, token.id, now.toISOString());
  }
  return token;
}

/** Hears the accounts whose SCIM credentials a committed unit of work on db revoked or rotated (the CLI tells the servers). */
export function onCredentialChanges(db: Db, fn: (accountId: string) => void): () => void {
  return changeFeedOf(db).onCredentials(fn);
}
