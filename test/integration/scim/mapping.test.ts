// Group -> role mapping end to end over SCIM, on SQLite and PostgreSQL: the mirror, mappings,
// previews, the last-Owner guard, adoption, deprovisioning and MSP technicians.
import { listCompanies } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { driftReport, listMappings, removeMapping, resync, setMapping } from '../../../src/domain/mapping';
import { addManualMember, listMembersWithGroups, type MemberListing } from '../../../src/domain/members';
import { updateSettings } from '../../../src/domain/settings';
import { createScimToken } from '../../../src/domain/scimTokens';
import { asActor, asOp } from '../../helpers/ctx';
import { describeEachScimApp, patchOp, scimAccount, scimClientFor, userBody, type ScimClient } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string };

describeEachScimApp('group -> role mapping', (f) => {
  let c: ScimClient;
  const id: Record<string, string> = {};
  const gid: Record<string, string> = {};
  const db = () => f().app.rt.db;
  const members = async (account = c.accountId) => {
    const list = await asOp(db(), (ctx) => listMembersWithGroups(ctx, account));
    return Object.fromEntries(list.map((m) => [m.email, m])) as Record<string, MemberListing>;
  };
  const push = async (email: string) => {
    const r = await c.req<Res>('POST', '/Users', userBody(email));
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const addTo = (group: string, ...ids: string[]) =>
    c.req('PATCH', `/Groups/${gid[group]}`, patchOp({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }));
  const removeFrom = (group: string, memberId: string) =>
    c.req('PATCH', `/Groups/${gid[group]}`, patchOp({ op: 'remove', path: `members[value eq "${memberId}"]` }));

  beforeAll(async () => {
    c = await scimAccount(db(), f().app.url, { name: 'Mapped Co', mspId: f().c.mspId });
    for (const n of ['alice', 'bob', 'carol', 'dave']) id[n] = await push(`${n}@mapped.example`);
    gid.owners = (await c.req<Res>('POST', '/Groups', { displayName: 'Okta Owners', externalId: '00g-owners', members: [{ value: id.alice }] })).body.id;
    gid.admins = (
      await c.req<Res>('POST', '/Groups', { displayName: 'Okta Admins', externalId: '00g-admins', members: [{ value: id.bob }, { value: id.carol }] })
    ).body.id;
  });

  it('turns unmapped pushed groups into custom groups of the same name', async () => {
    const m = await members();
    expect(m['alice@mapped.example']!.groups).toEqual(['Okta Owners']);
    expect(m['bob@mapped.example']!.groups).toEqual(['Okta Admins']);
    const maps = await asOp(db(), (ctx) => listMappings(ctx, c.accountId));
    expect(maps.map((x) => [x.idpDisplayName, x.group, x.automatic])).toEqual([
      ['Okta Owners', 'Okta Owners', true],
      ['Okta Admins', 'Okta Admins', true],
    ]);
  });

  it('previews a mapping with --dry-run exactly, changing nothing', async () => {
    const before = await members();
    const preview = await asOp(db(), (ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: gid.owners!, group: 'Owners' }, { dryRun: true }));
    expect(preview.dryRun).toBe(true);
    expect(preview.changes.map((x) => [x.email, x.group, x.change]).sort()).toEqual([
      ['alice@mapped.example', 'Okta Owners', 'lose'],
      ['alice@mapped.example', 'Owners', 'gain'],
    ]);
    expect(await members()).toEqual(before);
    expect((await asOp(db(), (ctx) => listMappings(ctx, c.accountId))).every((m) => m.automatic)).toBe(true);
  });

  it('maps an IdP group to Owners by SCIM id and another to Administrators by externalId', async () => {
    const owners = await asOp(db(), (ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: gid.owners!, group: 'Owners' }));
    expect(owners.changes.filter((x) => x.change === 'gain').map((x) => x.email)).toEqual(['alice@mapped.example']);
    const admins = await asOp(db(), (ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: '00g-admins', group: 'administrators' }));
    expect(admins.mapping).toMatchObject({ idpGroupId: gid.admins, group: 'Administrators', automatic: false });
    const m = await members();
    expect(m['alice@mapped.example']!.groups).toEqual(['Owners']);
    expect(m['bob@mapped.example']!.groups).toEqual(['Administrators']);
    expect(m['carol@mapped.example']!.groups).toEqual(['Administrators']);
    expect(m['dave@mapped.example']!.groups).toEqual([]);
  });

  it('follows pushes incrementally: adds and removals change roles at once', async () => {
    await addTo('admins', id.dave!);
    expect((await members())['dave@mapped.example']!.groups).toEqual(['Administrators']);
    await removeFrom('admins', id.dave!);
    expect((await members())['dave@mapped.example']!.groups).toEqual([]);
  });

  it('holds the removal of the last Owner and releases it when another Owner arrives', async () => {
    const r = await removeFrom('owners', id.alice!);
    expect(r.status).toBe(204);
    let m = await members();
    expect(m['alice@mapped.example']!.groups).toEqual(['Owners']);
    expect(m['alice@mapped.example']!.held).toEqual([{ kind: 'remove_role', group: 'Owners', since: expect.any(String), reason: 'last_owner' }]);
    const drift = await asOp(db(), (ctx) => driftReport(ctx, c.accountId));
    expect(drift.drift).toEqual([]);
    expect(drift.held).toEqual([expect.objectContaining({ email: 'alice@mapped.example', kind: 'remove_role', group: 'Owners' })]);
    expect(await db()('audit_events').where({ account_id: c.accountId, action: 'guard.last_owner.held' })).toHaveLength(1);
    // Another Owner arrives through the IdP: the held change goes through.
    await addTo('owners', id.dave!);
    m = await members();
    expect(m['dave@mapped.example']!.groups).toEqual(['Owners']);
    expect(m['alice@mapped.example']!.groups).toEqual([]);
    expect(m['alice@mapped.example']!.held).toEqual([]);
    expect(await db()('audit_events').where({ account_id: c.accountId, action: 'guard.last_owner.released' })).toHaveLength(1);
  });

  it('cancels a held removal when the IdP puts the Owner back', async () => {
    await removeFrom('owners', id.dave!);
    expect((await members())['dave@mapped.example']!.held).toHaveLength(1);
    await addTo('owners', id.dave!);
    const m = await members();
    expect(m['dave@mapped.example']!.held).toEqual([]);
    expect(m['dave@mapped.example']!.groups).toEqual(['Owners']);
  });

  it('holds suspending or deleting the last Owner, and applies it once another Owner exists', async () => {
    const off = await c.req<Res>('PATCH', `/Users/${id.dave}`, patchOp({ op: 'replace', value: { active: false } }));
    expect(off.body.active).toBe(false); // the IdP sees what it pushed
    let m = await members();
    expect(m['dave@mapped.example']).toMatchObject({ state: 'invited', groups: ['Owners'], held: [expect.objectContaining({ kind: 'suspend' })] });
    const on = await c.req<Res>('PATCH', `/Users/${id.dave}`, patchOp({ op: 'replace', value: { active: true } }));
    expect(on.body.active).toBe(true);
    expect((await members())['dave@mapped.example']!.held).toEqual([]);
    // DELETE of the last Owner: SCIM no longer sees dave, but dave keeps the account.
    expect((await c.req('DELETE', `/Users/${id.dave}`)).status).toBe(204);
    expect((await c.req('GET', `/Users/${id.dave}`)).status).toBe(404);
    m = await members();
    expect(m['dave@mapped.example']).toMatchObject({ state: 'invited', scimManaged: false, groups: ['Owners'] });
    expect(m['dave@mapped.example']!.held.map((h) => h.kind).sort()).toEqual(['remove', 'remove_role']);
    await addTo('owners', id.alice!);
    m = await members();
    expect(m['alice@mapped.example']!.groups).toEqual(['Owners']);
    expect(m['dave@mapped.example']).toMatchObject({ state: 'suspended', groups: [], held: [] });
  });

  it('keeps manual roles given by an Owner when the IdP demotes someone', async () => {
    const manual = await asOp(db(), (ctx) => addManualMember(ctx, { accountId: c.accountId, email: 'erin@mapped.example', group: 'Administrators' }));
    // By default a push matching a manual member is refused.
    const refused = await c.req('POST', '/Users', userBody('erin@mapped.example'));
    expect(refused.body).toMatchObject({ status: '409', scimType: 'uniqueness', detail: expect.stringMatching(/added to this account by hand/) });
    await asOp(db(), (ctx) => updateSettings(ctx, c.accountId, { adoptExistingMembers: true }));
    const adopted = await c.req<Res>('POST', '/Users', userBody('erin@mapped.example'));
    expect(adopted.status).toBe(201);
    expect(adopted.body.id).toBe(manual.id);
    await addTo('admins', manual.id);
    await removeFrom('admins', manual.id);
    expect((await members())['erin@mapped.example']).toMatchObject({ scimManaged: true, groups: ['Administrators'] });
  });

  it('suspends on active=false and restores roles on reactivation; DELETE can remove per setting', async () => {
    await c.req('PATCH', `/Users/${id.bob}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    let m = await members();
    expect(m['bob@mapped.example']).toMatchObject({ state: 'suspended', groups: ['Administrators'] });
    await c.req('PATCH', `/Users/${id.bob}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    m = await members();
    expect(m['bob@mapped.example']).toMatchObject({ state: 'invited', groups: ['Administrators'] });
    await asOp(db(), (ctx) => updateSettings(ctx, c.accountId, { scimDeleteMode: 'remove' }));
    expect((await c.req('DELETE', `/Users/${id.carol}`)).status).toBe(204);
    m = await members();
    expect(m['carol@mapped.example']).toBeUndefined();
    const row = await db()('members').where({ id: id.carol }).first();
    expect(row.state).toBe('removed');
    // The same person pushed again is a new start.
    const again = await c.req<Res>('POST', '/Users', userBody('carol@mapped.example'));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id.carol);
  });

  it('removes a mapping (falling back to a custom group) and resyncs from scratch with no drift', async () => {
    const preview = await asOp(db(), (ctx) => removeMapping(ctx, { accountId: c.accountId, scimGroup: gid.admins! }, { dryRun: true }));
    expect(preview.changes.filter((x) => x.change === 'lose').map((x) => x.group)).toEqual(expect.arrayContaining(['Administrators']));
    await asOp(db(), (ctx) => removeMapping(ctx, { accountId: c.accountId, scimGroup: gid.admins! }));
    const m = await members();
    // Back to the custom group made for this IdP group when it was first pushed.
    expect(m['bob@mapped.example']!.groups).toEqual(['Okta Admins']);
    const again = await asOp(db(), (ctx) => resync(ctx, c.accountId));
    expect(again.changes).toEqual([]);
    expect((await asOp(db(), (ctx) => driftReport(ctx, c.accountId))).drift).toEqual([]);
  });

  it('refuses MSP Technicians on a company, and a group that does not exist', async () => {
    const err = await asOp(db(), (ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: gid.owners!, group: 'MSP Technicians' })).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('group.msp_technicians.company');
    const missing = await asOp(db(), (ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: gid.owners!, group: 'Nope' })).catch((e) => e);
    expect(missing.code).toBe('group.not_found');
  });

  it('gives MSP Technicians pushed into the MSP account rights over its companies, and takes them at once', async () => {
    const mspId = f().c.mspId;
    const { token } = await asOp(db(), (ctx) => createScimToken(ctx, mspId));
    const msp = scimClientFor(f().app.url, token, mspId, mspId);
    const tech = await msp.req<Res>('POST', '/Users', userBody('tech@msp.example'));
    const group = await msp.req<Res>('POST', '/Groups', { displayName: 'Helpdesk', members: [{ value: tech.body.id }] });
    await asOp(db(), (ctx) => setMapping(ctx, { accountId: mspId, scimGroup: group.body.id, group: 'MSP Technicians' }));
    const asTech = { kind: 'member' as const, accountId: mspId, memberId: tech.body.id, label: 'tech@msp.example' };
    const page = await asActor(db(), asTech, (ctx) => listCompanies(ctx, mspId));
    expect(page.items.map((x) => x.name)).toEqual(expect.arrayContaining(['Mapped Co']));
    await msp.req('PATCH', `/Groups/${group.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${tech.body.id}"]` }));
    const denied = await asActor(db(), asTech, (ctx) => listCompanies(ctx, mspId)).catch((e) => e);
    expect(denied).toBeInstanceOf(DomainError);
    expect(denied.kind).toBe('forbidden');
  });

  it('leaves unmapped groups alone when the account turns automatic custom groups off', async () => {
    const other = await scimAccount(db(), f().app.url, { name: 'No Auto', mspId: f().c.mspId });
    await asOp(db(), (ctx) => updateSettings(ctx, other.accountId, { unmappedGroupsAsCustom: false }));
    const u = await other.req<Res>('POST', '/Users', userBody('x@noauto.example'));
    await other.req('POST', '/Groups', { displayName: 'Loose', members: [{ value: u.body.id }] });
    const list = await asOp(db(), (ctx) => listMembersWithGroups(ctx, other.accountId));
    expect(list[0]!.groups).toEqual([]);
    expect((await asOp(db(), (ctx) => driftReport(ctx, other.accountId))).unmappedGroups.map((g) => g.displayName)).toEqual(['Loose']);
  });
  it('releases a held Owner removal when an Owner is added by hand (members invite --group Owners)', async () => {
    const other = await scimAccount(db(), f().app.url, { name: 'Hand Owner', mspId: f().c.mspId });
    const u = await other.req<Res>('POST', '/Users', userBody('solo@hand.example'));
    const g = await other.req<Res>('POST', '/Groups', { displayName: 'Owners IdP', members: [{ value: u.body.id }] });
    await asOp(db(), (ctx) => setMapping(ctx, { accountId: other.accountId, scimGroup: g.body.id, group: 'Owners' }));
    await other.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${u.body.id}"]` }));
    expect((await members(other.accountId))['solo@hand.example']!.held).toHaveLength(1);
    await asOp(db(), (ctx) => addManualMember(ctx, { accountId: other.accountId, email: 'second@hand.example', group: 'Owners' }));
    const m = await members(other.accountId);
    expect(m['second@hand.example']!.groups).toEqual(['Owners']);
    expect(m['solo@hand.example']).toMatchObject({ groups: [], held: [] });
  });
});
