// /Users over HTTP on SQLite and PostgreSQL: CRUD, ETags, filters, sorting, paging, projection.
import { ENTERPRISE_SCHEMA } from '../../../src/scim/schema';
import { describeEachScimApp, filterQ, patchOp, scimAccount, userBody, SCIM_JSON } from '../../helpers/scim';

type Res = Record<string, unknown> & { id: string; meta: { version: string; location: string } };
type List = { totalResults: number; startIndex: number; itemsPerPage: number; Resources: Res[] };

describeEachScimApp('SCIM /Users', (f) => {
  it('creates a user: 201, Location, ETag, scim+json, and the resource as stored', async () => {
    const { c } = f();
    const r = await c.req<Res>('POST', '/Users', userBody('create@acme.example', { externalId: 'ext-create', title: 'Engineer' }));
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(r.headers.get('location')).toBe(`${c.base}/Users/${r.body.id}`);
    expect(r.headers.get('etag')).toBe(r.body.meta.version);
    expect(r.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'create@acme.example',
      externalId: 'ext-create',
      title: 'Engineer',
      active: true,
      meta: { resourceType: 'User', location: `${c.base}/Users/${r.body.id}` },
    });
    const got = await c.req<Res>('GET', `/Users/${r.body.id}`);
    expect(got.body).toEqual(r.body);
  });

  it('answers GET with If-None-Match 304, and PUT/PATCH/DELETE with a stale If-Match 412', async () => {
    const { c } = f();
    const r = await c.req<Res>('POST', '/Users', userBody('etag@acme.example'));
    const tag = r.headers.get('etag')!;
    expect((await c.req('GET', `/Users/${r.body.id}`, undefined, { 'if-none-match': tag })).status).toBe(304);
    const p1 = await c.req<Res>('PATCH', `/Users/${r.body.id}`, patchOp({ op: 'replace', path: 'title', value: 'A' }), { 'if-match': tag });
    expect(p1.status).toBe(200);
    expect(p1.headers.get('etag')).not.toBe(tag);
    for (const [method, body] of [
      ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'B' })],
      ['PUT', userBody('etag@acme.example')],
      ['DELETE', undefined],
    ] as const) {
      const stale = await c.req(method, `/Users/${r.body.id}`, body, { 'if-match': tag });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '412' });
    }
    expect((await c.req<Res>('GET', `/Users/${r.body.id}`)).body.title).toBe('A');
  });

  it('replaces a user with PUT (attributes not sent are gone) and deletes it (404 after)', async () => {
    const { c } = f();
    const r = await c.req<Res>('POST', '/Users', userBody('put@acme.example', { title: 'Old', nickName: 'p' }));
    const put = await c.req<Res>('PUT', `/Users/${r.body.id}`, userBody('put@acme.example', { title: 'New' }));
    expect(put.status).toBe(200);
    expect(put.body.title).toBe('New');
    expect(put.body.nickName).toBeUndefined();
    expect((await c.req('DELETE', `/Users/${r.body.id}`)).status).toBe(204);
    const gone = await c.req('GET', `/Users/${r.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: expect.any(String) });
    const list = await c.req<List>('GET', filterQ('userName eq "put@acme.example"'));
    expect(list.body.totalResults).toBe(0);
  });

  it('keeps the enterprise extension and unknown extensions as sent', async () => {
    const { c } = f();
    const r = await c.req<Res>(
      'POST',
      '/Users',
      userBody('ext@acme.example', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_SCHEMA, 'urn:example:params:scim:schemas:extension:acme:1.0:User'],
        [ENTERPRISE_SCHEMA]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'mgr-1', displayName: 'John' } },
        'urn:example:params:scim:schemas:extension:acme:1.0:User': { badge: 'B-17', floors: [1, 2] },
      }),
    );
    expect(r.status).toBe(201);
    const got = await c.req<Res>('GET', `/Users/${r.body.id}`);
    expect(got.body.schemas).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:example:params:scim:schemas:extension:acme:1.0:User',
      ENTERPRISE_SCHEMA,
    ]);
    expect(got.body[ENTERPRISE_SCHEMA]).toEqual({ employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'mgr-1', displayName: 'John' } });
    expect(got.body['urn:example:params:scim:schemas:extension:acme:1.0:User']).toEqual({ badge: 'B-17', floors: [1, 2] });
  });

  describe('filters run in SQL', () => {
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      const { c } = f();
      const people = [
        ['Filter.Anna@Acme.example', 'Anna', 'Zimmer', 'Sales', true, 'e-anna', '100'],
        ['filter.bob@acme.example', 'Bob', 'Young', 'R&D', true, 'e-bob', '200'],
        ['filter.carla@other.example', 'Carla', 'Xu', 'R&D', false, 'E-CARLA', '300'],
        ['filter.dörte@acme.example', 'Dörte', 'Ängström', 'Sales', true, null, '050'],
      ] as const;
      for (const [userName, given, family, dept, active, ext, num] of people) {
        const r = await c.req<Res>(
          'POST',
          '/Users',
          userBody(userName, {
            name: { givenName: given, familyName: family },
            active,
            ...(ext ? { externalId: ext } : {}),
            emails: [
              { value: userName.toLowerCase(), type: 'work', primary: true },
              { value: `${given.toLowerCase()}@home.example`, type: 'home' },
            ],
            [ENTERPRISE_SCHEMA]: { department: dept, employeeNumber: num },
            title: given === 'Bob' ? 'Boss' : undefined,
          }),
        );
        expect(r.status).toBe(201);
        ids[given] = r.body.id;
      }
    });

    const names = async (filter: string, extra = '') => {
      const r = await f().c.req<List>('GET', filterQ(filter, extra));
      expect(r.status).toBe(200);
      return r.body.Resources.map((u) => (u.name as { givenName: string }).givenName).sort();
    };

    it.each([
      ['userName eq "FILTER.ANNA@acme.EXAMPLE"', ['Anna']],
      ['userName eq "filter.dÖrte@acme.example"', ['Dörte']],
      ['userName sw "filter." and userName ew "@acme.example"', ['Anna', 'Bob', 'Dörte']],
      ['userName co "CARLA"', ['Carla']],
      ['userName ne "filter.bob@acme.example" and userName sw "filter"', ['Anna', 'Carla', 'Dörte']],
      ['externalId eq "E-CARLA"', ['Carla']],
      ['externalId eq "e-carla"', []],
      ['externalId pr and userName sw "filter"', ['Anna', 'Bob', 'Carla']],
      ['not (externalId pr) and userName sw "filter"', ['Dörte']],
      ['name.familyName eq "ängström"', ['Dörte']],
      ['name.givenName gt "B" and name.givenName lt "D" and userName sw "filter"', ['Bob', 'Carla']],
      ['active eq false and userName sw "filter"', ['Carla']],
      ['active eq "True" and userName sw "filter"', ['Anna', 'Bob', 'Dörte']],
      ['emails.value eq "bob@home.example"', ['Bob']],
      ['emails co "carla@home"', ['Carla']],
      ['emails[type eq "work" and value ew "@other.example"]', ['Carla']],
      ['emails[type eq "home" and value sw "anna"] or emails[value eq "bob@home.example"]', ['Anna', 'Bob']],
      ['emails[type eq "work"].value eq "filter.bob@acme.example"', ['Bob']],
      [`${ENTERPRISE_SCHEMA}:department eq "r&d"`, ['Bob', 'Carla']],
      [`${ENTERPRISE_SCHEMA}:employeeNumber ge "100" and ${ENTERPRISE_SCHEMA}:employeeNumber le "200"`, ['Anna', 'Bob']],
      ['title eq "boss"', ['Bob']],
      ['title pr and userName sw "filter"', ['Bob']],
      ['(userName eq "filter.bob@acme.example" or userName eq "filter.anna@acme.example") and active eq true', ['Anna', 'Bob']],
      ['meta.created gt "2000-01-01T00:00:00Z" and userName sw "filter.c"', ['Carla']],
      ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
      ['USERNAME Eq "filter.bob@acme.example"', ['Bob']],
    ])('%s', async (filter, expected) => {
      expect(await names(filter)).toEqual(expected);
    });

    it.each([
      ['userName eq', 'invalidFilter'],
      ['nosuch eq "x"', 'invalidFilter'],
      ['active gt true', 'invalidFilter'],
      ['password eq "x"', 'invalidFilter'],
      ['name eq "x"', 'invalidFilter'],
      ['userName eq "x" and', 'invalidFilter'],
      ['title[value eq "x"]', 'invalidFilter'],
      ['meta.created gt "not a date"', 'invalidFilter'],
    ])('refuses %j with 400 %s', async (filter, scimType) => {
      const r = await f().c.req('GET', filterQ(filter));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ status: '400', scimType });
    });

    it('sorts by any attribute, ascending or descending, nulls last', async () => {
      const q = (sort: string) => f().c.req<List>('GET', filterQ('userName sw "filter."', sort));
      const asc = await q('&sortBy=name.familyName');
      // Case-insensitive, then by code point on both databases (no locale-dependent collation).
      expect(asc.body.Resources.map((u) => (u.name as { familyName: string }).familyName)).toEqual(['Xu', 'Young', 'Zimmer', 'Ängström']);
      const byUser = await q('&sortBy=userName&sortOrder=descending');
      expect(byUser.body.Resources.map((u) => u.userName)).toEqual([
        'filter.dörte@acme.example',
        'filter.carla@other.example',
        'filter.bob@acme.example',
        'Filter.Anna@Acme.example',
      ]);
      const byExt = await q('&sortBy=externalId');
      expect(byExt.body.Resources.map((u) => u.externalId ?? null)).toEqual(['E-CARLA', 'e-anna', 'e-bob', null]);
      expect((await q('&sortBy=emails')).status).toBe(200);
      expect((await q('&sortBy=nope')).status).toBe(400);
      expect((await q('&sortOrder=sideways')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });

    it('pages with startIndex and count, reporting totalResults and the real itemsPerPage', async () => {
      const { c } = f();
      const page = (q: string) => c.req<List>('GET', filterQ('userName sw "filter."', `&sortBy=userName${q}`));
      const p1 = await page('&startIndex=1&count=3');
      expect([p1.body.totalResults, p1.body.startIndex, p1.body.itemsPerPage, p1.body.Resources.length]).toEqual([4, 1, 3, 3]);
      const p2 = await page('&startIndex=4&count=3');
      expect([p2.body.startIndex, p2.body.itemsPerPage]).toEqual([4, 1]);
      expect(p2.body.Resources[0]!.userName).toBe('filter.dörte@acme.example');
      const none = await page('&startIndex=10&count=3');
      expect([none.body.totalResults, none.body.itemsPerPage, none.body.Resources]).toEqual([4, 0, []]);
      const zero = await page('&count=0');
      expect([zero.body.totalResults, zero.body.itemsPerPage]).toEqual([4, 0]);
      const clamped = await page('&startIndex=0&count=-5');
      expect([clamped.body.startIndex, clamped.body.itemsPerPage]).toEqual([1, 0]);
      expect((await page('&count=ten')).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });

    it('projects attributes and excludedAttributes (id and schemas always)', async () => {
      const { c } = f();
      const only = await c.req<Res>('GET', `/Users/${ids.Bob}?attributes=userName,name.familyName,${ENTERPRISE_SCHEMA}:department`);
      expect(only.body).toEqual({
        schemas: expect.any(Array),
        id: ids.Bob,
        userName: 'filter.bob@acme.example',
        name: { familyName: 'Young' },
        [ENTERPRISE_SCHEMA]: { department: 'R&D' },
      });
      const without = await c.req<Res>('GET', `/Users/${ids.Bob}?excludedAttributes=emails,meta,id`);
      expect(without.body.emails).toBeUndefined();
      expect(without.body.meta).toBeUndefined();
      expect(without.body.id).toBe(ids.Bob);
      const listed = await c.req<List>('GET', filterQ('userName eq "filter.bob@acme.example"', '&attributes=emails.value'));
      expect(listed.body.Resources[0]).toEqual({
        schemas: expect.any(Array),
        id: ids.Bob,
        emails: [{ value: 'filter.bob@acme.example' }, { value: 'bob@home.example' }],
      });
    });

    it('answers POST /Users/.search like GET', async () => {
      const r = await f().c.req<List>('POST', '/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'userName sw "filter."',
        sortBy: 'userName',
        startIndex: 2,
        count: 1,
        attributes: ['userName'],
      });
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(4);
      expect(r.body.Resources).toEqual([{ schemas: expect.any(Array), id: ids.Bob, userName: 'filter.bob@acme.example' }]);
    });
  });

  it('refuses duplicates with 409 uniqueness: userName (any case) and externalId', async () => {
    const { c } = f();
    expect((await c.req('POST', '/Users', userBody('dup@acme.example', { externalId: 'dup-1' }))).status).toBe(201);
    const again = await c.req('POST', '/Users', userBody('DUP@acme.example'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const ext = await c.req('POST', '/Users', userBody('dup2@acme.example', { externalId: 'dup-1' }));
    expect(ext.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('creates a person whose email another SCIM user has, and leaves no row behind a refused POST', async () => {
    // The lookups and the insert are one statement on PostgreSQL: the insert must run exactly when the answer is 201.
    const { c } = f();
    const shared = { emails: [{ value: 'shared@acme.example', type: 'work', primary: true }] };
    expect((await c.req('POST', '/Users', userBody('first@acme.example', { ...shared, externalId: 'first-1' }))).status).toBe(201);
    const second = await c.req<Res>('POST', '/Users', userBody('second@acme.example', shared));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ userName: 'second@acme.example', emails: shared.emails, meta: { version: 'W/"1"' } });
    expect((await c.req<Res>('GET', `/Users/${second.body.id}`)).body.userName).toBe('second@acme.example');
    const taken = await c.req('POST', '/Users', userBody('third@acme.example', { ...shared, externalId: 'first-1' }));
    expect(taken.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const count = async (userName: string) => (await c.req<List>('GET', filterQ(`userName eq "${userName}"`))).body.totalResults;
    expect(await count('third@acme.example')).toBe(0);
    expect((await c.req('POST', '/Users', userBody('FIRST@acme.example'))).status).toBe(409);
    expect(await count('first@acme.example')).toBe(1);
  });

  it.each([
    ['not JSON', '{"userName": ', 'invalidSyntax'],
    ['an array', '[]', 'invalidSyntax'],
    ['no userName', JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] }), 'invalidValue'],
    ['a blank userName', JSON.stringify({ userName: '   ' }), 'invalidValue'],
    ['a numeric userName object', JSON.stringify({ userName: { a: 1 } }), 'invalidValue'],
    ['emails as a number', JSON.stringify({ userName: 'e@x', emails: 5 }), 'invalidValue'],
    ['active "maybe"', JSON.stringify({ userName: 'e@x', active: 'maybe' }), 'invalidValue'],
    ['a 300-char userName', JSON.stringify({ userName: 'x'.repeat(300) }), 'invalidValue'],
    ['deeply nested JSON', `{"userName":"d@x","x":${'['.repeat(100)}${']'.repeat(100)}}`, 'invalidSyntax'],
  ])('refuses a body with %s: 400 %s', async (_what, body, scimType) => {
    const r = await f().c.req('POST', '/Users', body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType });
  });

  it('accepts application/json and no content type at all', async () => {
    const { c } = f();
    for (const [i, type] of [
      ['1', 'application/json'],
      ['2', 'text/plain'],
    ] as const) {
      const r = await fetch(`${c.base}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': type },
        body: JSON.stringify(userBody(`ct${i}@acme.example`)),
      });
      expect(r.status).toBe(201);
    }
    const typeOf = (await fetch(`${c.base}/Users`, { headers: { authorization: `Bearer ${c.token}`, accept: SCIM_JSON } })).headers.get('content-type');
    expect(typeOf).toMatch(/^application\/scim\+json/);
  });

  it('answers 404 for another account’s user and for unknown ids', async () => {
    const { c, app } = f();
    const other = await scimAccount(app.rt.db, app.url, { name: 'Other', mspId: c.mspId });
    const theirs = await other.req<Res>('POST', '/Users', userBody('theirs@other.example'));
    for (const method of ['GET', 'DELETE']) expect((await c.req(method, `/Users/${theirs.body.id}`)).status).toBe(404);
    expect((await c.req('PATCH', `/Users/${theirs.body.id}`, patchOp({ op: 'replace', path: 'active', value: false }))).status).toBe(404);
    expect((await c.req<List>('GET', filterQ('userName eq "theirs@other.example"'))).body.totalResults).toBe(0);
    expect((await other.req<Res>('GET', `/Users/${theirs.body.id}`)).body.active).toBe(true);
  });
});
