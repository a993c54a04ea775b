// Rate limits shared by every serve process through Redis (rate-limiter-flexible): a point is
// taken atomically before the work it pays for, so parallel requests cannot all slip past a check.
import crypto from 'node:crypto';
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { isDomainError } from '../domain/errors';
import type { Runtime } from '../runtime';

/** Past this, Redis counts as unavailable for the request at hand (a hung server must not hang sign-ins). */
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

export class SharedLimit {
  private readonly limiter: RLWrapperTimeouts;

  constructor(rt: Pick<Runtime, 'redis' | 'config'>, name: string, budget: Budget) {
    // Only while Redis does not answer: each process then counts alone (N processes allow N budgets).
    const memory = new RateLimiterMemory({ keyPrefix: name, points: budget.points, duration: budget.durationS });
    const redis = new RateLimiterRedis({
      storeClient: rt.redis,
      // Under QUEUE_PREFIX: deployments (and tests) sharing one Redis keep separate budgets.
      keyPrefix: `${rt.config.queuePrefix}:ratelimit:${name}`,
      points: budget.points,
      duration: budget.durationS,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
    this.limiter = new RLWrapperTimeouts({ limiter: redis, timeoutMs: REDIS_TIMEOUT_MS, insuranceLimiter: memory });
  }

  /** Takes one point for key: 0 when granted, else whole seconds until the window frees one. */
  async take(key: string): Promise<number> {
    try {
      await this.limiter.consume(key);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
  }

  /** Gives a point back; best effort, as a lost refund only makes the limit stricter. */
  refund(key: string): void {
    this.limiter.reward(key).catch(() => undefined);
  }
}

/**
 * Failed credential checks per client address on one surface (SCIM_AUTH_FAILURES_PER_MINUTE).
 * The point is taken before the check, so at most the budget of guesses is ever evaluated, and
 * given back when the credential was good: only failures use the budget up.
 */
export class CredentialGuard {
  private readonly limit: SharedLimit;
  private readonly inFlight = new Map<string, Promise<unknown>>();

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
    const key = `${client}\n${crypto.createHash('sha256').update(credential).digest('hex')}`;
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const started = this.checkOnce(client, check).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private async checkOnce<T>(client: string, check: () => Promise<T>): Promise<T> {
    const wait = await this.limit.take(client);
    if (wait > 0) {
      this.count('limited');
      throw new RateLimited(wait, 'Too many failed authentications; wait before retrying.');
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
      if (outcome !== 'refused') this.limit.refund(client);
    }
  }

  private count(outcome: string): void {
    this.rt.metrics.credentialChecks.inc({ surface: this.surface, outcome });
  }
}
