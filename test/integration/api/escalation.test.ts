// The attacker's reproductions from the security review, each written as the attack and checked
// by its outcome, not by the policy table (so a regression in the table turns these red). Items
// 7-10 (rate limits, body parsing, login CSRF, 500s on bad input) live in hardening.test.ts and
// test/integration/scim.
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { validateLink } from '../../../src/domain/links';
import { addManualMember } from '../../../src/domain/members';
import { localDirectory } from '../../../src/domain/regions';
import { system } from '../../../src/domain/principal';
import { startTestApp, type TestApp } from '../../helpers/app';
import { type ApiClient, apiClient } from '../../helpers/api';
import { asActor, asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimClientFor, userBody } from '../../helpers/scim';

describe.each(DIALECTS)('no privilege escalation, no access before approval [%s]', (dialect) => {
  let app: TestApp;
  let n = 0;
  const unique = (s: string) => `${s}${n++}@esc.example`;

  /** A signed-in console client for a person. */
  async function as(accountId: string, memberId: string): Promise<ApiClient> {
    const member = (await getMemberAnyState(app.rt.db, accountId, memberId))!;
    const s = await asOp(app.rt.db, (ctx) => startSession(ctx, member, 'test'));
    return apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
  }
  const person = (accountId: string, email: string, group?: string) =>
    asOp(app.rt.db, (ctx) => addManualMember(ctx, { accountId, email, group, state: 'active' })).then((m) => m.id);

  /** An MSP with a managed company that has an Owner and an Administrator of its own. */
  async function world() {
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: `MSP ${n++}`, region: 'us', ownerEmail: unique('mspowner') }, ['us', 'eu']));
    const company = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: `Co ${n++}`, country: 'US' }));
    const ownerId = await person(company.id, unique('owner'), 'Owners');
    const adminId = await person(company.id, unique('admin'), 'Administrators');
    const techId = await person(msp.account.id, unique('tech'), 'MSP Technicians');
    return { mspId: msp.account.id, mspOwnerId: msp.ownerId, companyId: company.id, ownerId, adminId, techId };
  }
  const ownersOf = async (accountId: string) =>
    (
      await app.rt
        .db('memberships as ms')
        .join('groups as g', 'g.id', 'ms.group_id')
        .where({ 'ms.account_id': accountId, 'g.kind': 'owners' })
        .select('ms.member_id')
    )
      .map((r: { member_id: string }) => r.member_id)
      .sort();

  beforeAll(async () => {
    app = await startTestApp(dialect, { env: { OPERATOR_EMAILS: 'ops@deployment.example' } });
  });
  afterAll(() => app.close());

  it('1. an Administrator cannot make anyone an Owner by inviting into Owners (company and MSP account)', async () => {
    const w = await world();
    const admin = await as(w.companyId, w.adminId);
    const r = await admin.req<{ error: { code: string } }>('POST', `/accounts/${w.companyId}/members`, { email: unique('evil'), group: 'Owners' });
    expect([r.status, r.body.error.code]).toEqual([403, 'role.owner_required']);
    expect(await ownersOf(w.companyId)).toEqual([w.ownerId]);
    // Same in the MSP's own account.
    const mspAdminId = await person(w.mspId, unique('mspadmin'), 'Administrators');
    const mspAdmin = await as(w.mspId, mspAdminId);
    const r2 = await mspAdmin.req('POST', `/accounts/${w.mspId}/members`, { email: unique('evil'), group: 'Owners' });
    expect(r2.status).toBe(403);
    expect(await ownersOf(w.mspId)).toEqual([w.mspOwnerId]);
    // An Owner still can.
    const owner = await as(w.companyId, w.ownerId);
    expect((await owner.req('POST', `/accounts/${w.companyId}/members`, { email: unique('coowner'), group: 'Owners' })).status).toBe(201);
  });

  it('2. an Administrator cannot become an Owner through SCIM, nor lock an Owner out by adoption', async () => {
    const w = await world();
    const admin = await as(w.companyId, w.adminId);
    const owner = await as(w.companyId, w.ownerId);
    // Adoption governs Owners: only Owners turn it on.
    const adopt = await admin.req<{ error: { code: string } }>('PATCH', `/accounts/${w.companyId}/settings`, { adoptExistingMembers: true });
    expect([adopt.status, adopt.body.error.code]).toEqual([403, 'role.owner_required']);
    // The Administrator connects the IdP (allowed) and pushes a group with an accomplice in it.
    const token = (await admin.req<{ token: string }>('POST', `/accounts/${w.companyId}/scim/tokens`, {})).body.token;
    const scim = scimClientFor(app.url, token, w.companyId);
    const accomplice = (await scim.req<{ id: string }>('POST', '/Users', userBody(unique('accomplice')))).body.id;
    const group = (
      await scim.req<{ id: string }>('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: `G${n++}`,
        members: [{ value: accomplice }],
      })
    ).body.id;
    // Mapping that group to Owners needs an Owner.
    const map = await admin.req<{ error: { code: string } }>('POST', `/accounts/${w.companyId}/mappings`, { scimGroup: group, group: 'Owners' });
    expect([map.status, map.body.error.code]).toEqual([403, 'role.owner_required']);
    expect(await ownersOf(w.companyId)).toEqual([w.ownerId]);
    // Even once an Owner maps it, the Administrator's credential cannot add Owners through it.
    expect((await owner.req('POST', `/accounts/${w.companyId}/mappings`, { scimGroup: group, group: 'Owners' })).status).toBe(200);
    const before = await ownersOf(w.companyId);
    const second = (await scim.req<{ id: string }>('POST', '/Users', userBody(unique('second')))).body.id;
    const patch = await scim.req('PATCH', `/Groups/${group}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: second }] }],
    });
    expect(patch.status).toBeLessThan(300);
    expect(await ownersOf(w.companyId)).toEqual(before);
    expect(before).not.toContain(second);
    // Adopting the Owner as inactive through the Administrator's credential is refused.
    expect((await owner.req('PATCH', `/accounts/${w.companyId}/settings`, { adoptExistingMembers: true })).status).toBe(200);
    const ownerEmail = (await getMemberAnyState(app.rt.db, w.companyId, w.ownerId))!.email!;
    const lock = await scim.req<{ status: string }>('POST', '/Users', userBody(ownerEmail, { active: false, emails: [{ value: ownerEmail, primary: true }] }));
    expect(lock.status).toBe(403);
    expect((await getMemberAnyState(app.rt.db, w.companyId, w.ownerId))!.state).toBe('active');
    // An Owner's credential may (the company's Owners trust their own IdP).
    const ownerToken = (await owner.req<{ token: string }>('POST', `/accounts/${w.companyId}/scim/tokens`, {})).body.token;
    const ownerScim = scimClientFor(app.url, ownerToken, w.companyId);
    expect((await ownerScim.req('POST', '/Users', userBody(ownerEmail, { emails: [{ value: ownerEmail, primary: true }] }))).status).toBe(201);
  });

  it('3. an MSP gains nothing on an independent company before its Owner approves', async () => {
    const w = await world();
    // An independent, subscribed company in the same region.
    const other = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: `Seller ${n++}`, region: 'us', ownerEmail: unique('s') }, ['us']));
    const indep = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: `Indep ${n++}`, country: 'US' }));
    const indepOwner = await person(indep.id, unique('indepowner'), 'Owners');
    await app.rt.db('accounts').where({ id: indep.id }).update({ msp_id: null, status: 'active', subscribed: true });
    const mspOwner = await as(w.mspId, w.mspOwnerId);
    const req = await mspOwner.req<{ requestId: string; status: string }>('POST', '/links', { accountId: indep.id });
    expect(req.status).toBe(202);
    // The region check passes; the request now waits for the Owner.
    expect(await asActor(app.rt.db, system('test'), (ctx) => validateLink(ctx, req.body.requestId, localDirectory(ctx.tx)))).toMatchObject({
      status: 'awaiting_approval',
    });
    expect(await app.rt.db('accounts').where({ id: indep.id }).first()).toMatchObject({ msp_id: null, status: 'active' });
    expect((await mspOwner.req('GET', `/companies/${indep.id}`)).status).toBe(404);
    expect((await mspOwner.req<{ items: Array<{ id: string }> }>('GET', '/companies')).body.items.map((c) => c.id)).not.toContain(indep.id);
    expect((await mspOwner.req('POST', `/companies/${indep.id}/unlink`, {})).status).toBe(404);
    expect((await mspOwner.req('POST', `/companies/${indep.id}/launch`, {})).status).toBe(404);
    expect((await mspOwner.req('GET', `/accounts/${indep.id}/audit`)).status).toBe(404);
    const rollUp = (await mspOwner.req<Array<{ accountId: string }>>('GET', '/audit')).body;
    expect(rollUp.filter((e) => e.accountId === indep.id)).toEqual([]);
    expect((await app.rt.db('accounts').where({ id: indep.id }).first()).subscribed).toBeTruthy();
    expect(indepOwner).toBeTruthy();
  });

  it("4. the deployment-wide jobs board is for operators only; MSP people see their own tenants' jobs", async () => {
    const w = await world();
    const mspOwner = await as(w.mspId, w.mspOwnerId);
    const board = await fetch(`${app.url}/console/jobs`, { headers: { cookie: mspOwner.cookie! } });
    expect(board.status).toBe(404);
    const opsMsp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: `Ops ${n++}`, region: 'us', ownerEmail: 'ops@deployment.example' }, ['us']));
    const ops = await as(opsMsp.account.id, opsMsp.ownerId);
    expect((await fetch(`${app.url}/console/jobs`, { headers: { cookie: ops.cookie! } })).status).toBe(200);
    // The MSP's own view lists only its tenants' jobs.
    await mspOwner.req('POST', `/accounts/${w.mspId}/members`, { email: unique('job') });
    const jobs = (await mspOwner.req<Array<{ accountId: string }>>('GET', '/jobs')).body;
    expect(jobs.length).toBeGreaterThan(0);
    expect(new Set(jobs.map((j) => j.accountId))).toEqual(new Set([w.mspId]));
  });

  it('5. a launched technician acts as an Administrator, never as an Owner', async () => {
    const w = await world();
    const tech = await as(w.mspId, w.techId);
    const launch = (await tech.req<{ token: string }>('POST', `/companies/${w.companyId}/launch`, {})).body.token;
    const launched = tech.launched(launch);
    expect((await launched.req('POST', `/accounts/${w.companyId}/members`, { email: unique('x'), group: 'Owners' })).status).toBe(403);
    expect((await launched.req('PUT', `/accounts/${w.companyId}/members/${w.adminId}/groups/Owners`)).status).toBe(403);
    expect((await launched.req('PATCH', `/accounts/${w.companyId}/settings`, { technicianSelfAccess: true })).status).toBe(403);
    expect((await launched.req('PATCH', `/accounts/${w.companyId}/settings`, { recoveryPlan: { allowTechnicians: true } })).status).toBe(403);
    expect(await ownersOf(w.companyId)).toEqual([w.ownerId]);
    // As an Administrator it still sets up the company.
    expect((await launched.req('POST', `/accounts/${w.companyId}/members`, { email: unique('staff') })).status).toBe(201);
    expect((await launched.req('PATCH', `/accounts/${w.companyId}/settings`, { policies: { passwordMinLength: 14 } })).status).toBe(200);
    // A company being set up (no Owner of its own yet) gets its first Owner from the MSP.
    const fresh = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: w.mspId, name: `Fresh ${n++}`, country: 'US' }));
    const l2 = (await tech.req<{ token: string }>('POST', `/companies/${fresh.id}/launch`, {})).body.token;
    expect((await tech.launched(l2).req('POST', `/accounts/${fresh.id}/members`, { email: unique('first'), group: 'Owners' })).status).toBe(201);
    expect((await tech.launched(l2).req('POST', `/accounts/${fresh.id}/members`, { email: unique('second'), group: 'Owners' })).status).toBe(403);
  });

  it("6. completing a recovery revokes the member's sessions and API tokens", async () => {
    const w = await world();
    const victimId = await person(w.mspId, unique('victim'), 'Administrators');
    const victim = await as(w.mspId, victimId);
    const apiToken = (await victim.req<{ token: string }>('POST', '/api-tokens', { label: 'stolen' })).body.token;
    const bot = apiClient(app.url, { bearer: apiToken });
    expect((await victim.req('GET', '/me')).status).toBe(200);
    expect((await bot.req('GET', '/me')).status).toBe(200);
    const mspOwner = await as(w.mspId, w.mspOwnerId);
    const started = await mspOwner.req<{ id: string }>('POST', `/accounts/${w.mspId}/recoveries`, { memberId: victimId });
    expect(started.status).toBe(201);
    await app.rt
      .db('recovery_requests')
      .where({ id: started.body.id })
      .update({ status: 'credentials_set', pending_password_hash: 'scrypt$16384$8$1$AAAA$AAAA' });
    expect((await mspOwner.req('POST', `/accounts/${w.mspId}/recoveries/${started.body.id}/complete`, {})).status).toBe(200);
    expect((await victim.req('GET', '/me')).status).toBe(401);
    expect((await bot.req('GET', '/me')).status).toBe(401);
    const open = await app.rt.db('sessions').where({ account_id: w.mspId, member_id: victimId }).whereNull('revoked_at');
    expect(open).toEqual([]);
  });
  it('7. a technician scoped to assigned companies cannot read, launch, link, re-scope or assign around the scope', async () => {
    const w = await world();
    const mspOwner = await as(w.mspId, w.mspOwnerId);
    const tech = await as(w.mspId, w.techId);
    // A launch opened while the MSP still let technicians reach every company.
    const early = (await tech.req<{ token: string }>('POST', `/companies/${w.companyId}/launch`, {})).body.token;
    expect((await mspOwner.req('PATCH', `/accounts/${w.mspId}/settings`, { technicianScope: 'assigned' })).status).toBe(200);
    // The open launch stops at once: the scope is asked on every request it makes.
    expect((await tech.launched(early).req('GET', `/accounts/${w.companyId}/members`)).status).toBe(404);
    // Not listed, not found, not launched, not changed, not unlinked.
    expect((await tech.req<{ total: number }>('GET', `/companies?search=${encodeURIComponent('Co ')}`)).body.total).toBe(0);
    expect((await tech.req('GET', `/companies/${w.companyId}`)).status).toBe(404);
    expect((await tech.req('POST', `/companies/${w.companyId}/launch`, {})).status).toBe(403);
    expect((await tech.req('PATCH', `/companies/${w.companyId}`, { seats: 1 })).status).toBe(404);
    expect((await tech.req('POST', `/companies/${w.companyId}/unlink`)).status).toBe(404);
    // Asking to link the company again does not tell it apart from an unknown account either.
    const relink = await tech.req<{ error: { code: string } }>('POST', '/links', { accountId: w.companyId });
    expect([relink.status, relink.body.error.code]).toEqual([404, 'company.not_found']);
    // The technician can neither widen the scope nor assign themself.
    expect((await tech.req('PATCH', `/accounts/${w.mspId}/settings`, { technicianScope: 'all' })).status).toBe(403);
    expect((await tech.req('PUT', `/technicians/${w.techId}/companies/${w.companyId}`)).status).toBe(403);
    // Nor reach the company as a person of it: without a launch it is not theirs.
    expect((await tech.req('GET', `/accounts/${w.companyId}/members`)).status).toBe(404);
    // Assigned by an Owner, the technician works there again; an MSP Administrator never needed it.
    expect((await mspOwner.req('PUT', `/technicians/${w.techId}/companies/${w.companyId}`)).status).toBe(200);
    expect((await tech.req('POST', `/companies/${w.companyId}/launch`, {})).status).toBe(201);
    const mspAdmin = await as(w.mspId, await person(w.mspId, unique('mspadmin'), 'Administrators'));
    const other = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: w.mspId, name: `Other ${n++}`, country: 'US' }));
    expect((await mspAdmin.req('GET', `/companies/${other.id}`)).status).toBe(200);
    expect((await tech.req('GET', `/companies/${other.id}`)).status).toBe(404);
  });

  it('8. webhooks: technicians and other MSPs cannot touch them, a secret is never shown twice, private targets are refused', async () => {
    const w = await world();
    const other = await world();
    const owner = await as(w.mspId, w.mspOwnerId);
    const tech = await as(w.mspId, w.techId);
    const stranger = await as(other.mspId, other.mspOwnerId);
    // This app runs without WEBHOOK_ALLOW_PRIVATE: loopback, metadata and private targets are refused.
    for (const url of ['http://127.0.0.1:3000/x', 'http://169.254.169.254/latest/meta-data', 'https://[::ffff:10.0.0.1]/x', 'http://localhost/x']) {
      const r = await owner.req<{ error: { code: string } }>('POST', '/webhooks', { url });
      expect([url, r.status, r.body.error.code]).toEqual([url, 400, 'webhook.url.private']);
    }
    const bad = await owner.req<{ error: { code: string; message: string } }>('POST', '/webhooks', {
      url: 'https://93.184.215.14/x',
      events: ['company.deleted'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/the events are: provisioning\.held/);
    const made = await owner.req<{ id: string; secret: string }>('POST', '/webhooks', { url: 'https://93.184.215.14/x' });
    expect(made.status).toBe(201);
    const listed = await owner.req('GET', '/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain(made.body.secret);
    expect((await tech.req('POST', '/webhooks', { url: 'https://93.184.215.14/y' })).status).toBe(403);
    expect((await tech.req('GET', '/webhook-deliveries')).status).toBe(403);
    expect((await tech.req('DELETE', `/webhooks/${made.body.id}`)).status).toBe(403);
    expect((await tech.req('POST', '/notifications/contacts', { email: 'tech-spy@esc.example' })).status).toBe(403);
    // Another MSP acts in its own tenant: MSP A's hook does not exist there.
    expect((await stranger.req('DELETE', `/webhooks/${made.body.id}`)).status).toBe(404);
    expect((await stranger.req('GET', `/webhook-deliveries?webhookId=${made.body.id}`)).status).toBe(404);
    expect((await stranger.req<unknown[]>('GET', '/webhooks')).body).toEqual([]);
    expect((await owner.req<unknown[]>('GET', '/webhooks')).body).toHaveLength(1);
  });
});
