// What third-party SCIM test suites and Okta's spec test check beyond the happy path: attributes
// resolved against the resource's schemas everywhere, preferredLanguage as Accept-Language,
// /Schemas complete enough for schema-driven clients, 405 on read-only endpoints whatever the body.
import { toJson } from '../../../src/db/codec';
import { getAccount } from '../../../src/db/accounts.repo';
import { getScimMember } from '../../../src/db/members.repo';
import { languageFor } from '../../../src/domain/invitations';
import { scimRequestLog } from '../../../src/domain/provisioningLog';
import { ENTERPRISE_SCHEMA } from '../../../src/scim/schema';
import { asOp } from '../../helpers/ctx';
import { describeEachScimApp, filterQ, patchOp, userBody, type ScimClient, type ScimFixture } from '../../helpers/scim';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PHANTOM = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0';
type Res = Record<string, unknown> & { id: string; schemas: string[] };
type List = { totalResults: number; Resources: Res[] };

/** The request log entry of the latest request (the log is written in batches shortly after). */
async function lastLogged(f: ScimFixture): Promise<{ status: number; detail: string | null; scimType: string | null }> {
  await new Promise((r) => setTimeout(r, 400));
  const [entry] = await asOp(f.app.rt.db, (ctx) => scimRequestLog(ctx, f.c.accountId, { limit: 1 }));
  return entry!;
}

async function newUser(c: ScimClient, userName: string, extra: Record<string, unknown> = {}): Promise<Res> {
  const r = await c.req<Res>('POST', '/Users', userBody(userName, extra));
  expect(r.status).toBe(201);
  return r.body;
}

