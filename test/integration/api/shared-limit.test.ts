// The shared limit's fallback: when Redis stops answering (here: a proxy in front of the real
// Redis that stalls), a process falls back to its own count, which already holds every point it
// took through Redis, so a stall (or a process too busy to read Redis's answer in time) never
// hands out a fresh budget.
import crypto from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { SharedLimit } from '../../../src/http/rateLimit';
import { createCommandRedis } from '../../../src/queue/connection';
import { REDIS_URL } from '../../helpers/app';

/** A TCP proxy to Redis that can stop passing answers back. */
async function stallableProxy(): Promise<{ url: string; stall(on: boolean): void; close(): Promise<void> }> {
  const target = new URL(REDIS_URL);
  let stalled = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    upstream.on('data', (d) => {
      if (!stalled) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stall: (on) => {
      stalled = on;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function ready(redis: Redis): Promise<void> {
  for (let waited = 0; redis.status !== 'ready'; waited += 20) {
    if (waited > 5000) throw new Error(`Redis is ${redis.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a shared limit while Redis does not answer', () => {
  const prefix = `test-${crypto.randomBytes(5).toString('hex')}`;
  const config = { queuePrefix: prefix } as never;

  it('falls back to this process’s own count after a stall, not to a fresh budget', async () => {
    const proxy = await stallableProxy();
    const redis = createCommandRedis(proxy.url);
    redis.on('error', () => undefined);
    await redis.connect();
    await ready(redis);
    try {
      const limit = new SharedLimit({ redis, config }, 'stall', { points: 5, durationS: 60 });
      const granted = async (n: number) => (await Promise.all(Array.from({ length: n }, () => limit.take('k')))).filter((w) => w === 0).length;
      expect(await granted(3)).toBe(3); // through Redis
      proxy.stall(true);
      // Redis keeps counting but its answers never arrive: the fallback knows of the 3 already taken.
      expect(await granted(4)).toBe(2);
      const waits = await Promise.all([limit.take('k'), limit.take('other')]);
      expect(waits[0]).toBeGreaterThan(0);
      expect(waits[1]).toBe(0);
    } finally {
      redis.disconnect();
      await proxy.close();
    }
  });

  it('counts in memory at once while Redis is unreachable; on a live Redis two processes draw on one budget', async () => {
    const down = createCommandRedis('redis://127.0.0.1:1');
    down.on('error', () => undefined);
    down.connect().catch(() => undefined);
    const limit = new SharedLimit({ redis: down, config }, 'down', { points: 2, durationS: 60 });
    try {
      expect(await Promise.all([limit.take('k'), limit.take('k')])).toEqual([0, 0]);
      expect(await limit.take('k')).toBeGreaterThan(0);
    } finally {
      down.disconnect();
    }
    // Two limits on a live Redis (two processes) draw on one budget.
    const [a, b] = [createCommandRedis(REDIS_URL), createCommandRedis(REDIS_URL)];
    await Promise.all([a.connect(), b.connect()]);
    await Promise.all([ready(a), ready(b)]);
    try {
      const one = new SharedLimit({ redis: a, config }, 'live', { points: 2, durationS: 60 });
      const two = new SharedLimit({ redis: b, config }, 'live', { points: 2, durationS: 60 });
      expect([await one.take('k'), await two.take('k')]).toEqual([0, 0]);
      expect(await one.take('k')).toBeGreaterThan(0);
      expect(await two.take('k')).toBeGreaterThan(0);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });
});
