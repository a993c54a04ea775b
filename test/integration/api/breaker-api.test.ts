// The breaker's REST routes with real sessions, on SQLite and PostgreSQL: who may see, release
// and discard held removals, and that releasing one that takes from an Owner needs an Owner
// (a launched technician acts as an Administrator: it stays held, reported as needs_owner).
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { setMapping } from '../../../src/domain/mapping';
import { addManualMember } from '../../../src/domain/members';
import { createScimToken } from '../../../src/domain/scimTokens';
import { type ApiClient, apiClient } from '../../helpers/api';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { patchOp, scimClientFor, userBody } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string };
interface Held {
  memberId: string;
  kind: string;
  userName: string;
}

describe.each(DIALECTS)('held removals over REST [%s]', (dialect) => {
  let app: TestApp;
  let n = 0;
  const unique = (s: string) => `${s}${n++}@breaker-api.example`;
  async function as(accountId: string, memberId: string): Promise<ApiClient> {
    const member = (await getMemberAnyState(app.rt.db, accountId, memberId))!;
    const s = await asOp(app.rt.db, (ctx) => startSession(ctx, member, 'test'));
    return apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
  }
  const person = (accountId: string, email: string, group?: string) =>
    asOp(app.rt.db, (ctx) => addManualMember(ctx, { accountId, email, group, state: 'active' })).then((m) => m.id);

  beforeAll(async () => {
    app = await startTestApp(dialect);
  });
  afterAll(() => app.close());

  it('shows held removals to Owners, Administrators and launched technicians; Owner removals need an Owner to release', async () => {
    const db = app.rt.db;
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `MSP ${n++}`, region: 'us', ownerEmail: unique('mspowner') }, ['us']));
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: `Co ${n++}`, country: 'US' }));
    const ownerId = await person(company.id, unique('owner'), 'Owners');
    const adminId = await person(company.id, unique('admin'), 'Administrators');
    const memberId = await person(company.id, unique('member'));
    const techId = await person(msp.account.id, unique('tech'), 'MSP Technicians');
    const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
    const scim = scimClientFor(app.url, token, company.id, msp.account.id);
    const owner = await as(company.id, ownerId);
    const admin = await as(company.id, adminId);
    const tech = await as(msp.account.id, techId);
    const launch = (await tech.req<{ token: string }>('POST', `/companies/${company.id}/launch`, {})).body.token;
    const launched = tech.launched(launch);
    const base = `/accounts/${company.id}`;

    // The limit through the settings route: validated, then 1 per hour.
    expect((await admin.req('PATCH', `${base}/settings`, { deprovisionLimit: -1 })).status).toBe(400);
    expect((await admin.req('PATCH', `${base}/settings`, { deprovisionLimit: 1.5 })).status).toBe(400);
    const set = await admin.req<{ deprovisionLimit: number }>('PATCH', `${base}/settings`, { deprovisionLimit: 1 });
    expect(set.status).toBe(200);
    expect(set.body.deprovisionLimit).toBe(1);

    // Three pushed people become Owners through a mapping; the IdP then removes all three.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await scim.req<Res>('POST', '/Users', userBody(unique(`idp${i}`)))).body.id);
    const g = await scim.req<Res>('POST', '/Groups', { displayName: 'IdP Owners', members: ids.map((value) => ({ value })) });
    await asOp(db, (ctx) => setMapping(ctx, { accountId: company.id, scimGroup: g.body.id, group: 'Owners' }));
    expect((await scim.req('DELETE', `/Users/${ids[0]}`)).status).toBe(204);
    expect((await scim.req('DELETE', `/Users/${ids[1]}`)).status).toBe(204);
    expect((await scim.req<Res>('PATCH', `/Users/${ids[2]}`, patchOp({ op: 'replace', path: 'active', value: false }))).body.active).toBe(false);

    expect((await (await as(company.id, memberId)).req('GET', `${base}/provisioning/held`)).status).toBe(403);
    for (const who of [owner, admin, launched]) {
      const r = await who.req<{ limit: number; held: Held[] }>('GET', `${base}/provisioning/held`);
      expect(r.status).toBe(200);
      expect(r.body.limit).toBe(1);
      expect(r.body.held.map((h) => [h.kind, h.memberId])).toEqual([
        ['remove', ids[1]],
        ['suspend', ids[2]],
      ]);
    }
    // A launched technician (an Administrator here) cannot take anything from an Owner.
    const byTech = await launched.req<{ released: Array<{ outcome: string }>; remaining: number }>('POST', `${base}/provisioning/held/release`);
    expect(byTech.status).toBe(200);
    expect(byTech.body.released.map((r) => r.outcome)).toEqual(['needs_owner', 'needs_owner']);
    expect(byTech.body.remaining).toBe(2);
    // The company's Owner can.
    const byOwner = await owner.req<{ released: Array<{ memberId: string; outcome: string }>; remaining: number }>('POST', `${base}/provisioning/held/release`);
    expect(byOwner.body.released.map((r) => [r.memberId, r.outcome])).toEqual([
      [ids[1], 'applied'],
      [ids[2], 'applied'],
    ]);
    expect(byOwner.body.remaining).toBe(0);
    const states = await db('members').whereIn('id', ids).select('id', 'state');
    expect(Object.fromEntries(states.map((s: { id: string; state: string }) => [s.id, s.state]))).toEqual({
      [ids[0]!]: 'suspended',
      [ids[1]!]: 'suspended',
      [ids[2]!]: 'suspended',
    });
    const discard = await admin.req<{ discarded: unknown[] }>('POST', `${base}/provisioning/held/discard`);
    expect(discard.status).toBe(200);
    expect(discard.body.discarded).toEqual([]);
    const audit = (await db('audit_events').where({ account_id: company.id }).whereLike('action', 'breaker.%').select('action')).map(
      (r: { action: string }) => r.action,
    );
    expect(audit.sort()).toEqual(['breaker.held', 'breaker.held', 'breaker.released', 'breaker.released', 'breaker.reset', 'breaker.tripped']);
  });
});
