// Past capacity the process answers 429 with an integer Retry-After at once (load shedding),
// never a timeout or a 5xx; what it is already serving finishes, health stays reachable.
import http from 'node:http';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { createScimToken } from '../../../src/domain/scimTokens';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';

describe('load shedding (MAX_IN_FLIGHT)', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite', { env: { MAX_IN_FLIGHT: '2' } });
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Shed MSP', region: 'eu', ownerEmail: 'o@shed.example' }, ['eu']));
    const company = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Shed Co', country: 'DE' }));
    token = (await asOp(app.rt.db, (ctx) => createScimToken(ctx, company.id))).token;
  });
  afterAll(() => app.close());

  /** A POST whose body is still coming: in flight until finished or dropped. */
  function stalledPost(userName: string): { finish(): Promise<number>; drop(): void } {
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
    const req = http.request(`${app.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    req.write(body.slice(0, 10));
    return {
      finish: () => {
        req.end(body.slice(10));
        return answered;
      },
      drop: () => {
        answered.catch(() => undefined);
        req.destroy();
      },
    };
  }

  const get = (path: string) => fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('answers 429 + Retry-After with a SCIM body while MAX_IN_FLIGHT requests are open, and serves again after', async () => {
    const a = stalledPost('a-finished@shed.example');
    const b = stalledPost('b-dropped@shed.example');
    await new Promise((r) => setTimeout(r, 200));

    const shed = await get('/scim/v2/Users');
    expect(shed.status).toBe(429);
    expect(shed.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(shed.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(await shed.json()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: expect.any(String) });
    const api = await fetch(`${app.url}/api/v1/companies`);
    expect(api.status).toBe(429);
    expect(await api.json()).toEqual({ error: { code: 'overloaded', message: expect.any(String) } });
    // Health and metrics are never shed; the metric counts what was.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/^mspbridge_shed_requests_total 2$/m);

    // The requests being served finish normally; a dropped one frees its place too.
    expect(await a.finish()).toBe(201);
    b.drop();
    await new Promise((r) => setTimeout(r, 200));
    const after = await get('/scim/v2/Users?filter=userName%20eq%20%22a-finished@shed.example%22');
    expect(after.status).toBe(200);
    expect(((await after.json()) as { totalResults: number }).totalResults).toBe(1);
  });
});
