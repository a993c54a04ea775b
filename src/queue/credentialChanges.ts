// Revoked or rotated credentials reach every process at once: a committed change is announced on a
// Redis channel (one per deployment, named after its queue prefix), and each process drops what it
// cached for that account. While a process is not subscribed (Redis away, reconnecting) nobody can
// tell it anything, so its caches keep answers only briefly (`live` is false) and are emptied when
// the subscription comes back (announcements sent meanwhile are lost).
import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { createWorkerRedis } from './connection';

/** The channel of a deployment (its queue prefix keeps deployments and test runs sharing one Redis apart). */
export const credentialChannel = (queuePrefix: string): string => `${queuePrefix}:credentials-changed`;

/** An account whose credentials changed, or null: forget everything (the subscription was interrupted). */
export type CredentialListener = (accountId: string | null) => void;

export class CredentialChanges {
  private subscriber?: Redis;
  private readonly listeners = new Set<CredentialListener>();
  private readonly publishing = new Set<Promise<void>>();
  private subscribed = false;

  /**
   * `shared` is false for a private redis-server that only this process knows (`mspbridge start`
   * without Redis): other processes (the CLI) cannot announce to it, so this process is never live.
   */
  constructor(
    private readonly redis: Redis,
    private readonly redisUrl: string,
    private readonly channel: string,
    private readonly log: Logger,
    private readonly shared = true,
  ) {}

  /** True while this process hears every announcement (its subscription is up). */
  get live(): boolean {
    return this.subscribed;
  }

  /** Hears changes committed by any process, this one included; subscribes on first use. */
  listen(fn: CredentialListener): () => void {
    this.listeners.add(fn);
    if (this.shared) this.subscriber ??= this.subscribe();
    return () => this.listeners.delete(fn);
  }

  /** A change this process committed: heard here at once, by the others through Redis. */
  announce(accountId: string): void {
    this.notify(accountId);
    const sent: Promise<void> = this.publish(accountId).finally(() => this.publishing.delete(sent));
    this.publishing.add(sent);
  }

  /** Waits for announcements still on their way (a CLI revoking a token exits only after telling the servers). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.publishing]);
    this.subscribed = false;
    this.subscriber?.disconnect();
  }

  private notify(accountId: string | null): void {
    for (const fn of this.listeners) fn(accountId);
  }

  private async publish(accountId: string): Promise<void> {
    try {
      if (this.redis.status === 'wait') await this.redis.connect();
      else if (this.redis.status !== 'ready') await ready(this.redis, PUBLISH_WAIT_MS);
      await this.redis.publish(this.channel, accountId);
    } catch (err) {
      // The other processes' caches hold the old answer until they expire (SCIM_AUTH_CACHE_MS).
      this.log.warn({ err: (err as Error).message, accountId }, 'could not announce a credential change to other processes');
    }
  }

  private subscribe(): Redis {
    // A connection of its own (a subscribed connection can do nothing else); it retries for ever.
    const sub = createWorkerRedis(this.redisUrl);
    sub.options.autoResubscribe = false;
    const down = () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.notify(null);
    };
    sub.on('error', () => undefined); // reported by the command connection; here only "not live"
    sub.on('close', down);
    sub.on('end', down);
    sub.on('ready', () => {
      sub
        .subscribe(this.channel)
        .then(() => {
          // Whatever was announced while unsubscribed is unknown: start from nothing cached.
          this.notify(null);
          this.subscribed = true;
        })
        .catch(down);
    });
    sub.on('message', (channel: string, accountId: string) => {
      if (channel === this.channel) this.notify(accountId);
    });
    return sub;
  }
}

const PUBLISH_WAIT_MS = 2_000;

/** For a process without a runtime (the CLI): tells the running servers, then disconnects; throws if Redis cannot be reached. */
export async function publishCredentialChanges(redisUrl: string, queuePrefix: string, accountIds: string[]): Promise<void> {
  // One attempt: a CLI command must not hang on a Redis that is not there.
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    for (const id of accountIds) await redis.publish(credentialChannel(queuePrefix), id);
  } finally {
    redis.disconnect();
  }
}

function ready(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error('redis not ready'));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
