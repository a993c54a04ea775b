// Rate limits shared by every serve process through Redis (rate-limiter-flexible): a point is
// taken atomically before the work it pays for, so parallel requests cannot all slip past a check.
import crypto from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { isDomainError } from '../domain/errors';
import type { Runtime } from '../runtime';

/** Past this, Redis counts as unavailable for the request at hand (a hung Redis must not hang sign-ins). */
const REDIS_TIMEOUT_MS = 500;

export type Surface = 'signin' | 'oauth' | 'scim' | 'api';

/** A request refused for its rate limit; each adapter answers it in its own error shape. */
export class RateLimited extends Error {
  constructor(
    readonly retryAfterS: number,
    message: string,
  ) {
    super(message);
  }
}

/** Fixed windows of `points` per `durationS` seconds per key. */
export interface Budget {
  points: number;
  durationS: number;
}

/**
 * A per-second rate (SCIM_RATE_PER_TOKEN may be fractional) as a whole-point budget allowing a
 * burst of about twice the rate: at least two seconds, longer for slow rates.
 */
export function perSecondBudget(rate: number): Budget {
  const durationS = Math.max(2, Math.ceil(2 / rate));
  return { points: Math.max(1, Math.round(rate * durationS)), durationS };
}

const secondsUntil = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Resolves 0 when granted, else whole seconds to wait; rejects only when the store failed. */
function verdict(consumed: Promise<unknown>): Promise<number> {
  return consumed.then(
    () => 0,
    (res: unknown) => {
      if (res instanceof RateLimiterRes) return secondsUntil(res);
      throw res;
    },
  );
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('rate limit store too slow')), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class SharedLimit {
  private readonly redis: RateLimiterRedis;
  /**
   * The fallback, which also counts every point this process takes while Redis answers: a
   * fallback (Redis down, or its answer late because this process is busy under an attack) then
   * grants only what this process has not used itself, never a fresh budget.
   */
  private readonly local: RateLimiterMemory;

  constructor(rt: Pick<Runtime, 'redis' | 'config'>, name: string, budget: Budget) {
    this.local = new RateLimiterMemory({ keyPrefix: name, points: budget.points, duration: budget.durationS });
    this.redis = new RateLimiterRedis({
      storeClient: rt.redis,
      // Under QUEUE_PREFIX: deployments (and tests) sharing one Redis keep separate budgets.
      keyPrefix: `${rt.config.queuePrefix}:ratelimit:${name}`,
      points: budget.points,
      duration: budget.durationS,
      // Not connected: fall back at once rather than wait for a reconnect.
      rejectIfRedisNotReady: true,
    });
  }

  /** Takes one point for key: 0 when granted, else whole seconds until the window frees one. */
  async take(key: string): Promise<number> {
    const local = verdict(this.local.consume(key));
    local.catch(() => undefined); // only read when Redis fails
    try {
      return await verdict(within(this.redis.consume(key), REDIS_TIMEOUT_MS));
    } catch {
      return local;
    }
  }

  /** Gives a point back; best effort, as a lost refund only makes the limit stricter. */
  refund(key: string): void {
    this.redis.reward(key).catch(() => undefined);
    this.local.reward(key).catch(() => undefined);
  }
}

/**
 * Failed credential checks per client address on one surface (SCIM_AUTH_FAILURES_PER_MINUTE).
 * The point is taken before the check, so at most the budget of guesses is ever evaluated, and
 * given back when the credential was good: only failures use the budget up.
 */
/** How long a credential that passed a check counts as known good (its checks then take no point first). */
const KNOWN_GOOD_MS = 10 * 60_000;
const KNOWN_GOOD_MAX = 10_000;

export class CredentialGuard {
  private readonly limit: SharedLimit;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /**
   * Credentials (by hash) that passed a check lately, with when. Many tenants' IdPs share egress
   * addresses (one loader here): taking a point before every check of their good tokens let a
   * few dozen concurrent re-checks use up the address's budget of failures and answer 429 to
   * every tenant. A guesser cannot present a credential from this set, so its checks keep the
   * point taken first; a known one pays only when it fails (revoked since).
   */
  private readonly knownGood = new Map<string, number>();

  constructor(
    private readonly rt: Pick<Runtime, 'redis' | 'config' | 'metrics'>,
    private readonly surface: Surface,
  ) {
    this.limit = new SharedLimit(rt, `auth-failures:${surface}`, { points: rt.config.scim.authFailuresPerMinute, durationS: 60 });
  }

  /**
   * Runs check unless client has no failures left (throws RateLimited). A check that throws
   * Unauthenticated, or resolves undefined, is a failure; any other error is ours, not the client's.
   * Given the credential, concurrent checks of it from one client share one check and one point:
   * an IdP's parallel requests with its one token are not parallel guesses.
   */
  run<T>(client: string, check: () => Promise<T>, credential?: string): Promise<T> {
    if (credential === undefined) return this.checkOnce(client, check);
    const hash = crypto.createHash('sha256').update(credential).digest('hex');
    const key = `${client}\n${hash}`;
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const started = this.checkOnce(client, check, hash).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private isKnownGood(hash: string | undefined): boolean {
    const at = hash === undefined ? undefined : this.knownGood.get(hash);
    return at !== undefined && Date.now() - at < KNOWN_GOOD_MS;
  }

  private rememberGood(hash: string): void {
    this.knownGood.delete(hash); // re-inserted last: the oldest entry goes first when full
    this.knownGood.set(hash, Date.now());
    if (this.knownGood.size > KNOWN_GOOD_MAX) this.knownGood.delete(this.knownGood.keys().next().value!);
  }

  private async checkOnce<T>(client: string, check: () => Promise<T>, hash?: string): Promise<T> {
    const prepaid = !this.isKnownGood(hash);
    if (prepaid) {
      const wait = await this.limit.take(client);
      if (wait > 0) {
        this.count('limited');
        throw new RateLimited(wait, 'Too many failed authentications; wait before retrying.');
      }
    }
    let outcome: 'granted' | 'refused' | 'error' = 'error';
    try {
      const value = await check();
      outcome = value === undefined ? 'refused' : 'granted';
      return value;
    } catch (err) {
      if (isDomainError(err) && err.kind === 'unauthenticated') outcome = 'refused';
      throw err;
    } finally {
      this.count(outcome);
      if (outcome === 'granted' && hash !== undefined) this.rememberGood(hash);
      if (outcome === 'refused' && hash !== undefined) this.knownGood.delete(hash);
      if (prepaid && outcome !== 'refused') this.limit.refund(client);
      // A known credential that fails now (revoked) pays its point after the fact.
      if (!prepaid && outcome === 'refused') void this.limit.take(client).catch(() => undefined);
    }
  }

  private count(outcome: string): void {
    this.rt.metrics.credentialChecks.inc({ surface: this.surface, outcome });
  }
}
