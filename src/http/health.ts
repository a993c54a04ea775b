// Liveness, readiness and the Prometheus endpoint. Ready means the database answers: without Redis
// every request still works (background work waits in the outbox), so a load balancer must not
// take every process out during a Redis outage; /readyz then says "degraded" and names Redis.
import { Router } from 'express';
import { countUnrelayed } from '../db/outbox.repo';
import { pingRedis } from '../queue/connection';
import type { Runtime } from '../runtime';

export async function readiness(rt: Runtime): Promise<{ ok: boolean; degraded: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> }> {
  const [database, redis] = await Promise.all([
    rt.db
      .raw('select 1')
      .then(() => ({ ok: true, detail: 'reachable' }))
      .catch((err: Error) => ({ ok: false, detail: err.message })),
    pingRedis(rt.redis, 1000).then((ok) => ({ ok, detail: ok ? 'reachable' : `no answer from ${redactUrl(rt.redisUrl)}` })),
  ]);
  const checks = [
    { name: 'database', ...database },
    { name: 'redis', ...redis },
  ];
  return { ok: database.ok, degraded: database.ok && !redis.ok, checks };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

export function healthRouter(rt: Runtime, extraMetrics: () => Promise<void> = async () => undefined): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const result = await readiness(rt);
    res.status(result.ok ? 200 : 503).json({ status: !result.ok ? 'not ready' : result.degraded ? 'degraded' : 'ready', checks: result.checks });
  });
  r.get('/metrics', async (_req, res) => {
    await countUnrelayed(rt.db)
      .then((n) => rt.metrics.outboxPending.set(n))
      .catch(() => undefined);
    await extraMetrics().catch(() => undefined);
    res.setHeader('Content-Type', rt.metrics.registry.contentType);
    res.send(await rt.metrics.registry.metrics());
  });
  return r;
}
