// Every REST endpoint over HTTP, tried by every kind of caller: those the policy table lets do the
// route's action get past it, everyone else is refused (403) or learns nothing (404), and nobody
// gets in without credentials. (policy-matrix.test.ts adds resource states and both databases.)
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { launchCompany } from '../../../src/domain/access';
import { addManualMember } from '../../../src/domain/members';
import { createVault } from '../../../src/domain/vaults';
import { ROUTES } from '../../../src/api/router';
import { decide, type Standing } from '../../../src/domain/policy';
import { startTestApp, type TestApp } from '../../helpers/app';
import { type ApiClient, apiClient } from '../../helpers/api';
import { asActor, asOp } from '../../helpers/ctx';

/** Error codes only the gate (authentication and caller check) produces. */
const GATE = new Set(['unauthenticated', 'role.required', 'role.owner_required', 'account.not_found', 'not_found', 'msp.not_found', 'csrf']);

describe('RBAC: every endpoint with every role [sqlite]', () => {
  let app: TestApp;
  const clients: Record<string, ApiClient> = {};
  const ids: Record<string, string> = {};
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const db = app.rt.db;
    const a = await asOp(db, (ctx) => createMsp(ctx, { name: 'MSP A', region: 'us', ownerEmail: 'owner@a.example' }, ['us']));
    const b = await asOp(db, (ctx) => createMsp(ctx, { name: 'MSP B', region: 'us', ownerEmail: 'owner@b.example' }, ['us']));
    ids.msp = a.account.id;
    const c = await asOp(db, (ctx) => addCompany(ctx, { mspId: a.account.id, name: 'Company C', country: 'US' }));
    ids.company = c.id;
    const person = async (accountId: string, email: string, group?: string) =>
      (await asOp(db, (ctx) => addManualMember(ctx, { accountId, email, group, state: 'active' }))).id;
    const people: Record<string, [string, string]> = {
      'msp owner': [a.account.id, a.ownerId],
      'msp admin': [a.account.id, await person(a.account.id, 'admin@a.example', 'Administrators')],
      'msp technician': [a.account.id, await person(a.account.id, 'tech@a.example', 'MSP Technicians')],
      'msp member': [a.account.id, await person(a.account.id, 'plain@a.example')],
      'company owner': [c.id, await person(c.id, 'owner@c.example', 'Owners')],
      'company admin': [c.id, await person(c.id, 'admin@c.example', 'Administrators')],
      'company member': [c.id, await person(c.id, 'member@c.example')],
      'other msp owner': [b.account.id, b.ownerId],
    };
    ids.member = people['company member']![1];
    // Routes that change a person aim at someone who is not one of the callers.
    ids.target = await person(c.id, 'target@c.example');
    ids.vault = (await asOp(db, (ctx) => createVault(ctx, { accountId: c.id, name: 'V' }))).id;
    for (const [name, [accountId, memberId]] of Object.entries(people)) {
      const member = (await getMemberAnyState(db, accountId, memberId))!;
      const s = await asOp(db, (ctx) => startSession(ctx, member, 'test'));
      clients[name] = apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
    }
    const techPrincipal = { kind: 'member' as const, accountId: a.account.id, memberId: people['msp technician']![1], label: 'tech' };
    const launch = await asActor(db, techPrincipal, (ctx) => launchCompany(ctx, { mspId: a.account.id, companyId: c.id }));
    clients['launched technician'] = clients['msp technician']!.launched(launch.token);
    clients.anonymous = apiClient(app.url, {});
  });
  afterAll(() => app.close());

  /** What each test identity is (hand-written, not computed) in the MSP and in company C. */
  const CALLERS: Record<string, { msp: Standing[]; account: Standing[] }> = {
    'msp owner': { msp: ['owner', 'member'], account: [] },
    'msp admin': { msp: ['admin', 'member'], account: [] },
    'msp technician': { msp: ['technician', 'member'], account: [] },
    'msp member': { msp: ['member'], account: [] },
    'company owner': { msp: [], account: ['owner', 'member'] },
    'company admin': { msp: [], account: ['admin', 'member'] },
    'company member': { msp: [], account: ['member'] },
    'launched technician': { msp: ['technician', 'member'], account: ['launched'] },
    'other msp owner': { msp: ['owner', 'member'], account: [] },
  };

  const sample = (method: string, path: string): unknown => {
    const key = `${method.toUpperCase()} ${path}`;
    const bodies: Record<string, unknown> = {
      'POST /companies': { name: `RBAC Co ${n++}`, country: 'US' },
      'POST /companies/:companyId/launch': {},
      'POST /links': { accountId: '00000000-0000-4000-8000-000000000001' },
      'POST /technicians': { email: `t${n++}@rbac.example` },
      'POST /api-tokens': { label: 'rbac' },
      'POST /accounts/:accountId/members': { email: `m${n++}@rbac.example` },
      'POST /accounts/:accountId/groups': { name: `G${n++}` },
      'PATCH /accounts/:accountId/settings': { policies: { passwordMinLength: 12 } },
      'POST /accounts/:accountId/vaults': { name: `V${n++}` },
      'POST /accounts/:accountId/vaults/:vaultId/access': { memberId: ids.target },
      'POST /accounts/:accountId/vaults/:vaultId/items': { title: 'x', category: 'login' },
      'POST /accounts/:accountId/recoveries': { memberId: ids.target },
      'POST /accounts/:accountId/scim/tokens': {},
      'POST /accounts/:accountId/mappings': { scimGroup: 'nope', group: 'Administrators', dryRun: true },
    };
    return bodies[key] ?? (method === 'get' || method === 'delete' ? undefined : {});
  };

  const fill = (path: string, who: string) =>
    path
      .replace(':accountId', ids.company!)
      // Destructive MSP routes aim at a company that does not exist, so they cannot change the fixture.
      .replace(':companyId', /unlink/.test(path) ? '00000000-0000-4000-8000-00000000dead' : ids.company!)
      .replace(':memberId', who === 'launched technician' || who.startsWith('company') ? ids.target! : '00000000-0000-4000-8000-000000000002')
      .replace(':vaultId', ids.vault!)
      .replace(':group', 'Administrators')
      .replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000003');

  it('lets exactly the listed callers past the gate', async () => {
    const matrix: string[] = [];
    const wrong: string[] = [];
    for (const def of ROUTES) {
      const row: string[] = [];
      for (const who of Object.keys(clients)) {
        const res = await clients[who]!.req<{ error?: { code: string } }>(def.method.toUpperCase(), fill(def.path, who), sample(def.method, def.path));
        const code = res.body?.error?.code;
        let passedGate = res.status < 400 || !GATE.has(code ?? '');
        // Another MSP asking about company C is told it does not exist, by whichever layer.
        if (who === 'other msp owner' && /:companyId/.test(def.path) && res.status === 404) passedGate = false;
        let expected: boolean;
        if (who === 'anonymous') expected = false;
        else if (def.scope === 'me') expected = true;
        else if (def.scope === 'msp' && /\/jobs$/.test(def.path)) expected = decide(def.action, new Set(CALLERS[who]!.msp), new Set()).allowed;
        else {
          const mine = CALLERS[who]![def.scope === 'msp' ? 'msp' : 'account'];
          expected = decide(def.action, new Set(mine), new Set()).allowed;
          // Another MSP reaches its own MSP routes, but never company C's resources.
          if (who === 'other msp owner' && def.scope === 'msp' && /:companyId/.test(def.path)) expected = false;
        }
        if (who === 'anonymous' && res.status !== 401) wrong.push(`${def.method} ${def.path} anonymous -> ${res.status}`);
        if (passedGate !== expected) wrong.push(`${def.method} ${def.path} ${who}: expected ${expected ? 'through' : 'refused'}, got ${res.status} ${code ?? ''}`);
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
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { 'x-callers': string[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    for (const def of ROUTES) expect(described).toContain(`${def.method} ${def.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(doc.paths['/companies']!.post!['x-callers']).toEqual(['owner', 'admin', 'technician']);
  });
});
