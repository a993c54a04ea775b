// POST {base}/.search (RFC 7644 §3.4.3): Users and Groups in one list, filtered, sorted, paged
// and projected as a search of one resource type is; another account's resources never appear.
import { describeEachScimApp, scimAccount, userBody, type ScimClient } from '../../helpers/scim';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
type Res = Record<string, unknown> & { id: string; meta?: { resourceType: string } };
type List = { schemas: string[]; totalResults: number; startIndex: number; itemsPerPage: number; Resources: Res[] };

describeEachScimApp('SCIM search from the root', (f) => {
  let c: ScimClient;
  const ids: Record<string, string> = {};
  const search = async (request: Record<string, unknown>) => c.req<List>('POST', '/.search', { schemas: [SEARCH], ...request });
  const names = (l: List) => l.Resources.map((r) => `${r.meta?.resourceType ?? '?'}:${String(r.displayName)}`);

  beforeAll(async () => {
    const { app } = f();
    c = await scimAccount(app.rt.db, app.url, { name: 'Root search', mspId: f().c.mspId });
    for (const [key, displayName] of [
      ['ann', 'Alpha Ann'],
      ['bob', 'Team Bob'],
      ['carl', 'Zed Carl'],
    ]) {
      const r = await c.req<Res>('POST', '/Users', userBody(`root-${key}@acme.example`, { displayName }));
      ids[key] = r.body.id;
    }
    for (const [key, displayName, members] of [
      ['blue', 'Team Blue', [ids.ann]],
      ['admins', 'Admins', []],
    ] as const) {
      const r = await c.req<Res>('POST', '/Groups', { displayName, members: members.map((value) => ({ value })) });
      ids[key] = r.body.id;
    }
    // Another account's people must not show up.
    await f().c.req('POST', '/Users', userBody('root-elsewhere@acme.example', { displayName: 'Alpha Elsewhere' }));
  });

  it('lists Users, then Groups, and pages across the boundary', async () => {
    const all = await search({});
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 5, startIndex: 1, itemsPerPage: 5 });
    expect(names(all.body)).toEqual(['User:Alpha Ann', 'User:Team Bob', 'User:Zed Carl', 'Group:Team Blue', 'Group:Admins']);
    expect(all.body.Resources[3]).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], members: [{ value: ids.ann }] });
    expect(names((await search({ startIndex: 3, count: 2 })).body)).toEqual(['User:Zed Carl', 'Group:Team Blue']);
    const tail = await search({ startIndex: 5, count: 10 });
    expect(tail.body).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 });
    expect(names(tail.body)).toEqual(['Group:Admins']);
    expect((await search({ count: 0 })).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
  });

  it('filters across types; an attribute one type lacks has no value there', async () => {
    expect(names((await search({ filter: 'displayName sw "team"' })).body)).toEqual(['User:Team Bob', 'Group:Team Blue']);
    expect(names((await search({ filter: 'meta.resourceType eq "Group"' })).body)).toEqual(['Group:Team Blue', 'Group:Admins']);
    expect(names((await search({ filter: 'userName sw "root-a" or displayName eq "Admins"' })).body)).toEqual(['User:Alpha Ann', 'Group:Admins']);
    expect(names((await search({ filter: 'not (userName pr)' })).body)).toEqual(['Group:Team Blue', 'Group:Admins']);
    expect(names((await search({ filter: `members[value eq "${ids.ann}"]` })).body)).toEqual(['Group:Team Blue']);
    expect(names((await search({ filter: 'emails[type eq "work"] and displayName ew "carl"' })).body)).toEqual(['User:Zed Carl']);
    const unknown = await search({ filter: 'nickNam eq "x"' });
    expect(unknown.body).toMatchObject({ status: '400', scimType: 'invalidFilter', detail: expect.stringContaining('nickNam') });
  });

  it('projects each resource by its own schema', async () => {
    const r = await search({ attributes: ['displayName', 'members'], filter: 'displayName sw "team"' });
    expect(r.body.Resources).toEqual([
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: ids.bob, displayName: 'Team Bob' },
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        id: ids.blue,
        displayName: 'Team Blue',
        members: [expect.objectContaining({ value: ids.ann })],
      },
    ]);
    const slim = await search({ excludedAttributes: 'members,emails,name,meta', filter: 'displayName eq "Admins" or displayName eq "Zed Carl"' });
    expect(slim.body.Resources.map((x) => Object.keys(x).sort())).toEqual([
      ['active', 'displayName', 'id', 'schemas', 'userName'],
      ['displayName', 'id', 'schemas'],
    ]);
  });

  it('sorts across types, pages the merged order, and keeps resources without the value last', async () => {
    const asc = await search({ sortBy: 'displayName' });
    expect(names(asc.body)).toEqual(['Group:Admins', 'User:Alpha Ann', 'Group:Team Blue', 'User:Team Bob', 'User:Zed Carl']);
    const desc = await search({ sortBy: 'displayName', sortOrder: 'descending', startIndex: 2, count: 2 });
    expect(names(desc.body)).toEqual(['User:Team Bob', 'Group:Team Blue']);
    expect(desc.body.totalResults).toBe(5);
    expect(names((await search({ sortBy: 'userName', sortOrder: 'descending' })).body)).toEqual([
      'User:Zed Carl',
      'User:Team Bob',
      'User:Alpha Ann',
      'Group:Team Blue',
      'Group:Admins',
    ]);
    expect((await search({ sortBy: 'nickNam' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await search({ sortBy: 'displayName', startIndex: 5000, count: 10 })).body).toMatchObject({ status: '400', scimType: 'tooMany' });
  });

  it('answers other methods 405 with Allow: POST', async () => {
    const r = await c.req('GET', '/.search');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });
});
