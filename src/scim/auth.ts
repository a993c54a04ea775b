// Bearer authentication for SCIM: the credential picks the tenant. Answers are cached for at
// most a second, so a revoked token is refused by every process within a second.
import { type Account, getAccount } from '../db/accounts.repo';
import type { Db } from '../db/knex';
import { Unauthenticated } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { authenticateScimToken } from '../domain/scimTokens';
import { hashSecret } from '../domain/secrets';

export interface ScimIdentity {
  account: Account;
  actor: Principal;
  /** Key for per-credential rate limits. */
  credentialKey: string;
}

const CACHE_MS = 1000;
const MAX_CACHE = 10_000;

export class ScimAuthenticator {
  private readonly cache = new Map<string, { identity: ScimIdentity; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  /** Resolves an Authorization header or throws Unauthenticated (401). */
  async authenticate(header: string | undefined): Promise<ScimIdentity> {
    const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) throw new Unauthenticated('scim.auth.missing', 'Send the SCIM token as "Authorization: Bearer <token>".');
    const presented = m[1]!;
    const key = hashSecret(presented);
    const nowMs = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > nowMs) return hit.identity;
    const token = await authenticateScimToken(this.db, presented, this.now());
    const account = await getAccount(this.db, token.accountId);
    if (!account) throw new Unauthenticated('scim.token.invalid', 'The bearer token is not valid.');
    const identity: ScimIdentity = {
      account,
      actor: { kind: 'scim', accountId: account.id, credentialId: token.id, label: `scim:${token.prefix}` },
      credentialKey: `scim:${token.id}`,
    };
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, { identity, until: nowMs + CACHE_MS });
    return identity;
  }
}
