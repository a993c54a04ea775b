// Redis connections (ioredis): one for commands and readiness, others for BullMQ workers.
import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A connection for queue producers and readiness checks: fails fast instead of queueing commands while Redis is down. */
export function createCommandRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  } satisfies RedisOptions);
}

/** A connection for BullMQ workers, which block on Redis and must retry for ever. */
export function createWorkerRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: false,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  } satisfies RedisOptions);
}

/** PING with a deadline; resolves false instead of hanging when Redis is away. */
export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      redis.ping().then((r) => r === 'PONG'),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Answers whether something speaks Redis at url, without leaving a connection behind. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return await pingRedis(probe, timeoutMs);
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
