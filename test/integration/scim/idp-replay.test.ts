// Replays what Okta, Microsoft Entra ID and OneLogin really send, in the order they send it.
// Bodies follow the IdPs' published SCIM reference requests (Okta's SCIM 2.0 protocol
// reference, Microsoft's "Develop a SCIM endpoint" request/response examples, OneLogin's SCIM 1.1-era payloads).
import { describeEachScimApp, scimAccount, type ScimClient } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string; meta: { version: string } };
type List = { totalResults: number; itemsPerPage: number; startIndex: number; Resources: Res[] };

const enc = encodeURIComponent;

describeEachScimApp('IdP replay', (f) => {
  let okta: ScimClient;
  let entra: ScimClient;
  let onelogin: ScimClient;
  beforeAll(async () => {
    const { app, c } = f();
    okta = await scimAccount(app.rt.db, app.url, { name: 'Okta Tenant', mspId: c.mspId });
    entra = await scimAccount(app.rt.db, app.url, { name: 'Entra Tenant', mspId: c.mspId });
    onelogin = await scimAccount(app.rt.db, app.url, { name: 'OneLogin Tenant', mspId: c.mspId });
  });

  it('Okta: lookup, create, read, update, deactivate, group push with member changes, rename, delete', async () => {
    const ua = { 'user-agent': 'Okta SCIM Client 1.0.0' };
    // 1. Okta checks whether the user exists, with a differently-cased userName than it will create.
    const lookup = await okta.req<List>('GET', `/Users?filter=${enc('userName eq "Test.User@okta.local"')}&startIndex=1&count=100`, undefined, ua);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    // 2. Create (Okta sends an empty groups array and a password we must not keep).
    const created = await okta.req<Res>(
      'POST',
      '/Users',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'test.user@okta.local',
        name: { givenName: 'Test', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Test User',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      },
      ua,
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(JSON.stringify(created.body)).not.toContain('1mz050nq');
    // 3. The lookup is case-insensitive on userName (RFC 7643 caseExact=false; Okta checks it).
    const again = await okta.req<List>('GET', `/Users?filter=${enc('userName eq "TEST.USER@OKTA.LOCAL"')}&startIndex=1&count=100`, undefined, ua);
    expect(again.body.totalResults).toBe(1);
    expect(again.body.Resources[0]!.id).toBe(id);
    expect((await okta.req('GET', `/Users/${id}`, undefined, ua)).status).toBe(200);
    // 4. Profile push: Okta PUTs the whole user.
    const put = await okta.req<Res>(
      'PUT',
      `/Users/${id}`,
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id,
        userName: 'test.user@okta.local',
        name: { givenName: 'Another', familyName: 'User' },
        emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
        displayName: 'Another User',
        active: true,
        meta: { resourceType: 'User' },
      },
      ua,
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: { givenName: 'Another' }, displayName: 'Another User' });
    // 5. Deactivate: path-less replace.
    const off = await okta.req<Res>(
      'PATCH',
      `/Users/${id}`,
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] },
      ua,
    );
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    // ... and reactivate.
    const on = await okta.req<Res>(
      'PATCH',
      `/Users/${id}`,
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: true } }] },
      ua,
    );
    expect(on.body.active).toBe(true);
    const second = await okta.req<Res>(
      'POST',
      '/Users',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'second@okta.local',
        name: { givenName: 'Second', familyName: 'User' },
        emails: [{ primary: true, value: 'second@okta.local', type: 'work' }],
        active: true,
      },
      ua,
    );
    // 6. Group push: create empty, then add members with PATCH.
    const group = await okta.req<Res>(
      'POST',
      '/Groups',
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Test SCIMv2', members: [] },
      ua,
    );
    expect(group.status).toBe(201);
    const gid = group.body.id;
    const listed = await okta.req<List>('GET', `/Groups?filter=${enc('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`, undefined, ua);
    expect(listed.body.totalResults).toBe(1);
    const add = await okta.req(
      'PATCH',
      `/Groups/${gid}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          {
            op: 'add',
            path: 'members',
            value: [
              { value: id, display: 'test.user@okta.local' },
              { value: second.body.id, display: 'second@okta.local' },
            ],
          },
        ],
      },
      ua,
    );
    expect(add.status).toBe(204);
    const remove = await okta.req(
      'PATCH',
      `/Groups/${gid}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: `members[value eq "${second.body.id}"]` }],
      },
      ua,
    );
    expect(remove.status).toBe(204);
    // 7. Rename with a path-less replace that echoes the id.
    const rename = await okta.req(
      'PATCH',
      `/Groups/${gid}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2 Renamed' } }],
      },
      ua,
    );
    expect(rename.status).toBe(204);
    const g = await okta.req<Res & { members: Array<{ value: string }> }>('GET', `/Groups/${gid}`, undefined, ua);
    expect(g.body.displayName).toBe('Test SCIMv2 Renamed');
    expect(g.body.members.map((m) => m.value)).toEqual([id]);
    const noMembers = await okta.req<Res>('GET', `/Groups/${gid}?excludedAttributes=members`, undefined, ua);
    expect(noMembers.body.members).toBeUndefined();
    const page = await okta.req<List>('GET', '/Groups?startIndex=1&count=100', undefined, ua);
    expect(page.body.Resources.map((r) => r.id)).toEqual([gid]);
    // 8. Unassign everything.
    expect((await okta.req('DELETE', `/Groups/${gid}`, undefined, ua)).status).toBe(204);
    expect((await okta.req('DELETE', `/Users/${id}`, undefined, ua)).status).toBe(204);
    expect((await okta.req('GET', `/Users/${id}`, undefined, ua)).status).toBe(404);
  });

  it('Microsoft Entra ID: the provisioning validator sequence with its capitalised ops and string booleans', async () => {
    const ua = { 'user-agent': 'Microsoft.Azure.ActiveDirectory/1.0' };
    const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
    expect((await entra.req<List>('GET', `/Users?filter=${enc(`userName eq "${userName}"`)}`, undefined, ua)).body.totalResults).toBe(0);
    const created = await entra.req<Res>(
      'POST',
      '/Users',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
      ua,
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await entra.req('GET', `/Users/${id}`, undefined, ua)).status).toBe(200);
    const found = await entra.req<List>('GET', `/Users?filter=${enc(`userName eq "${userName.toLowerCase()}"`)}`, undefined, ua);
    expect(found.body.Resources.map((r) => r.id)).toEqual([id]);
    const byExternal = await entra.req<List>('GET', `/Users?filter=${enc('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`, undefined, ua);
    expect(byExternal.body.totalResults).toBe(1);
    const updated = await entra.req<Res>(
      'PATCH',
      `/Users/${id}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '2819c223-7f76-453a-919d-413861904646' },
          { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 425 555 0100' },
        ],
      },
      ua,
    );
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }],
      name: { familyName: 'updatedFamilyName' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: '2819c223-7f76-453a-919d-413861904646' } },
      phoneNumbers: [{ type: 'mobile', value: '+1 425 555 0100' }],
    });
    const disabled = await entra.req<Res>(
      'PATCH',
      `/Users/${id}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      },
      ua,
    );
    expect(disabled.body.active).toBe(false);
    const noManager = await entra.req<Res>(
      'PATCH',
      `/Users/${id}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'Remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager' },
          { op: 'Replace', path: 'active', value: 'True' },
        ],
      },
      ua,
    );
    expect(noManager.body.active).toBe(true);
    expect(noManager.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toBeUndefined();
    // Groups: Entra names a Microsoft schema in "schemas" and sends "$ref": null in members.
    const group = await entra.req<Res>(
      'POST',
      '/Groups',
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      },
      ua,
    );
    expect(group.status).toBe(201);
    const gid = group.body.id;
    const byName = await entra.req<List>('GET', `/Groups?excludedAttributes=members&filter=${enc('displayName eq "displayName"')}`, undefined, ua);
    expect(byName.body.Resources.map((r) => r.id)).toEqual([gid]);
    expect((await entra.req<Res>('GET', `/Groups/${gid}?excludedAttributes=members`, undefined, ua)).body.members).toBeUndefined();
    expect(
      (
        await entra.req(
          'PATCH',
          `/Groups/${gid}`,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
          },
          ua,
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await entra.req(
          'PATCH',
          `/Groups/${gid}`,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }],
          },
          ua,
        )
      ).status,
    ).toBe(204);
    // Entra resends an add it already made: nothing changes, no error.
    expect(
      (
        await entra.req(
          'PATCH',
          `/Groups/${gid}`,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }],
          },
          ua,
        )
      ).status,
    ).toBe(204);
    const withMember = await entra.req<List>(
      'GET',
      `/Groups?filter=${enc(`id eq "${gid}" and members[value eq "${id}"]`)}&excludedAttributes=members`,
      undefined,
      ua,
    );
    expect(withMember.body.totalResults).toBe(1);
    expect(
      (
        await entra.req(
          'PATCH',
          `/Groups/${gid}`,
          {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }],
          },
          ua,
        )
      ).status,
    ).toBe(204);
    const after = await entra.req<Res & { members: unknown[] }>('GET', `/Groups/${gid}`, undefined, ua);
    expect(after.body).toMatchObject({ displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName', members: [] });
    expect((await entra.req('DELETE', `/Groups/${gid}`, undefined, ua)).status).toBe(204);
    expect((await entra.req('DELETE', `/Users/${id}`, undefined, ua)).status).toBe(204);
    expect((await entra.req<List>('GET', `/Users?filter=${enc(`userName eq "${userName}"`)}`, undefined, ua)).body.totalResults).toBe(0);
  });

  it('OneLogin: core 1.0 URN, lower-case operations key, null multi-valued attributes', async () => {
    const ua = { 'user-agent': 'OneLogin SCIM' };
    const created = await onelogin.req<Res>(
      'POST',
      '/Users',
      {
        schemas: ['urn:scim:schemas:core:1.0'],
        userName: 'ol.user@onelogin.example',
        externalId: '12345',
        name: { givenName: 'One', familyName: 'Login' },
        emails: [{ value: 'ol.user@onelogin.example', primary: 'true' }],
        phoneNumbers: null,
        active: 'true',
      },
      ua,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true, emails: [{ primary: true }] });
    expect(created.body.phoneNumbers).toBeUndefined();
    const patched = await onelogin.req<Res>(
      'PATCH',
      `/Users/${created.body.id}`,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        operations: [{ op: 'replace', path: 'name.givenName', value: 'Uno' }],
      },
      ua,
    );
    expect(patched.status).toBe(200);
    expect(patched.body.name).toEqual({ givenName: 'Uno', familyName: 'Login' });
  });

  it('keeps each tenant’s pushes to itself', async () => {
    const mine = await okta.req<List>('GET', '/Users?count=100');
    const theirs = await entra.req<List>('GET', '/Users?count=100');
    const ol = await onelogin.req<List>('GET', '/Users?count=100');
    const all = [...mine.body.Resources, ...theirs.body.Resources, ...ol.body.Resources].map((r) => r.id);
    expect(new Set(all).size).toBe(all.length);
    expect(ol.body.Resources.map((r) => r.userName)).toEqual(['ol.user@onelogin.example']);
  });
});