describeEachScimApp('SCIM conformance', (f) => {
  describe('attributes are resolved against the resource’s schemas', () => {
    it('reads the dotted enterprise path as the manager and never shows a phantom schema (Okta spec test)', async () => {
      const { c } = f();
      const boss = await newUser(c, 'boss@acme.example');
      const user = await newUser(c, 'report@acme.example');
      const r = await c.req<Res>('PATCH', `/Users/${user.id}`, patchOp({ op: 'replace', path: `${ENTERPRISE_SCHEMA}.manager`, value: boss.id }));
      expect(r.status).toBe(200);
      expect(r.body[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: boss.id } });
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_SCHEMA]);
      expect(r.body[PHANTOM]).toBeUndefined();
      const got = await c.req<Res>('GET', `/Users/${user.id}`);
      expect(got.body).toEqual(r.body);
      const byManager = await c.req<List>('GET', filterQ(`${ENTERPRISE_SCHEMA}:manager.value eq "${boss.id}"`));
      expect(byManager.body.Resources.map((u) => u.id)).toEqual([user.id]);
    });

    it('refuses a PATCH path no schema has with invalidPath, and changes nothing', async () => {
      const { c } = f();
      const user = await newUser(c, 'typo-path@acme.example', { nickName: 'Typo' });
      for (const path of ['nickNam', 'name.givenNam', `${PHANTOM}:manager`, 'urn:acme:undeclared:1.0:User:badge', 'emails[type eq "work"].valu']) {
        const r = await c.req('PATCH', `/Users/${user.id}`, patchOp({ op: 'replace', path, value: 'x' }));
        expect([path, r.status, r.body]).toEqual([path, 400, expect.objectContaining({ schemas: [ERROR], scimType: 'invalidPath' })]);
      }
      const got = await c.req<Res>('GET', `/Users/${user.id}`);
      expect(got.body).toMatchObject({ nickName: 'Typo', name: { givenName: 'typo-path' } });
      expect(got.body.meta).toMatchObject({ version: 'W/"1"' });
    });

    it('applies the rest of a path-less PATCH, leaves out what no schema has, and names it in the request log', async () => {
      const { c } = f();
      const user = await newUser(c, 'pathless@acme.example');
      const r = await c.req<Res>(
        'PATCH',
        `/Users/${user.id}`,
        patchOp({ op: 'replace', value: { nickNam: 'x', title: 'Lead', name: { givenName: 'Pat', middleNam: 'Q' } } }),
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ title: 'Lead', name: { givenName: 'Pat', familyName: 'Tester' } });
      expect(JSON.stringify(r.body)).not.toMatch(/nickNam|middleNam/);
      expect(await lastLogged(f())).toMatchObject({
        status: 200,
        scimType: null,
        detail: expect.stringMatching(/nickNam, name\.middleNam .*attribute mapping/),
      });
    });

    it('accepts a PUT with a misspelled attribute, stores the rest and logs the name (Microsoft’s reference collection)', async () => {
      const { c } = f();
      const user = await newUser(c, 'put-typo@acme.example');
      const r = await c.req<Res>(
        'PUT',
        `/Users/${user.id}`,
        userBody('put-typo@acme.example', {
          title: 'Boss',
          adreses: [{ streetAddress: '1 Main St' }],
          addresses: [{ streetAddress: '2 Side St', contry: 'DE' }],
        }),
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ title: 'Boss', addresses: [{ streetAddress: '2 Side St' }] });
      expect(JSON.stringify(r.body)).not.toMatch(/adreses|contry/);
      const logged = await lastLogged(f());
      expect(logged.detail).toContain('adreses');
      expect(logged.detail).toContain('addresses.contry');
      expect((await c.req<Res>('GET', `/Users/${user.id}`)).body).toEqual(r.body);
    });

    it('keeps custom extensions the resource lists in schemas, and Entra’s custom extension attributes (a named quirk)', async () => {
      const { c } = f();
      const acme = 'urn:example:params:scim:schemas:extension:acme:1.0:User';
      const entra = 'urn:ietf:params:scim:schemas:extension:contoso:2.0:User';
      const r = await c.req<Res>(
        'POST',
        '/Users',
        userBody('custom@acme.example', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', acme],
          [acme]: { badge: 'B-17' },
          // Entra sends these without listing the extension in schemas.
          [`${entra}:costCode`]: 'CC-1',
          'urn:example:undeclared:1.0:User': { badge: 'nope' },
        }),
      );
      expect(r.status).toBe(201);
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', acme, entra]);
      expect(r.body[acme]).toEqual({ badge: 'B-17' });
      expect(r.body[entra]).toEqual({ costCode: 'CC-1' });
      expect(r.body['urn:example:undeclared:1.0:User']).toBeUndefined();
      expect((await lastLogged(f())).detail).toContain('urn:example:undeclared:1.0:User');
      // Entra's later update names the attribute by path; a custom extension the user has is patchable too.
      const patched = await c.req<Res>(
        'PATCH',
        `/Users/${r.body.id}`,
        patchOp({ op: 'Replace', path: `${entra}:costCode`, value: 'CC-2' }, { op: 'add', path: `${acme}:floor`, value: 3 }),
      );
      expect(patched.status).toBe(200);
      expect(patched.body[entra]).toEqual({ costCode: 'CC-2' });
      expect(patched.body[acme]).toEqual({ badge: 'B-17', floor: 3 });
      const projected = await c.req<Res>('GET', `/Users/${r.body.id}?attributes=${encodeURIComponent(`${acme}:badge`)},userName`);
      expect(projected.body).toEqual({ schemas: expect.any(Array), id: r.body.id, userName: 'custom@acme.example', [acme]: { badge: 'B-17' } });
    });

    it('answers filters and sortBy on unknown attributes 400, and projections of them with nothing', async () => {
      const { c } = f();
      const user = await newUser(c, 'filters@acme.example', { nickName: 'x' });
      const filter = await c.req('GET', filterQ('nickNam eq "x"'));
      expect(filter.body).toMatchObject({ status: '400', scimType: 'invalidFilter', detail: expect.stringContaining('Unknown attribute') });
      expect((await c.req('GET', filterQ(`${PHANTOM}:User.employeeNumber pr`))).status).toBe(200);
      expect((await c.req('GET', '/Users?sortBy=nickNam')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      const sorted = await c.req<List>('GET', `/Users?sortBy=NICKNAME&filter=${encodeURIComponent('userName eq "filters@acme.example"')}`);
      expect(sorted.body.Resources.map((u) => u.id)).toEqual([user.id]);
      const projected = await c.req<Res>('GET', `/Users/${user.id}?attributes=nickNam,NickName`);
      expect(projected.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: user.id, nickName: 'x' });
    });

    it('no longer echoes what an older version stored without a schema', async () => {
      const { c, app } = f();
      const user = await newUser(c, 'legacy@acme.example', { title: 'Kept' });
      const row = await app.rt.db('members').where({ id: user.id }).first();
      const attrs = JSON.parse(typeof row.attrs === 'string' ? row.attrs : JSON.stringify(row.attrs)) as Record<string, unknown>;
      await app.rt
        .db('members')
        .where({ id: user.id })
        .update({
          attrs: toJson({ ...attrs, nickNam: 'junk', name: { givenName: 'Leg', middleNam: 'junk' }, [PHANTOM]: { User: { manager: 'x' } } }),
        });
      const got = await c.req<Res>('GET', `/Users/${user.id}`);
      expect(got.body).toMatchObject({ title: 'Kept', name: { givenName: 'Leg' } });
      expect(got.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
      expect(JSON.stringify(got.body)).not.toMatch(/junk|nickNam|enterprise:2\.0"/);
      // A PATCH starts from the clean document and reports only what it sent itself.
      const patched = await c.req<Res>('PATCH', `/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'Still kept' }));
      expect(patched.body).toMatchObject({ title: 'Still kept' });
      expect((await lastLogged(f())).detail).toBeNull();
    });
  });

  describe('preferredLanguage is an Accept-Language value (RFC 7643 §4.1.2)', () => {
    it('stores a weighted list, filters by it, and writes emails in the best supported language', async () => {
      const { c, app } = f();
      const list = 'fr-FR,fr;q=0.95,de-DE;q=0.9,de;q=0.8,en-US;q=0.7,en;q=0.6,it;q=0.5,es;q=0.4,*;q=0.1';
      const r = await c.req<Res>('POST', '/Users', userBody('polyglot@acme.example', { preferredLanguage: list }));
      expect(r.status).toBe(201);
      expect(r.body.preferredLanguage).toBe(list);
      expect((await c.req<List>('GET', filterQ(`preferredLanguage eq "${list}"`))).body.Resources.map((u) => u.id)).toEqual([r.body.id]);
      const issue = await c.req<Res>('POST', '/Users', userBody('browser@acme.example', { preferredLanguage: 'en-US,en;q=0.9,de-DE;q=0.8,de;q=0.7,fr;q=0.6' }));
      expect(issue.status).toBe(201);
      const language = async (id: string) =>
        asOp(app.rt.db, async (ctx) => languageFor((await getScimMember(ctx.tx, c.accountId, id))!, (await getAccount(ctx.tx, c.accountId))!));
      expect(await language(r.body.id)).toBe('de');
      expect(await language(issue.body.id)).toBe('en');
      const tooLong = await c.req('POST', '/Users', userBody('toolong@acme.example', { preferredLanguage: 'de,'.repeat(200) }));
      expect(tooLong.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });
  });

  describe('/Schemas for schema-driven clients', () => {
    type Attr = {
      name: string;
      type: string;
      multiValued: boolean;
      required: boolean;
      caseExact: boolean;
      mutability: string;
      returned: string;
      uniqueness: string;
      referenceTypes?: string[];
      subAttributes?: Attr[];
    };

    it('describes every attribute completely, referenceTypes included, down through sub-attributes', async () => {
      const { c } = f();
      const schemas = await c.req<{ Resources: Array<{ id: string; attributes: Attr[] }> }>('GET', '/Schemas');
      const references: string[] = [];
      const walk = (attrs: Attr[], prefix: string) => {
        for (const a of attrs) {
          const where = `${prefix}${a.name}`;
          expect([where, a.type]).toEqual([where, expect.stringMatching(/^(string|boolean|decimal|integer|dateTime|reference|binary|complex)$/)]);
          expect([where, typeof a.multiValued, typeof a.required, typeof a.caseExact]).toEqual([where, 'boolean', 'boolean', 'boolean']);
          expect([where, a.mutability]).toEqual([where, expect.stringMatching(/^(readOnly|readWrite|immutable|writeOnly)$/)]);
          expect([where, a.returned]).toEqual([where, expect.stringMatching(/^(always|never|default|request)$/)]);
          expect([where, a.uniqueness]).toEqual([where, expect.stringMatching(/^(none|server|global)$/)]);
          if (a.type === 'reference') {
            expect([where, a.referenceTypes]).toEqual([where, expect.arrayContaining([expect.any(String)])]);
            references.push(`${where}:${a.referenceTypes!.join('|')}`);
          } else {
            expect([where, a.referenceTypes]).toEqual([where, undefined]);
          }
          if (a.type === 'complex') {
            expect([where, a.subAttributes?.length]).toEqual([where, expect.any(Number)]);
            walk(a.subAttributes!, `${where}.`);
          } else {
            expect([where, a.subAttributes]).toEqual([where, undefined]);
          }
        }
      };
      for (const s of schemas.body.Resources) walk(s.attributes, `${s.id}:`);
      expect(references.sort()).toEqual([
        'urn:ietf:params:scim:schemas:core:2.0:Group:members.$ref:User|Group',
        'urn:ietf:params:scim:schemas:core:2.0:User:groups.$ref:User|Group',
        'urn:ietf:params:scim:schemas:core:2.0:User:photos.value:external',
        'urn:ietf:params:scim:schemas:core:2.0:User:profileUrl:external',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref:User',
      ]);
      const one = await c.req<{ attributes: Attr[] }>('GET', `/Schemas/${ENTERPRISE_SCHEMA}`);
      expect(one.body.attributes.find((a) => a.name === 'manager')!.subAttributes!.find((s) => s.name === '$ref')).toMatchObject({ referenceTypes: ['User'] });
    });
  });

  describe('read-only endpoints', () => {
    it.each([
      ['POST', '/ServiceProviderConfig'],
      ['POST', '/ResourceTypes'],
      ['POST', '/Schemas'],
      ['PUT', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'],
      ['PATCH', '/ResourceTypes/User'],
      ['DELETE', '/ServiceProviderConfig'],
      ['POST', '/ServiceProviderConfig/extra'],
    ])('answers %s %s 405 with Allow: GET before reading the body (Okta spec test)', async (method, path) => {
      const { c } = f();
      for (const body of ['this is not JSON {', '{"schemas": []}', undefined]) {
        const r = await c.req(method, path, body, { 'content-type': 'text/plain' });
        expect([path, body, r.status]).toEqual([path, body, 405]);
        expect(r.headers.get('allow')).toBe('GET');
        expect(r.body).toMatchObject({ schemas: [ERROR], status: '405', detail: expect.stringContaining('GET') });
      }
    });
  });
});
