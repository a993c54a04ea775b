// Bearer authentication for SCIM: the credential picks the tenant. A verified credential is
// trusted without a lookup for SCIM_AUTH_CACHE_MS (30 s) while this process hears credential
// changes over Redis: a revocation or rotation committed by any process empties the account's
// entries at once. While it cannot hear them (Redis away), an answer is kept half a second.
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

/** How long an answer is kept while this process cannot hear revocations. */
const DEAF_CACHE_MS = 500;
const MAX_CACHE = 10_000;

interface Entry {
  identity: ScimIdentity;
  /** Wall-clock end of trust in this entry (Date.now()). */
  until: number;
  /** When the credential itself expires, on the runtime's clock (token expiry, access-token exp). */
  expires: number;
}

export class ScimAuthenticator {
  private readonly cache = new Map<string, Entry>();
  /** Moves on every change heard: an answer looked up before a change is not cached after it. */
  private epoch = 0;
  private readonly unlisten: () => void;

  constructor(private readonly rt: Runtime) {
    this.unlisten = rt.credentialChanges.listen((accountId) => this.forget(accountId));
  }

  close(): void {
    this.unlisten();
    this.cache.clear();
  }

  /** The identity a header resolved to recently, found without checking anything. */
  cached(header: string | undefined): ScimIdentity | undefined {
    const presented = BEARER.exec(header ?? '')?.[1];
    if (!presented) return undefined;
    return this.fresh(this.cache.get(hashSecret(presented)));
  }

  private fresh(hit: Entry | undefined): ScimIdentity | undefined {
    return hit && hit.until > Date.now() && hit.expires > this.rt.now().getTime() ? hit.identity : undefined;
  }

  /** Drops an account's entries (null: every entry). */
  private forget(accountId: string | null): void {
    this.epoch++;
    if (accountId === null) this.cache.clear();
    else for (const [key, e] of this.cache) if (e.identity.account.id === accountId) this.cache.delete(key);
  }

  private remember(key: string, identity: ScimIdentity, expires: number, epoch: number): void {
    if (epoch !== this.epoch) return; // a change was heard while this was looked up: it may predate it
    const ms = this.rt.credentialChanges.live ? this.rt.config.scim.authCacheMs : Math.min(DEAF_CACHE_MS, this.rt.config.scim.authCacheMs);
    if (ms <= 0) return;
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, { identity, until: Date.now() + ms, expires });
  }

  /** Resolves an Authorization header or throws Unauthenticated (401). */
  async authenticate(header: string | undefined): Promise<ScimIdentity> {
    const m = BEARER.exec(header ?? '');
    if (!m) throw new Unauthenticated('scim.auth.missing', 'Send the SCIM token as "Authorization: Bearer <token>".');
    const presented = m[1]!;
    const key = hashSecret(presented);
    const hit = this.fresh(this.cache.get(key));
    if (hit) return hit;
    const epoch = this.epoch;
    const { identity, expires } = JWT.test(presented) ? await this.fromAccessToken(presented) : await this.fromScimToken(presented);
    this.remember(key, identity, expires, epoch);
    return identity;
  }

  private async fromScimToken(presented: string): Promise<{ identity: ScimIdentity; expires: number }> {
    const token = await authenticateScimToken(this.rt.db, presented, this.rt.now());
    const account = await getAccount(this.rt.db, token.accountId);
    if (!account) throw new Unauthenticated('scim.token.invalid', 'The bearer token is not valid.');
    return {
      identity: identityOf(account, { kind: 'scim', id: token.id, label: `scim:${token.prefix}`, authority: token.authority }),
      expires: token.expiresAt ? Date.parse(token.expiresAt) : Infinity,
    };
  }

  /** An access token from the client-credentials grant: valid signature, audience SCIM, unexpired, client not revoked. */
  private async fromAccessToken(presented: string): Promise<{ identity: ScimIdentity; expires: number }> {
    const claims = await verifyAccessToken(this.rt, presented);
    if (!claims) throw new Unauthenticated('scim.access_token.invalid', 'The access token is not valid (signature, audience or expiry).');
    const client = await activeClient(this.rt.db, claims.clientId, claims.accountId);
    if (!client) throw new Unauthenticated('scim.access_token.revoked', 'The client of this access token was revoked.');
    const account = await getAccount(this.rt.db, claims.accountId);
    if (!account) throw new Unauthenticated('scim.access_token.invalid', 'The access token is not valid.');
    return {
      identity: identityOf(account, { kind: 'oauth', id: client.clientId, label: `oauth:${client.clientId}`, authority: client.authority }),
      expires: claims.expiresAt,
    };
  }
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;
