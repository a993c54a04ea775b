// Liveness, readiness (database and Redis), metrics, request ids and safe error pages.
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createRuntime } from '../../../src/runtime';
import { buildApp } from '../../../src/app';
import request from 'supertest';
import { startTestApp, testEnv, type TestApp } from '../../helpers/app';

describe('health endpoints', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
  });
  afterAll(() => app.close());

  it('GET /healthz answers while the process is up', async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the setup guides at /docs, where SCIM documentationUri points', async () => {
    const index = await fetch(`${app.url}/docs`);
    expect(index.status).toBe(200);
    const listing = await index.text();
    for (const guide of ['okta', 'entra', 'onelogin', 'jumpcloud', 'troubleshooting', 'operations']) expect(listing).toContain(`href="/docs/${guide}"`);
    const okta = await fetch(`${app.url}/docs/okta`);
    expect(okta.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await okta.text()).toMatch(/Okta/);
    for (const bad of ['/docs/..%2Fpackage', '/docs/nope', '/docs/..%2F..%2Fpackage.json', '/docs/OKTA%00'])
      expect((await fetch(`${app.url}${bad}`)).status).toBe(404);
  });

  it('GET /readyz checks the database and Redis', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(body.checks).toEqual([expect.objectContaining({ name: 'database', ok: true }), expect.objectContaining({ name: 'redis', ok: true })]);
  });

  it('GET /metrics speaks Prometheus and counts requests', async () => {
    await fetch(`${app.url}/healthz`);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/mspbridge_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('mspbridge_outbox_pending 0');
  });

  it('tags each response with a request id, keeping a sane incoming one', async () => {
    const own = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'idp-trace-42' } });
    expect(own.headers.get('x-request-id')).toBe('idp-trace-42');
    const bad = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown paths with a JSON 404 and security headers, no stack trace', async () => {
    const res = await fetch(`${app.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such page.' } });
  });
});

describe('readiness without Redis', () => {
  it('GET /readyz stays 200 but says "degraded" and names Redis (requests still work through the outbox)', async () => {
    const { env, drop } = testEnv('sqlite', { REDIS_URL: 'redis://127.0.0.1:1' });
    const config = loadConfig(env);
    const rt = createRuntime(config, { log: createLogger('silent') });
    try {
      const app = buildApp(rt);
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks).toEqual([
        expect.objectContaining({ name: 'database', ok: true }),
        expect.objectContaining({ name: 'redis', ok: false, detail: expect.stringContaining('127.0.0.1:1') }),
      ]);
      expect((await request(app).get('/healthz')).status).toBe(200);
    } finally {
      await rt.close();
      await drop();
    }
  });
});
