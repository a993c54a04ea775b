// Technician scope over REST: with `technicianScope: assigned` an MSP Technician sees, reads and
// launches only the companies assigned to them (list, search and counts filtered in SQL); MSP
// Owners and Administrators see all; the MSP's Owners set the scope; assignments are audited.
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { addManualMember } from '../../../src/domain/members';
import { updateSettings } from '../../../src/domain/settings';
import { startTestApp, type TestApp } from '../../helpers/app';
import { type ApiClient, apiClient } from '../../helpers/api';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';

interface Page {
  total: number;
  items: Array<{ id: string; name: string; seatsCapped: boolean; atSeatCap: boolean }>;
}

describe.each(DIALECTS)('technician scope over REST [%s]', (dialect) => {
  let app: TestApp;
  let mspId: string;
  let owner: ApiClient;
  let admin: ApiClient;
  let tech: ApiClient;
  let techId: string;
  let adminId: string;
  const companies: string[] = [];

  async function as(accountId: string, memberId: string): Promise<ApiClient> {
    const member = (await getMemberAnyState(app.rt.db, accountId, memberId))!;
    const s = await asOp(app.rt.db, (ctx) => startSession(ctx, member, 'test'));
    return apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
  }
  const person = (accountId: string, email: string, group?: string) =>
    asOp(app.rt.db, (ctx) => addManualMember(ctx, { accountId, email, group, state: 'active' })).then((m) => m.id);

  beforeAll(async () => {
    app = await startTestApp(dialect);
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Scope MSP', region: 'eu', ownerEmail: 'owner@scope.example' }, ['eu']));
    mspId = msp.account.id;
    owner = await as(mspId, msp.ownerId);
    adminId = await person(mspId, 'admin@scope.example', 'Administrators');
    admin = await as(mspId, adminId);
    techId = await person(mspId, 'tech@scope.example', 'MSP Technicians');
    tech = await as(mspId, techId);
    for (const name of ['Alpha GmbH', 'Beta AG', 'Gamma KG'])
      companies.push((await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId, name, country: 'DE' }))).id);
  });
  afterAll(() => app.close());

  it('only the MSP’s Owners set the scope, and only on an MSP account', async () => {
    const byAdmin = await admin.req<{ error: { code: string } }>('PATCH', `/accounts/${mspId}/settings`, { technicianScope: 'assigned' });
    expect([byAdmin.status, byAdmin.body.error.code]).toEqual([403, 'role.owner_required']);
    const bad = await owner.req<{ error: { code: string } }>('PATCH', `/accounts/${mspId}/settings`, { technicianScope: 'some' });
    expect(bad.status).toBe(400);
    const ok = await owner.req<{ technicianScope: string }>('PATCH', `/accounts/${mspId}/settings`, { technicianScope: 'assigned' });
    expect([ok.status, ok.body.technicianScope]).toEqual([200, 'assigned']);
    expect((await owner.req<{ settings: { technicianScope: string } }>('GET', `/accounts/${mspId}`)).body.settings.technicianScope).toBe('assigned');
  });

  it('a technician sees nothing until assigned; then exactly the assigned companies (list, search, counts)', async () => {
    expect((await tech.req<Page>('GET', '/companies')).body).toMatchObject({ total: 0, items: [] });
    // Administrators assign (technicians.manage); a technician cannot assign themself.
    const self = await tech.req<{ error: { code: string } }>('PUT', `/technicians/${techId}/companies/${companies[0]}`);
    expect(self.status).toBe(403);
    const put = await admin.req('PUT', `/technicians/${techId}/companies/${companies[0]}`);
    expect([put.status, put.body]).toEqual([200, { memberId: techId, companyId: companies[0], assigned: true, changed: true }]);
    expect((await admin.req('PUT', `/technicians/${techId}/companies/${companies[0]}`)).body).toMatchObject({ changed: false });
    expect((await admin.req('PUT', `/technicians/${techId}/companies/${companies[2]}`)).status).toBe(200);
    const page = (await tech.req<Page>('GET', '/companies')).body;
    expect([page.total, page.items.map((c) => c.name)]).toEqual([2, ['Alpha GmbH', 'Gamma KG']]);
    expect((await tech.req<Page>('GET', '/companies?search=beta')).body.total).toBe(0);
    expect((await tech.req<Page>('GET', '/companies?search=gamma')).body.total).toBe(1);
    expect((await tech.req<Page>('GET', '/companies?status=setup&limit=1')).body).toMatchObject({ total: 2 });
    // Owners and Administrators see all three.
    expect((await admin.req<Page>('GET', '/companies')).body.total).toBe(3);
    expect((await owner.req<Page>('GET', '/companies')).body.total).toBe(3);
    const list = await tech.req<Array<{ companyName: string; email: string }>>('GET', `/technician-assignments?memberId=${techId}`);
    expect(list.body.map((a) => [a.companyName, a.email])).toEqual([
      ['Alpha GmbH', 'tech@scope.example'],
      ['Gamma KG', 'tech@scope.example'],
    ]);
    const audit = await app.rt.db('audit_events').where({ msp_id: mspId, action: 'technician.assigned' });
    expect(audit).toHaveLength(2);
  });

  it('outside the scope: detail 404 like an unlinked company, launch 403, seats and unlink 404; inside: all works', async () => {
    const beta = companies[1]!;
    const detail = await tech.req<{ error: { code: string } }>('GET', `/companies/${beta}`);
    expect([detail.status, detail.body.error.code]).toEqual([404, 'company.not_found']);
    const launch = await tech.req<{ error: { code: string } }>('POST', `/companies/${beta}/launch`, {});
    expect([launch.status, launch.body.error.code]).toEqual([403, 'technician.scope']);
    expect((await tech.req('PATCH', `/companies/${beta}`, { seats: 50 })).status).toBe(404);
    expect((await tech.req('POST', `/companies/${beta}/unlink`)).status).toBe(404);
    // An Administrator reaches it.
    expect((await admin.req('GET', `/companies/${beta}`)).status).toBe(200);
    expect((await admin.req('POST', `/companies/${beta}/launch`, {})).status).toBe(201);
    // Inside the scope the technician works as before.
    const alpha = companies[0]!;
    expect((await tech.req('GET', `/companies/${alpha}`)).status).toBe(200);
    const l = await tech.req<{ token: string }>('POST', `/companies/${alpha}/launch`, {});
    expect(l.status).toBe(201);
    const inside = tech.launched(l.body.token);
    expect((await inside.req('GET', `/accounts/${alpha}/members`)).status).toBe(200);
    // Unassigning ends what the open launch may do at once.
    const del = await admin.req('DELETE', `/technicians/${techId}/companies/${alpha}`);
    expect([del.status, del.body]).toEqual([200, { memberId: techId, companyId: alpha, assigned: false, changed: true }]);
    expect((await inside.req('GET', `/accounts/${alpha}/members`)).status).toBe(404);
    expect((await admin.req('DELETE', `/technicians/${techId}/companies/${alpha}`)).body).toMatchObject({ changed: false });
  });

  it('assigns only MSP Technicians of the MSP, and only companies it manages', async () => {
    const notTech = await admin.req<{ error: { code: string } }>('PUT', `/technicians/${adminId}/companies/${companies[0]}`);
    expect([notTech.status, notTech.body.error.code]).toEqual([400, 'technician.not_technician']);
    const other = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Other', region: 'eu', ownerEmail: 'o@other.example' }, ['eu']));
    const foreign = (await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Foreign', country: 'DE' }))).id;
    expect((await admin.req('PUT', `/technicians/${techId}/companies/${foreign}`)).status).toBe(404);
    // The scope is an MSP setting: refused on a company, even for the operator.
    await expect(asOp(app.rt.db, (ctx) => updateSettings(ctx, companies[0]!, { technicianScope: 'assigned' }))).rejects.toMatchObject({
      code: 'settings.technicianScope.msp_only',
    });
  });

  it('a scoped technician keeps the company they add in their scope', async () => {
    const added = await tech.req<{ id: string }>('POST', '/companies', { name: 'Delta SE', country: 'DE' });
    expect(added.status).toBe(201);
    expect((await tech.req('GET', `/companies/${added.body.id}`)).status).toBe(200);
    expect((await tech.req<Page>('GET', '/companies?search=delta')).body.total).toBe(1);
    companies.push(added.body.id);
  });

  it('with scope `all` (default) the technician sees every company again', async () => {
    expect((await owner.req('PATCH', `/accounts/${mspId}/settings`, { technicianScope: 'all' })).status).toBe(200);
    expect((await tech.req<Page>('GET', '/companies')).body.total).toBe(4);
    expect((await tech.req('GET', `/companies/${companies[1]}`)).status).toBe(200);
  });
});
