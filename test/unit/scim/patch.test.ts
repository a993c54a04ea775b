// PATCH on a document (RFC 7644 §3.5.2), including what Entra and Okta send.
import { toDocument } from '../../../src/scim/document';
import { ScimError } from '../../../src/scim/errors';
import { applyPatch, readPatchOps } from '../../../src/scim/patch';
import { ENTERPRISE_SCHEMA, USER } from '../../../src/scim/schema';

const base = () =>
  toDocument(
    {
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [
        { value: 'bj@work.example', type: 'work', primary: true },
        { value: 'bj@home.example', type: 'home' },
      ],
      active: true,
    },
    USER,
  );

const patch = (doc: Record<string, unknown>, Operations: unknown[]) =>
  toDocument(applyPatch(doc, readPatchOps({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }), USER), USER);

describe('PATCH on a user document', () => {
  it('replaces a sub-attribute selected by a value filter', () => {
    const out = patch(base(), [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }]);
    expect(out.emails).toEqual([
      { value: 'new@work.example', type: 'work', primary: true },
      { value: 'bj@home.example', type: 'home' },
    ]);
  });

  it('creates the element a value filter names when none matches (Entra)', () => {
    const out = patch(base(), [{ op: 'replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+49 1' }]);
    expect(out.phoneNumbers).toEqual([{ type: 'mobile', value: '+49 1' }]);
  });

  it('applies path-less objects with dotted keys and extension URNs (Okta, Entra)', () => {
    const out = patch(base(), [
      {
        op: 'replace',
        value: {
          'name.familyName': 'Smith',
          active: false,
          [ENTERPRISE_SCHEMA]: { department: 'R&D' },
          [`${ENTERPRISE_SCHEMA}:employeeNumber`]: '42',
        },
      },
    ]);
    expect(out).toMatchObject({
      name: { givenName: 'Barbara', familyName: 'Smith' },
      active: false,
      [ENTERPRISE_SCHEMA]: { department: 'R&D', employeeNumber: '42' },
    });
  });

  it('sets and removes the enterprise manager by URN path, as a plain id or {value}', () => {
    const withManager = patch(base(), [{ op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: 'boss-id' }]);
    expect(withManager[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: 'boss-id' } });
    const replaced = patch(withManager, [{ op: 'replace', path: `${ENTERPRISE_SCHEMA}:manager`, value: { value: 'other' } }]);
    expect(replaced[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: 'other' } });
    expect(patch(replaced, [{ op: 'remove', path: `${ENTERPRISE_SCHEMA}:manager` }])[ENTERPRISE_SCHEMA]).toBeUndefined();
  });

  it('adds to a multi-valued attribute without duplicating, keeping one primary', () => {
    const out = patch(base(), [
      {
        op: 'add',
        path: 'emails',
        value: [
          { value: 'bj@home.example', type: 'home' },
          { value: 'x@y.example', type: 'other', primary: true },
        ],
      },
    ]);
    expect(out.emails).toEqual([
      { value: 'bj@work.example', type: 'work', primary: false },
      { value: 'bj@home.example', type: 'home' },
      { value: 'x@y.example', type: 'other', primary: true },
    ]);
  });

  it('removes by filter, by value list (Entra), a sub-attribute, and ignores absent targets', () => {
    expect(patch(base(), [{ op: 'remove', path: 'emails[type eq "home"]' }]).emails).toHaveLength(1);
    expect(patch(base(), [{ op: 'Remove', path: 'emails', value: [{ value: 'bj@work.example' }] }]).emails).toEqual([
      { value: 'bj@home.example', type: 'home' },
    ]);
    expect(patch(base(), [{ op: 'remove', path: 'name.givenName' }]).name).toEqual({ familyName: 'Jensen' });
    expect(patch(base(), [{ op: 'remove', path: 'title' }])).toEqual(base());
  });

  it('coerces string booleans and capitalised ops (Entra)', () => {
    const ops = readPatchOps({ operations: [{ OP: 'Replace', Path: 'active', Value: 'False' }] });
    expect(ops).toEqual([{ op: 'replace', path: 'active', value: 'False' }]);
    expect(toDocument(applyPatch(base(), ops, USER), USER).active).toBe(false);
  });

  it.each([
    [[{ op: 'remove' }], 400, 'noTarget'],
    [[{ op: 'replace', path: 'id', value: 'x' }], 400, 'mutability'],
    [[{ op: 'replace', path: 'meta.created', value: 'x' }], 400, 'mutability'],
    [[{ op: 'add', path: 'emails[type eq "work"', value: 'x' }], 400, 'invalidPath'],
    [[{ op: 'replace', path: 'emails[type co "w"].value', value: 'x' }], 400, 'noTarget'],
    [[{ op: 'move', path: 'title', value: 'x' }], 400, 'invalidSyntax'],
    [[{ op: 'add', path: 'title' }], 400, 'invalidValue'],
    [[{ op: 'replace', path: 'active', value: 'maybe' }], 400, 'invalidValue'],
  ])('refuses %j', (ops, status, scimType) => {
    let err: unknown;
    try {
      patch({ ...base(), emails: [{ value: 'a@b', type: 'home' }] }, ops);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect([(err as ScimError).status, (err as ScimError).scimType]).toEqual([status, scimType]);
  });
});

describe('toDocument', () => {
  it('canonicalises names, coerces values and keeps the extensions the body declares', () => {
    const doc = toDocument(
      {
        // Custom extensions are kept when `schemas` lists them (RFC 7643 §3); see attributes.test.ts.
        schemas: ['urn:scim:schemas:core:1.0', 'urn:example:custom:1.0:User'],
        UserName: 'x',
        Active: 'True',
        emails: { value: 'one@x.example' },
        phoneNumbers: null,
        'urn:example:custom:1.0:User': { badge: 17 },
        [ENTERPRISE_SCHEMA]: { manager: 'boss', employeeNumber: 5 },
        'urn:scim:schemas:core:1.0': { title: 'Boss' },
      },
      USER,
    );
    expect(doc).toEqual({
      userName: 'x',
      active: true,
      emails: [{ value: 'one@x.example' }],
      'urn:example:custom:1.0:User': { badge: 17 },
      [ENTERPRISE_SCHEMA]: { manager: { value: 'boss' }, employeeNumber: '5' },
      title: 'Boss',
    });
  });
});
