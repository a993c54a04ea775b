// Every REST endpoint over HTTP, tried by every kind of caller: those the policy table lets do the
// route's action get past it, everyone else is refused (403) or learns nothing (404), and nobody
// gets in without credentials. (policy-matrix.test.ts adds resource states and both databases.)
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { ROUTES } from '../../../src/api/router';
import { decide } from '../../../src/domain/policy';
import { startTestApp, type TestApp } from '../../helpers/app';
import { type ApiClient, apiClient } from '../../helpers/api';
import { asOp } from '../../helpers/ctx';
import {
  IDENTITIES,
  type Identity,
  type RouteFixture,
  STANDINGS as CALLERS,
  buildRouteFixture,
  fillPath,
  pathParams,
  sampleBody,
} from '../../helpers/routeFixture';

/** Error codes only the gate (authentication and caller check) produces. */
const GATE = new Set(['unauthenticated', 'role.required', 'role.owner_required', 'account.not_found', 'not_found', 'msp.not_found', 'csrf']);

describe('RBAC: every endpoint with every role [sqlite]', () => {
  let app: TestApp;
  const clients: Record<string, ApiClient> = {};
  const ids: Record<string, string> = {};

  let f: RouteFixture;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    f = await buildRouteFixture(app.rt.db);
    ids.msp = f.mspId;
    ids.company = f.companyId;
    for (const who of IDENTITIES) {
      if (who === 'launched technician') continue;
      const { accountId, memberId } = f.people[who];
      const member = (await getMemberAnyState(app.rt.db, accountId, memberId))!;
      const s = await asOp(app.rt.db, (ctx) => startSession(ctx, member, 'test'));
      clients[who] = apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
    }
    clients['launched technician'] = clients['msp technician']!.launched(f.launchToken);
    clients.anonymous = apiClient(app.url, {});
  });
  afterAll(() => app.close());

  it('lets exactly the listed callers past the gate', async () => {
    const matrix: string[] = [];
    const wrong: string[] = [];
    for (const def of ROUTES) {
      const row: string[] = [];
      for (const who of Object.keys(clients)) {
        const res = await clients[who]!.req<{ error?: { code: string } }>(
          def.method.toUpperCase(),
          fillPath(def.path, pathParams(f, def.path, who as Identity, { destructive: true })),
          sampleBody(f, def.method, def.path),
        );
        const code = res.body?.error?.code;
        let passedGate = res.status < 400 || !GATE.has(code ?? '');
        // Another MSP asking about company C is told it does not exist, by whichever layer.
        if (who === 'other msp owner' && /:companyId/.test(def.path) && res.status === 404) passedGate = false;
        let expected: boolean;
        if (who === 'anonymous') expected = false;
        else if (def.scope === 'me') expected = true;
        else if (def.scope === 'msp' && /\/jobs$/.test(def.path)) expected = decide(def.action, new Set(CALLERS[who as Identity].msp), new Set()).allowed;
        else {
          const mine = CALLERS[who as Identity][def.scope === 'msp' ? 'msp' : 'account'];
          expected = decide(def.action, new Set(mine), new Set()).allowed;
          // Another MSP reaches its own MSP routes, but never company C's resources.
          if (who === 'other msp owner' && def.scope === 'msp' && /:companyId/.test(def.path)) expected = false;
        }
        if (who === 'anonymous' && res.status !== 401) wrong.push(`${def.method} ${def.path} anonymous -> ${res.status}`);
        if (passedGate !== expected)
          wrong.push(`${def.method} ${def.path} ${who}: expected ${expected ? 'through' : 'refused'}, got ${res.status} ${code ?? ''}`);
        if (res.status >= 500) wrong.push(`${def.method} ${def.path} ${who}: ${res.status} ${res.text.slice(0, 200)}`);
        row.push(passedGate ? 'Y' : res.status === 404 ? '.' : 'x');
      }
      matrix.push(`${row.join(' ')}  ${def.method.toUpperCase()} ${def.path}`);
    }
    console.log(`RBAC matrix (Y through, x 403, . 404) for: ${Object.keys(clients).join(' | ')}\n${matrix.join('\n')}`);
    expect(wrong).toEqual([]);
    expect(ROUTES.length).toBeGreaterThan(40);
  }, 120_000);

  it('refuses a console request without its CSRF token, and lets a cookie-less API token through', async () => {
    const owner = clients['msp owner']!;
    const noCsrf = apiClient(app.url, { cookie: owner.cookie });
    const r = await noCsrf.req<{ error: { code: string } }>('POST', '/companies', { name: 'No CSRF', country: 'US' });
    expect([r.status, r.body.error.code]).toEqual([403, 'csrf']);
    const token = (await owner.req<{ token: string; id: string }>('POST', '/api-tokens', { label: 'automation' })).body;
    const bot = apiClient(app.url, { bearer: token.token });
    expect((await bot.req('POST', '/companies', { name: 'By Token', country: 'US' })).status).toBe(201);
    expect((await bot.req<{ via: string }>('GET', '/me')).body.via).toBe('api_token');
    expect((await owner.req('DELETE', `/api-tokens/${token.id}`)).status).toBe(204);
    expect((await bot.req('GET', '/companies')).status).toBe(401);
    const stored = await app.rt.db('api_tokens').where({ id: token.id }).first();
    expect(JSON.stringify(stored)).not.toContain(token.token);
  });

  it('answers bad input with 400 and field errors, unknown ids across tenants with 404', async () => {
    const owner = clients['msp owner']!;
    const bad = await owner.req<{ error: { code: string; fields: Array<{ path: string }> } }>('POST', '/companies', { name: '', seats: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.fields.map((f) => f.path).sort()).toEqual(['country', 'name', 'seats']);
    const other = clients['other msp owner']!;
    const peek = await other.req<{ error: { code: string } }>('GET', `/companies/${ids.company}`);
    expect([peek.status, peek.body.error.code]).toEqual([404, 'company.not_found']);
    expect((await other.req('GET', `/accounts/${ids.company}/members`)).status).toBe(404);
    expect((await owner.req('GET', '/companies?sort=size')).status).toBe(400);
  });

  it('serves an OpenAPI document describing every endpoint', async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-callers': string[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    for (const def of ROUTES) expect(described).toContain(`${def.method} ${def.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(doc.paths['/companies']!.post!['x-callers']).toEqual(['owner', 'admin', 'technician']);
  });
});
