// The SCIM protocol around the resources: discovery, auth, errors, limits, Bulk, audit and the request log.
import { startTestApp, type TestApp } from '../../helpers/app';
import { describeEachScimApp, patchOp, scimAccount, scimClientFor, userBody } from '../../helpers/scim';
import { asOp } from '../../helpers/ctx';
import { revokeScimToken } from '../../../src/domain/scimTokens';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
type Res = Record<string, unknown> & { id: string };

describeEachScimApp('SCIM protocol', (f) => {
  it('tells the truth in ServiceProviderConfig, Schemas and ResourceTypes', async () => {
    const { c } = f();
    const spc = await c.req('GET', '/ServiceProviderConfig');
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 4194304 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        expect.objectContaining({ type: 'oauthbearertoken' }),
        expect.objectContaining({ type: 'oauth2', description: expect.stringMatching(/\/oauth\/token with grant_type=client_credentials/) }),
      ],
    });
    const schemas = await c.req<{ totalResults: number; Resources: Array<{ id: string; attributes: Array<{ name: string }> }> }>('GET', '/Schemas');
    expect(schemas.body.Resources.map((s) => s.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ]);
    expect(schemas.body.Resources[0]!.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(['userName', 'emails', 'active']));
    const user = await c.req<{ attributes: Array<{ name: string; caseExact: boolean; multiValued: boolean }> }>(
      'GET',
      '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    );
    expect(user.body.attributes.find((a) => a.name === 'userName')).toMatchObject({ caseExact: false, multiValued: false });
    expect(user.body.attributes.find((a) => a.name === 'emails')).toMatchObject({ multiValued: true });
    const types = await c.req<{ Resources: Array<{ id: string; endpoint: string }> }>('GET', '/ResourceTypes');
    expect(types.body.Resources.map((t) => [t.id, t.endpoint])).toEqual([
      ['User', '/Users'],
      ['Group', '/Groups'],
    ]);
    expect((await c.req('GET', '/ResourceTypes/Group')).status).toBe(200);
    expect((await c.req('GET', '/Schemas/urn:nope')).status).toBe(404);
  });

  it('answers 401 with a SCIM body and WWW-Authenticate without a valid token, and for a revoked one', async () => {
    const { c, app } = f();
    for (const auth of [undefined, 'Basic abc', 'Bearer nope', `Bearer ${c.token}x`]) {
      const res = await fetch(`${c.base}/Users`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ schemas: [ERROR], status: '401' });
    }
    const other = await scimAccount(app.rt.db, app.url, { name: 'Revoked', mspId: c.mspId });
    expect((await other.req('GET', '/Users')).status).toBe(200);
    const tokenId = (await app.rt.db('scim_tokens').where({ account_id: other.accountId }).first()).id;
    await asOp(app.rt.db, (ctx) => revokeScimToken(ctx, other.accountId, tokenId));
    // At once: the revocation's commit empties the authenticator's cache for the account (test/integration/scim/auth-cache.test.ts).
    expect((await other.req('GET', '/Users')).status).toBe(401);
  });

  it('answers unknown endpoints 404 and wrong methods 405, as SCIM errors', async () => {
    const { c } = f();
    for (const [method, path, status] of [
      ['GET', '/Nope', 404],
      ['GET', '/', 404],
      ['GET', '/Users/a/b', 404],
      ['DELETE', '/Users', 405],
      ['PATCH', '/ServiceProviderConfig', 405],
      ['GET', '/Bulk', 405],
      ['GET', '/Me', 501],
    ] as const) {
      const r = await c.req(method, path);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.body).toMatchObject({ schemas: [ERROR], status: String(status) });
    }
  });

  it('refuses a body over maxPayloadSize with 413 and a SCIM body', async () => {
    const { c } = f();
    const huge = JSON.stringify(userBody('huge@acme.example', { title: 'x'.repeat(4 * 1024 * 1024) }));
    const r = await c.req('POST', '/Users', huge);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ schemas: [ERROR], status: '413' });
  });

  it('runs Bulk with bulkId references, in order, each operation on its own', async () => {
    const { c } = f();
    const r = await c.req<{ Operations: Array<Record<string, unknown>> }>('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        // The group refers to users created later in the same request.
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { displayName: 'Bulk Team', members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] } },
        { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('bulk1@acme.example') },
        { method: 'POST', path: '/Users', bulkId: 'u2', data: userBody('bulk2@acme.example') },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: patchOp({ op: 'replace', path: 'title', value: 'Lead' }) },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('bulk1@acme.example') },
        { method: 'DELETE', path: '/Users/bulkId:u2' },
      ],
    });
    expect(r.status).toBe(200);
    const ops = r.body.Operations;
    expect(ops.map((o) => [o.bulkId ?? o.method, o.status])).toEqual([
      ['g1', '201'],
      ['u1', '201'],
      ['u2', '201'],
      ['PATCH', '200'],
      ['dup', '409'],
      ['DELETE', '204'],
    ]);
    expect(ops[4]!.response).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expect(ops[0]!.location).toMatch(/\/Groups\/[0-9a-f-]{36}$/);
    const group = await c.req<{ members: Array<{ value: string }> }>('GET', `/Groups/${String(ops[0]!.location).split('/').pop()}`);
    expect(group.body.members.map((m) => m.value)).toEqual([String(ops[1]!.location).split('/').pop()]);
  });

  it('stops a Bulk after failOnErrors errors and refuses more than maxOperations', async () => {
    const { c } = f();
    const r = await c.req<{ Operations: Array<Record<string, unknown>> }>('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      failOnErrors: 1,
      Operations: [
        { method: 'PATCH', path: '/Users/nobody', data: patchOp({ op: 'replace', path: 'title', value: 'x' }) },
        { method: 'POST', path: '/Users', bulkId: 'never', data: userBody('never@acme.example') },
      ],
    });
    expect(r.body.Operations.map((o) => o.status)).toEqual(['404']);
    expect((await c.req<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent('userName eq "never@acme.example"')}`)).body.totalResults).toBe(0);
    const tooMany = await c.req('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/x${i}` })),
    });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({ schemas: [ERROR], status: '413' });
    const circular = await c.req<{ Operations: Array<Record<string, unknown>> }>('POST', '/Bulk', {
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'a', data: { displayName: 'A', members: [{ value: 'bulkId:b' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'b', data: { displayName: 'B', members: [{ value: 'bulkId:a' }] } },
      ],
    });
    expect(circular.body.Operations.map((o) => o.status)).toEqual(['409', '409']);
  });

  it('writes one audit event per SCIM write, in the same transaction', async () => {
    const { c, app } = f();
    const u = await c.req<Res>('POST', '/Users', userBody('audited@acme.example'));
    await c.req('PATCH', `/Users/${u.body.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    await c.req('DELETE', `/Users/${u.body.id}`);
    const events = await app.rt.db('audit_events').where({ account_id: c.accountId, target_id: u.body.id }).orderBy('id');
    expect(events.map((e: { action: string; actor_kind: string }) => [e.action, e.actor_kind])).toEqual([
      ['scim.user.created', 'scim'],
      ['scim.user.suspended', 'scim'],
      ['scim.user.deleted_suspended', 'scim'],
    ]);
    // A refused write leaves nothing behind.
    const before = (await app.rt.db('audit_events').count({ n: '*' }))[0]!.n;
    await c.req('POST', '/Users', userBody('audited@acme.example'.toUpperCase()));
    await c.req('POST', '/Users', { userName: '' });
    const dup = await c.req('POST', '/Users', userBody('audit2@acme.example'));
    expect(dup.status).toBe(201);
    expect(Number((await app.rt.db('audit_events').count({ n: '*' }))[0]!.n)).toBe(Number(before) + 2);
  });

  it('logs each SCIM request with its IdP, status, latency and a redacted body', async () => {
    const { c, app } = f();
    const res = await fetch(`${c.base}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/scim+json', 'user-agent': 'Okta SCIM Client 1.0.0' },
      body: JSON.stringify(userBody('logged@acme.example', { password: 'hunter2-secret' })),
    });
    expect(res.status).toBe(201);
    await fetch(`${c.base}/Users?filter=bad`, { headers: { authorization: `Bearer ${c.token}`, 'user-agent': 'Microsoft.Azure.ActiveDirectory/1.0' } });
    await new Promise((r) => setTimeout(r, 400));
    const rows = await app.rt.db('scim_requests').where({ account_id: c.accountId }).orderBy('id', 'desc').limit(2);
    const [bad, post] = rows as Array<Record<string, unknown>>;
    expect(post).toMatchObject({ method: 'POST', path: '/Users', status: 201, idp: 'okta' });
    expect(JSON.stringify(post!.body)).not.toContain('hunter2');
    expect(JSON.stringify(post!.body)).toContain('[redacted]');
    expect(bad).toMatchObject({ method: 'GET', status: 400, idp: 'entra', scim_type: 'invalidFilter' });
    expect(Number(post!.latency_ms)).toBeGreaterThanOrEqual(0);
  });
});

