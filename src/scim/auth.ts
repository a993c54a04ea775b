// Bearer authentication for SCIM: the credential picks the tenant. Answers are cached for at
// most half a second, so a revoked token is refused by every process within a second.
import { type Account, getAccount } from '../db/accounts.repo';
import type { CredentialAuthority } from '../db/credentials.repo';
import { Unauthenticated } from '../domain/errors';
import { activeClient } from '../domain/oauthClients';
import type { Principal } from '../domain/principal';
import { authenticateScimToken } from '../domain/scimTokens';
import { hashSecret } from '../domain/secrets';
import { verifyAccessToken } from '../http/oauth';
import type { Runtime } from '../runtime';

export interface ScimIdentity {
  account: Account;
  actor: Principal;
  /** Key for per-credential rate limits. */
  credentialKey: string;
}

/** The SCIM principal a credential (a SCIM token or an OAuth client) of the account acts as, rate-limited per credential. */
function identityOf(account: Account, c: { kind: 'scim' | 'oauth'; id: string; label: string; authority: CredentialAuthority }): ScimIdentity {
  return {
    account,
    actor: { kind: 'scim', accountId: account.id, credentialId: c.id, label: c.label, authority: c.authority },
    credentialKey: `${c.kind}:${c.id}`,
  };
}

const CACHE_MS = 500;
const MAX_CACHE = 10_000;

export class ScimAuthenticator {
  private readonly cache = new Map<string, { identity: ScimIdentity; until: number }>();

  constructor(private readonly rt: Runtime) {}

  /** The identity a header resolved to within the last half second, found without checking anything. */
  cached(header: string | undefined): ScimIdentity | undefined {
    const presented = BEARER.exec(header ?? '')?.[1];
    if (!presented) return undefined;
    const hit = this.cache.get(hashSecret(presented));
    return hit && hit.until > Date.now() ? hit.identity : undefined;
  }

  /** Resolves an Authorization header or throws Unauthenticated (401). */
  async authenticate(header: string | undefined): Promise<ScimIdentity> {
    const m = BEARER.exec(header ?? '');
    if (!m) throw new Unauthenticated('scim.auth.missing', 'Send the SCIM token as "Authorization: Bearer <token>".');
    const presented = m[1]!;
    const key = hashSecret(presented);
    const nowMs = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > nowMs) return hit.identity;
    const identity = JWT.test(presented) ? await this.fromAccessToken(presented) : await this.fromScimToken(presented);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, { identity, until: nowMs + CACHE_MS });
    return identity;
  }

  private async fromScimToken(presented: string): Promise<ScimIdentity> {
    const token = await authenticateScimToken(this.rt.db, presented, this.rt.now());
    const account = await getAccount(this.rt.db, token.accountId);
    if (!account) throw new Unauthenticated('scim.token.invalid', 'The bearer token is not valid.');
    return identityOf(account, { kind: 'scim', id: token.id, label: `scim:${token.prefix}`, authority: token.authority });
  }

  /** An access token from the client-credentials grant: valid signature, audience SCIM, unexpired, client not revoked. */
  private async fromAccessToken(presented: string): Promise<ScimIdentity> {
    const claims = await verifyAccessToken(this.rt, presented);
    if (!claims) throw new Unauthenticated('scim.access_token.invalid', 'The access token is not valid (signature, audience or expiry).');
    const client = await activeClient(this.rt.db, claims.clientId, claims.accountId);
    if (!client) throw new Unauthenticated('scim.access_token.revoked', 'The client of this access token was revoked.');
    const account = await getAccount(this.rt.db, claims.accountId);
    if (!account) throw new Unauthenticated('scim.access_token.invalid', 'The access token is not valid.');
    return identityOf(account, { kind: 'oauth', id: client.clientId, label: `oauth:${client.clientId}`, authority: client.authority });
  }
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;
