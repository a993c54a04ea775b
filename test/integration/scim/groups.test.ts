// /Groups over HTTP on SQLite and PostgreSQL: the mirror, targeted member changes, concurrency.
import { describeEachScimApp, patchOp, userBody } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string; meta: { version: string } };
type Group = Res & { members?: Array<{ value: string; display?: string; $ref: string; type: string }> };
type List = { totalResults: number; Resources: Group[] };

describeEachScimApp('SCIM /Groups', (f) => {
  const users: string[] = [];
  beforeAll(async () => {
    const { c } = f();
    for (let i = 0; i < 12; i++) {
      const r = await c.req<Res>('POST', '/Users', userBody(`g${i}@acme.example`, { displayName: `Member ${i}` }));
      users.push(r.body.id);
    }
  });

  const memberIds = async (id: string) => ((await f().c.req<Group>('GET', `/Groups/${id}`)).body.members ?? []).map((m) => m.value).sort();

  it('creates a group with members; the users list it under groups', async () => {
    const { c } = f();
    const r = await c.req<Group>('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Engineering',
      externalId: 'okta-00g1',
      members: [{ value: users[0] }, { value: users[1] }],
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${c.base}/Groups/${r.body.id}`);
    expect([...(r.body.members ?? [])].sort((a, b) => (a.display ?? '').localeCompare(b.display ?? ''))).toEqual([
      { value: users[0], display: 'Member 0', $ref: `${c.base}/Users/${users[0]}`, type: 'User' },
      { value: users[1], display: 'Member 1', $ref: `${c.base}/Users/${users[1]}`, type: 'User' },
    ]);
    const u = await c.req<Res>('GET', `/Users/${users[0]}`);
    expect(u.body.groups).toEqual([{ value: r.body.id, display: 'Engineering', $ref: `${c.base}/Groups/${r.body.id}`, type: 'direct' }]);
    const byMember = await c.req<List>('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${users[1]}"]`)}`);
    expect(byMember.body.Resources.map((g) => g.displayName)).toEqual(['Engineering']);
    const byUserGroup = await c.req<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent(`groups eq "${r.body.id}"`)}`);
    expect(byUserGroup.body.totalResults).toBe(2);
    const byName = await c.req<List>('GET', `/Groups?filter=${encodeURIComponent('displayName eq "engineering"')}&excludedAttributes=members`);
    expect(byName.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    expect(byName.body.Resources[0]!.id).toBe(r.body.id);
  });

  it('adds members with PATCH: duplicates and re-adds are no-ops; answers 204', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Adders' });
    const add = await c.req(
      'PATCH',
      `/Groups/${g.body.id}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: users[2] }, { value: users[3] }, { value: users[2] }] }),
    );
    expect(add.status).toBe(204);
    expect(add.headers.get('etag')).not.toBe(g.body.meta.version);
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: users[3] }] }));
    expect(await memberIds(g.body.id)).toEqual([users[2], users[3]].sort());
    const withBody = await c.req<Group>(
      'PATCH',
      `/Groups/${g.body.id}?attributes=displayName,members`,
      patchOp({ op: 'add', path: 'members', value: [{ value: users[4] }] }),
    );
    expect(withBody.status).toBe(200);
    expect(withBody.body.members).toHaveLength(3);
  });

  it('removes members by filter path, by value array (Entra), by or-filter, and all at once', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Removers', members: users.slice(0, 8).map((value) => ({ value })) });
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${users[0]}"]` }));
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: users[1] }, { value: users[2] }] }));
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${users[3]}" or value eq "${users[4]}"]` }));
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: 'members[display eq "member 5"]' }));
    // Removing someone absent changes nothing.
    expect((await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${users[0]}"]` }))).status).toBe(204);
    expect(await memberIds(g.body.id)).toEqual([users[6], users[7]].sort());
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: 'members' }));
    expect(await memberIds(g.body.id)).toEqual([]);
  });

  it('replaces members and renames with path-less and path ops together (Okta, Entra)', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Replace Me', members: [{ value: users[0] }] });
    const r = await c.req(
      'PATCH',
      `/Groups/${g.body.id}`,
      patchOp(
        { op: 'replace', value: { id: g.body.id, displayName: 'Replaced', members: [{ value: users[5] }, { value: users[6] }] } },
        { op: 'Replace', path: 'externalId', value: 'azure-obj-1' },
      ),
    );
    expect(r.status).toBe(204);
    const got = await c.req<Group>('GET', `/Groups/${g.body.id}`);
    expect(got.body).toMatchObject({ displayName: 'Replaced', externalId: 'azure-obj-1' });
    expect(await memberIds(g.body.id)).toEqual([users[5], users[6]].sort());
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'replace', path: 'members', value: [{ value: users[7] }] }));
    expect(await memberIds(g.body.id)).toEqual([users[7]]);
  });

  it('PUT replaces name and members; DELETE removes the group and its mirror rows', async () => {
    const { c, app } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Put Me', members: [{ value: users[0] }, { value: users[1] }] });
    const put = await c.req<Group>('PUT', `/Groups/${g.body.id}`, { displayName: 'Was Put', members: [{ value: users[2] }] });
    expect(put.status).toBe(200);
    expect(put.body.members?.map((m) => m.value)).toEqual([users[2]]);
    expect((await c.req('DELETE', `/Groups/${g.body.id}`)).status).toBe(204);
    expect((await c.req('GET', `/Groups/${g.body.id}`)).status).toBe(404);
    expect(await app.rt.db('idp_group_members').where({ group_id: g.body.id })).toHaveLength(0);
  });

  it('refuses unknown members, nested groups, duplicate names and bad paths', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Strict' });
    const unknown = await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: 'nobody' }] }));
    expect(unknown.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const nested = await c.req('POST', '/Groups', { displayName: 'Nest', members: [{ value: g.body.id, type: 'Group' }] });
    expect(nested.status).toBe(400);
    const dup = await c.req('POST', '/Groups', { displayName: 'STRICT' });
    expect(dup.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const rename = await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Engineering' }));
    expect(rename.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const badPath = await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: 'members[value eq' }));
    expect(badPath.body).toMatchObject({ status: '400', scimType: 'invalidPath' });
    const noName = await c.req('POST', '/Groups', { members: [] });
    expect(noName.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(await memberIds(g.body.id)).toEqual([]);
  });

  it('keeps every member when 8 clients add different members to one group at once', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Concurrent' });
    const rounds = 3;
    const results = await Promise.all(
      users.slice(0, 8).map(async (id, i) => {
        const statuses: number[] = [];
        for (let r = 0; r < rounds; r++) {
          // Each client adds its own member, and one shared member (a duplicate add) each round.
          const res = await c.req(
            'PATCH',
            `/Groups/${g.body.id}`,
            patchOp({ op: 'add', path: 'members', value: [{ value: id }, { value: users[8 + (r % 4)] }] }),
          );
          statuses.push(res.status);
        }
        return { i, statuses };
      }),
    );
    expect(results.flatMap((r) => r.statuses).every((s) => s === 204)).toBe(true);
    expect(await memberIds(g.body.id)).toEqual([...users.slice(0, 8), ...users.slice(8, 11)].sort());
  });

  it('keeps the right members when 8 clients add and remove at once', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { displayName: 'Churn', members: users.slice(0, 4).map((value) => ({ value })) });
    await Promise.all([
      ...users.slice(0, 4).map((id) => c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'remove', path: `members[value eq "${id}"]` }))),
      ...users.slice(4, 8).map((id) => c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: id }] }))),
    ]);
    expect(await memberIds(g.body.id)).toEqual(users.slice(4, 8).sort());
  });

  it('drops a deleted user from every group it was in', async () => {
    const { c } = f();
    const u = await c.req<Res>('POST', '/Users', userBody('leaver@acme.example'));
    const g1 = await c.req<Group>('POST', '/Groups', { displayName: 'L1', members: [{ value: u.body.id }, { value: users[0] }] });
    const g2 = await c.req<Group>('POST', '/Groups', { displayName: 'L2', members: [{ value: u.body.id }] });
    expect((await c.req('DELETE', `/Users/${u.body.id}`)).status).toBe(204);
    expect(await memberIds(g1.body.id)).toEqual([users[0]]);
    expect(await memberIds(g2.body.id)).toEqual([]);
  });
  it("lists every user's pushed groups on a page, in display-name order, on every read of it", async () => {
    const { c } = f();
    const post = async (displayName: string, members: string[]) =>
      (
        await c.req<Group>('POST', '/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName,
          members: members.map((value) => ({ value })),
        })
      ).body.id;
    const zeta = await post('zeta page team', users.slice(0, 8));
    const alpha = await post('Alpha page team', users.slice(4, 12));
    const expected = (id: string) => {
      const i = users.indexOf(id);
      return [...(i >= 4 ? [alpha] : []), ...(i < 8 ? [zeta] : [])];
    };
    // More reads than PostgreSQL plans a prepared statement afresh (5) before it may keep a generic plan.
    for (let read = 0; read < 8; read++) {
      const page = await c.req<{ Resources: Array<Res & { groups?: Array<{ value: string; display: string }> }> }>('GET', '/Users?startIndex=1&count=100');
      const ours = page.body.Resources.filter((u) => users.includes(u.id));
      expect(ours).toHaveLength(12);
      for (const u of ours) {
        const displays = (u.groups ?? []).map((g) => g.display.toLowerCase());
        expect(displays).toEqual([...displays].sort());
        expect((u.groups ?? []).map((g) => g.value).filter((v) => v === zeta || v === alpha)).toEqual(expected(u.id));
      }
    }
  });
  it('moves the version once per member push, also when pushes to one group run concurrently', async () => {
    const { c } = f();
    const g = await c.req<Group>('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Concurrent pushes' });
    const v0 = Number(/"(\d+)"/.exec(g.body.meta.version)![1]);
    const answers = await Promise.all(
      users.slice(0, 10).map((value) => c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value }] }))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(204));
    const after = await c.req<Group>('GET', `/Groups/${g.body.id}`);
    expect(after.body.meta.version).toBe(`W/"${v0 + 10}"`);
    expect(await memberIds(g.body.id)).toEqual([...users.slice(0, 10)].sort());
    // A push that changes nothing (members already there) leaves the version alone.
    await c.req('PATCH', `/Groups/${g.body.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: users[0] }] }));
    expect((await c.req<Group>('GET', `/Groups/${g.body.id}`)).body.meta.version).toBe(`W/"${v0 + 10}"`);
  });
});
