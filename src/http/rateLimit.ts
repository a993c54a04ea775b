// Token buckets kept in process memory: per credential and per client address. In a scale-out
// each process enforces its own share; nothing here needs Redis, so limits hold while it is down.

export interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    /** Tokens added per second. */
    private readonly ratePerSecond: number,
    /** Bucket size (the burst allowed). */
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token for key; returns 0 when allowed, else whole seconds until one is available. */
  take(key: string, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      b = { tokens: this.burst, updated: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.updated) / 1000) * this.ratePerSecond);
    b.updated = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }

  /** Whole seconds until key could take a token, without taking one. */
  peek(key: string, now = Date.now()): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + ((now - b.updated) / 1000) * this.ratePerSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.ratePerSecond));
  }

  private evict(now: number): void {
    // Full buckets carry no information: drop them first, then the oldest.
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.updated) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(k);
    }
    if (this.buckets.size >= this.maxKeys) {
      const oldest = [...this.buckets.entries()].sort((a, b) => a[1].updated - b[1].updated).slice(0, this.maxKeys / 10);
      for (const [k] of oldest) this.buckets.delete(k);
    }
  }
}