describe('SCIM limits and failures', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite', { env: { SCIM_RATE_PER_TOKEN: '2', SCIM_AUTH_FAILURES_PER_MINUTE: '5' } });
  });
  afterAll(() => app.close());

  it('answers 429 with an integer Retry-After past the per-token rate', async () => {
    const c = await scimAccount(app.rt.db, app.url, { name: 'Limited' });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const r = await c.req('GET', '/Users?count=1');
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(r.body).toMatchObject({ schemas: [ERROR], status: '429' });
      }
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses).toContain(429);
    expect(retryAfter).toMatch(/^[1-9]\d*$/);
  });

  it('rate-limits failed authentication per client', async () => {
    const bad = scimClientFor(app.url, 'msb_scim_wrong', 'x');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await bad.req('GET', '/Users')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('answers a database failure with a logged 500 SCIM body, never a stack trace', async () => {
    const local = await startTestApp('sqlite');
    try {
      const c = await scimAccount(local.rt.db, local.url, { name: 'Broken' });
      await local.rt.db.schema.dropTable('audit_events');
      const r = await c.req('POST', '/Users', userBody('broken@acme.example'));
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ schemas: [ERROR], status: '500', detail: 'Internal error; the request was not applied.' });
      expect(r.text).not.toMatch(/at .*\.ts:\d+|SQLITE|audit_events/);
      // Nothing of the failed write is left: the user was rolled back with the audit row.
      expect(await local.rt.db('members').where({ account_id: c.accountId, user_name_ci: 'broken@acme.example' })).toHaveLength(0);
    } finally {
      await local.close();
    }
  });
});
