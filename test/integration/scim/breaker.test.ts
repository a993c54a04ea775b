// The deprovisioning breaker end to end over SCIM, on SQLite and PostgreSQL: the first N
// removals of a rolling hour apply, the rest are held (the IdP still gets 2xx), release and
// discard, role losses through mappings, and the MSP events (one per trip, one fleet alert).
import { listMspEvents } from '../../../src/db/mspEvents.repo';
import { discardHeldRemovals, listHeldRemovals, releaseHeldRemovals } from '../../../src/domain/heldRemovals';
import { setMapping } from '../../../src/domain/mapping';
import { listMembersWithGroups, type MemberListing } from '../../../src/domain/members';
import { updateSettings } from '../../../src/domain/settings';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { patchOp, scimAccount, userBody, type ScimClient } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string };

describe.each(DIALECTS)('deprovisioning breaker [%s]', (dialect) => {
  let app: TestApp;
  let clock = new Date('2026-03-02T09:00:00.000Z');
  let mspId: string;
  let n = 0;
  const db = () => app.rt.db;
  const op = <T>(fn: Parameters<typeof asOp<T>>[1]) => asOp(db(), fn, clock);
  const tick = (ms = 1000) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    app = await startTestApp(dialect, { now: () => tick(5) });
    mspId = (await scimAccount(db(), app.url, { name: 'seed' })).mspId;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A fresh company of the MSP with `people` pushed users and the given limit. */
  async function company(people: number, limit?: number): Promise<{ c: ScimClient; ids: string[] }> {
    const c = await scimAccount(db(), app.url, { name: `Breaker ${++n}`, mspId });
    if (limit !== undefined) await op((ctx) => updateSettings(ctx, c.accountId, { deprovisionLimit: limit }));
    const ids: string[] = [];
    for (let i = 0; i < people; i++) {
      const r = await c.req<Res>('POST', '/Users', userBody(`p${i}@b${n}.example`));
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    return { c, ids };
  }
  const members = async (accountId: string) =>
    Object.fromEntries((await op((ctx) => listMembersWithGroups(ctx, accountId))).map((m) => [m.id, m])) as Record<string, MemberListing>;
  const held = (accountId: string) => op((ctx) => listHeldRemovals(ctx, accountId));
  const events = (type: string) => listMspEvents(db(), mspId, { types: [type] });

  it('applies exactly the first 10 of 15 DELETEs, holds 5, answers 204 to all', async () => {
    const { c, ids } = await company(15);
    const before = (await events('provisioning.held')).length;
    for (const id of ids) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    // From the IdP's side every deletion happened.
    for (const id of ids) expect((await c.req('GET', `/Users/${id}`)).status).toBe(404);
    const m = await members(c.accountId);
    expect(ids.slice(0, 10).map((id) => m[id]!.state)).toEqual(Array(10).fill('suspended'));
    expect(ids.slice(10).map((id) => m[id]!.state)).toEqual(Array(5).fill('invited'));
    expect(ids.slice(10).map((id) => m[id]!.held)).toEqual(
      ids.slice(10).map(() => [expect.objectContaining({ kind: 'remove', reason: 'breaker', group: null })]),
    );
    const h = await held(c.accountId);
    expect(h.limit).toBe(10);
    expect(h.held.map((x) => [x.kind, x.scimId, x.memberId, x.userName])).toEqual(ids.slice(10).map((id, i) => ['remove', id, id, `p${i + 10}@b${n}.example`]));
    // One event for the trip, however many are held.
    const raised = (await events('provisioning.held')).filter((e) => e.accountId === c.accountId);
    expect(raised).toHaveLength(1);
    expect((await events('provisioning.held')).length).toBe(before + 1);
    expect(raised[0]!.data).toMatchObject({ companyId: c.accountId, limit: 10, heldCount: 1, since: h.tripStartedAt });

    // Release applies them oldest first; the trip ends, the next hold starts a new one.
    const r = await op((ctx) => releaseHeldRemovals(ctx, c.accountId));
    expect(r.released.map((x) => [x.memberId, x.outcome])).toEqual(ids.slice(10).map((id) => [id, 'applied']));
    expect(r.remaining).toBe(0);
    const after = await members(c.accountId);
    expect(ids.map((id) => after[id]!.state)).toEqual(Array(15).fill('suspended'));
    expect((await held(c.accountId)).tripStartedAt).toBeNull();
  });

  it('counts exactly under 15 concurrent DELETEs', async () => {
    const { c, ids } = await company(15);
    const statuses = await Promise.all(ids.map((id) => c.req('DELETE', `/Users/${id}`).then((x) => x.status)));
    expect(statuses).toEqual(Array(15).fill(204));
    const m = await members(c.accountId);
    expect(ids.filter((id) => m[id]!.state === 'suspended')).toHaveLength(10);
    const h = await held(c.accountId);
    expect(h.held).toHaveLength(5);
    expect(new Set(h.held.map((x) => m[x.memberId]!.state))).toEqual(new Set(['invited']));
    expect((await events('provisioning.held')).filter((e) => e.accountId === c.accountId)).toHaveLength(1);
  });

  it('counts deletions and Administrator losses together, exactly, under concurrent requests of both kinds', async () => {
    const { c, ids } = await company(16);
    const g = await c.req<Res>('POST', '/Groups', { displayName: 'IdP Admins', members: ids.slice(0, 8).map((value) => ({ value })) });
    await op((ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: g.body.id, group: 'Administrators' }));
    const statuses = await Promise.all([
      ...ids
        .slice(0, 8)
        .map((id) => c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${id}"]` })).then((r) => r.status)),
      ...ids.slice(8, 15).map((id) => c.req('DELETE', `/Users/${id}`).then((r) => r.status)),
    ]);
    expect(statuses.every((x) => x === 204)).toBe(true);
    const m = await members(c.accountId);
    const lostRole = ids.slice(0, 8).filter((id) => !m[id]!.groups.includes('Administrators')).length;
    const deleted = ids.slice(8, 15).filter((id) => m[id]!.state === 'suspended').length;
    expect(lostRole + deleted).toBe(10);
    expect((await held(c.accountId)).held).toHaveLength(5);
    expect(m[ids[15]!]!.state).toBe('invited');
  });

  it('counts PATCH active=false; the mirror says inactive while the person keeps access; discard, then a re-push deactivates normally', async () => {
    const { c, ids } = await company(3, 2);
    const deactivate = (id: string) => c.req<Res>('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    for (const id of ids) {
      const r = await deactivate(id);
      expect(r.status).toBe(200);
      expect(r.body.active).toBe(false);
    }
    let m = await members(c.accountId);
    expect(ids.map((id) => m[id]!.state)).toEqual(['suspended', 'suspended', 'invited']);
    expect((await c.req<Res>('GET', `/Users/${ids[2]}`)).body.active).toBe(false);
    expect((await held(c.accountId)).held.map((x) => [x.kind, x.memberId])).toEqual([['suspend', ids[2]]]);
    // Sending it again while held is not counted twice.
    expect((await deactivate(ids[2]!)).status).toBe(200);
    expect((await held(c.accountId)).held).toHaveLength(1);

    const d = await op((ctx) => discardHeldRemovals(ctx, c.accountId));
    expect(d.discarded.map((x) => x.memberId)).toEqual([ids[2]]);
    expect((await held(c.accountId)).held).toEqual([]);
    m = await members(c.accountId);
    expect(m[ids[2]!]!.state).toBe('invited');
    // An hour on, the IdP's next sync sends the same deactivation: it applies, mirror or not.
    tick(61 * 60 * 1000);
    expect((await deactivate(ids[2]!)).status).toBe(200);
    expect((await members(c.accountId))[ids[2]!]!.state).toBe('suspended');
  });

  it('discarding a held DELETE puts the person back in the SCIM view and groups; a later DELETE is processed', async () => {
    const { c, ids } = await company(2, 1);
    const g = await c.req<Res>('POST', '/Groups', { displayName: 'Sales', members: ids.map((value) => ({ value })) });
    expect(g.status).toBe(201);
    for (const id of ids) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await c.req<Res>('GET', `/Groups/${g.body.id}`)).body.members ?? []).toEqual([]);
    await op((ctx) => discardHeldRemovals(ctx, c.accountId));
    expect((await c.req('GET', `/Users/${ids[1]}`)).status).toBe(200);
    expect(((await c.req<Res>('GET', `/Groups/${g.body.id}`)).body.members as Array<{ value: string }>).map((x) => x.value)).toEqual([ids[1]]);
    tick(61 * 60 * 1000);
    expect((await c.req('DELETE', `/Users/${ids[1]}`)).status).toBe(204);
    expect((await members(c.accountId))[ids[1]!]!.state).toBe('suspended');
    expect((await held(c.accountId)).held).toEqual([]);
  });

  it('counts Owner/Administrator role losses a group PATCH causes, and releases them', async () => {
    const { c, ids } = await company(3, 1);
    const g = await c.req<Res>('POST', '/Groups', { displayName: 'IdP Admins', members: ids.map((value) => ({ value })) });
    await op((ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: g.body.id, group: 'Administrators' }));
    expect(Object.values(await members(c.accountId)).filter((m) => m.groups.includes('Administrators'))).toHaveLength(3);
    const remove = (id: string) => c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${id}"]` }));
    for (const id of ids.slice(0, 2)) expect((await remove(id)).status).toBe(204);
    let m = await members(c.accountId);
    expect(m[ids[0]!]!.groups).not.toContain('Administrators');
    expect(m[ids[1]!]!.groups).toContain('Administrators');
    expect(m[ids[1]!]!.held).toEqual([expect.objectContaining({ kind: 'remove_role', group: 'Administrators', reason: 'breaker' })]);
    expect((await held(c.accountId)).held.map((x) => [x.kind, x.group, x.memberId])).toEqual([['remove_role', 'Administrators', ids[1]]]);
    // A company Administrator releases it (it takes nothing from an Owner).
    const admin = m[ids[2]!]!;
    const asAdmin = { kind: 'member' as const, accountId: c.accountId, memberId: admin.id, label: admin.email ?? '' };
    const r = await asActor(db(), asAdmin, (ctx) => releaseHeldRemovals(ctx, c.accountId), clock);
    expect(r.released.map((x) => x.outcome)).toEqual(['applied']);
    m = await members(c.accountId);
    expect(m[ids[1]!]!.groups).not.toContain('Administrators');
    expect(m[ids[1]!]!.held).toEqual([]);
  });

  it('keeps breaker holds out of the last-Owner release path; a release that would leave no Owner stays held by the last-Owner guard', async () => {
    const { c, ids } = await company(3, 1);
    const g = await c.req<Res>('POST', '/Groups', { displayName: 'IdP Owners', members: ids.slice(0, 2).map((value) => ({ value })) });
    await op((ctx) => setMapping(ctx, { accountId: c.accountId, scimGroup: g.body.id, group: 'Owners' }));
    expect((await c.req('DELETE', `/Users/${ids[0]}`)).status).toBe(204);
    expect((await c.req('DELETE', `/Users/${ids[1]}`)).status).toBe(204);
    // Another Owner arrives: the last-Owner guard releases what it holds, never the breaker's.
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids[2] }] }));
    expect((await held(c.accountId)).held.map((h) => [h.kind, h.memberId])).toEqual([['remove', ids[1]]]);
    // The IdP takes Owners from the newcomer too: beyond the limit, held.
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${ids[2]}"]` }));
    expect((await held(c.accountId)).held.map((h) => [h.kind, h.group, h.memberId])).toEqual([
      ['remove', null, ids[1]],
      ['remove_role', 'Owners', ids[2]],
    ]);
    const r = await op((ctx) => releaseHeldRemovals(ctx, c.accountId));
    expect(r.released.map((x) => [x.kind, x.memberId, x.outcome])).toEqual([
      ['remove', ids[1], 'applied'],
      ['remove_role', ids[2], 'held_last_owner'],
    ]);
    const m = await members(c.accountId);
    expect(m[ids[1]!]!.state).toBe('suspended');
    expect(m[ids[2]!]!.groups).toContain('Owners');
    expect(m[ids[2]!]!.held).toEqual([expect.objectContaining({ kind: 'remove_role', group: 'Owners', reason: 'last_owner' })]);
    expect((await held(c.accountId)).held).toEqual([]);
  });

  it('cancels a held deactivation when the IdP reactivates the person; the next hold is a new trip with its own event', async () => {
    const { c, ids } = await company(2, 1);
    const active = (id: string, value: boolean) => c.req<Res>('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value }));
    expect((await active(ids[0]!, false)).status).toBe(200);
    expect((await active(ids[1]!, false)).status).toBe(200);
    expect((await held(c.accountId)).held).toHaveLength(1);
    expect((await active(ids[1]!, true)).status).toBe(200);
    expect((await held(c.accountId)).held).toEqual([]);
    expect((await held(c.accountId)).tripStartedAt).toBeNull();
    expect((await members(c.accountId))[ids[1]!]!.state).toBe('invited');
    expect((await active(ids[1]!, false)).status).toBe(200);
    const trips = (await events('provisioning.held')).filter((e) => e.accountId === c.accountId);
    expect(trips).toHaveLength(2);
    expect(new Set(trips.map((e) => e.dedupeKey)).size).toBe(2);
    const audit = await db()('audit_events').where({ account_id: c.accountId }).whereLike('action', 'breaker.%').orderBy('id').select('action');
    expect(audit.map((x: { action: string }) => x.action)).toEqual([
      'breaker.held',
      'breaker.tripped',
      'breaker.cancelled',
      'breaker.reset',
      'breaker.held',
      'breaker.tripped',
    ]);
  });

  it('cancels a held deletion when the IdP creates the person again', async () => {
    const { c, ids } = await company(2, 1);
    for (const id of ids) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await held(c.accountId)).held.map((h) => h.memberId)).toEqual([ids[1]]);
    const again = await c.req<Res>('POST', '/Users', userBody(`p1@b${n}.example`));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(ids[1]);
    expect((await held(c.accountId)).held).toEqual([]);
    expect((await held(c.accountId)).tripStartedAt).toBeNull();
    expect((await members(c.accountId))[ids[1]!]).toMatchObject({ state: 'invited', scimManaged: true, held: [] });
  });

  it('does nothing with limit 0 (off)', async () => {
    const { c, ids } = await company(12, 0);
    for (const id of ids) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    const m = await members(c.accountId);
    expect(ids.map((id) => m[id]!.state)).toEqual(Array(12).fill('suspended'));
    expect((await held(c.accountId)).held).toEqual([]);
  });

  it('raises one fleet alert when breakers trip in two companies of the MSP within an hour', async () => {
    tick(2 * 60 * 60 * 1000); // past every earlier trip
    const alerts = (await events('provisioning.fleet_alert')).length;
    const trip = async () => {
      const { c, ids } = await company(2, 1);
      for (const id of ids) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
      return c.accountId;
    };
    const a = await trip();
    expect((await events('provisioning.fleet_alert')).length).toBe(alerts);
    const b = await trip();
    const third = await trip();
    const fleet = await events('provisioning.fleet_alert');
    expect(fleet.length).toBe(alerts + 1);
    expect(fleet[0]!.accountId).toBeNull();
    expect((fleet[0]!.data.companies as Array<{ companyId: string }>).map((x) => x.companyId)).toEqual([a, b]);
    expect(third).toBeTruthy();
  });
});
