// The one attribute resolver: published schemas, declared custom extensions, Entra's quirk, nothing else.
import { ANY_EXTENSION, NO_EXTENSIONS, declaredExtensions, isExtensionUrn, resolveName, type Extensions, type Resolution } from '../../../src/scim/attributes';
import { storedAttributes, toDocument } from '../../../src/scim/document';
import { entraCustomExtension } from '../../../src/scim/quirks';
import { ENTERPRISE_SCHEMA, GROUP, USER } from '../../../src/scim/schema';

const PHANTOM = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0';
const ACME = 'urn:example:acme:1.0:User';
const ENTRA = 'urn:ietf:params:scim:schemas:extension:contoso:2.0:User';

/** A resolution in one line: "attr canonical", "schema id", "custom urn[:name]" or "unknown". */
function show(r: Resolution): string {
  switch (r.kind) {
    case 'attr':
      return `attr ${r.attr.canonical}`;
    case 'schema':
      return `schema ${r.schema.id}`;
    case 'custom':
      return `custom ${r.urn}${r.name ? `:${r.name}${r.sub ? `.${r.sub}` : ''}` : ''}`;
    default:
      return 'unknown';
  }
}

describe('resolveName', () => {
  const declared = declaredExtensions(USER, ['urn:ietf:params:scim:schemas:core:2.0:User', ACME]);
  it.each<[string, Extensions, string]>([
    ['USERNAME', NO_EXTENSIONS, 'attr userName'],
    ['name.GIVENNAME', NO_EXTENSIONS, 'attr name.givenName'],
    ['meta.lastModified', NO_EXTENSIONS, 'attr meta.lastModified'],
    ['urn:scim:schemas:core:1.0:title', NO_EXTENSIONS, 'attr title'],
    [`${ENTERPRISE_SCHEMA}:Manager.Value`, NO_EXTENSIONS, `attr ${ENTERPRISE_SCHEMA}:manager.value`],
    [ENTERPRISE_SCHEMA.toUpperCase().replace('URN', 'urn'), NO_EXTENSIONS, `schema ${ENTERPRISE_SCHEMA}`],
    // Okta's spec test: the dotted form is the manager, not a schema ending in "2.0".
    [`${PHANTOM}:User.manager`, NO_EXTENSIONS, `attr ${ENTERPRISE_SCHEMA}:manager`],
    [`${PHANTOM}:manager`, ANY_EXTENSION, 'unknown'],
    [PHANTOM, ANY_EXTENSION, 'unknown'],
    ['nickNam', ANY_EXTENSION, 'unknown'],
    ['name.middleNam', ANY_EXTENSION, 'unknown'],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName', ANY_EXTENSION, 'unknown'],
    [`${ACME}:badge`, NO_EXTENSIONS, 'unknown'],
    [`${ACME}:badge`, declared, `custom ${ACME}:badge`],
    [ACME, declared, `custom ${ACME}`],
    ['urn:example:other:1.0:User:badge', declared, 'unknown'],
    ['urn:example:other:1.0:User:badge', ANY_EXTENSION, 'custom urn:example:other:1.0:User:badge'],
    [`${ENTRA}:costCode`, declaredExtensions(USER, []), `custom ${ENTRA}:costCode`],
    [ENTRA, declaredExtensions(USER, []), `custom ${ENTRA}`],
  ])('%s (%j) → %s', (name, ext, expected) => {
    expect(show(resolveName(USER, name, ext))).toBe(expected);
  });

  it('resolves Group names against the Group schema only', () => {
    expect(show(resolveName(GROUP, 'Members.Value', NO_EXTENSIONS))).toBe('attr members.value');
    expect(show(resolveName(GROUP, 'userName', NO_EXTENSIONS))).toBe('unknown');
    expect(show(resolveName(GROUP, `${ENTERPRISE_SCHEMA}:manager`, ANY_EXTENSION))).toBe('unknown');
    expect(show(resolveName(GROUP, 'urn:ietf:params:scim:schemas:extension:contoso:2.0:Group:tag', declaredExtensions(GROUP, [])))).toBe(
      'custom urn:ietf:params:scim:schemas:extension:contoso:2.0:Group:tag',
    );
  });
});

describe('custom extension URNs', () => {
  it.each([
    [ACME, true],
    [ENTRA, true],
    [ENTERPRISE_SCHEMA, false],
    [PHANTOM, false],
    ['urn:ietf:params:scim:schemas:core:2.0', false],
    ['urn:ietf:params:scim:api:messages:2.0:PatchOp', false],
    ['urn:scim:schemas:core:1.0', false],
    ['http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group', false],
  ])('%s may name a custom extension: %s', (urn, expected) => {
    expect(isExtensionUrn(USER, urn)).toBe(expected);
  });

  it('counts only the shape Entra requires as declared without schemas (quirk)', () => {
    expect(entraCustomExtension(ENTRA, USER)).toBe(true);
    expect(entraCustomExtension(ENTRA, GROUP)).toBe(false);
    expect(entraCustomExtension('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', USER)).toBe(false);
    expect(entraCustomExtension('urn:ietf:params:scim:schemas:extension:contoso:1.0:User', USER)).toBe(false);
    expect(entraCustomExtension(ACME, USER)).toBe(false);
  });
});

describe('toDocument and storedAttributes', () => {
  it('leaves out and names what no schema has, keeping the rest', () => {
    const ignored = new Set<string>();
    const doc = toDocument(
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', PHANTOM],
        userName: 'x',
        nickNam: 'typo',
        name: { givenName: 'G', middleNam: 'typo' },
        emails: [{ value: 'x@y', primry: true }],
        [PHANTOM]: { User: { manager: 'boss' } },
        [ENTERPRISE_SCHEMA]: { department: 'R&D', departmnt: 'typo' },
        [`${ENTERPRISE_SCHEMA}:employeeNumbr`]: '1',
        'urn:example:undeclared:1.0:User': { badge: 1 },
      },
      USER,
      { ignored },
    );
    expect(doc).toEqual({ userName: 'x', name: { givenName: 'G' }, emails: [{ value: 'x@y' }], [ENTERPRISE_SCHEMA]: { department: 'R&D' } });
    expect([...ignored].sort()).toEqual([
      'emails.primry',
      'name.middleNam',
      'nickNam',
      'urn:example:undeclared:1.0:User',
      PHANTOM,
      `${ENTERPRISE_SCHEMA}:departmnt`,
      `${ENTERPRISE_SCHEMA}:employeeNumbr`,
    ]);
  });

  it('drops from a stored document what an older version kept without a schema', () => {
    expect(
      storedAttributes(USER, {
        userName: 'x',
        nickNam: 'typo',
        name: { givenName: 'G', middleNam: 'typo' },
        [PHANTOM]: { User: { manager: 'boss' } },
        [ENTERPRISE_SCHEMA]: { department: 'R&D', departmnt: 'typo', manager: { value: 'b', note: 'typo' } },
        [ACME]: { anything: ['kept'] },
      }),
    ).toEqual({
      userName: 'x',
      name: { givenName: 'G' },
      [ENTERPRISE_SCHEMA]: { department: 'R&D', manager: { value: 'b' } },
      [ACME]: { anything: ['kept'] },
    });
  });
});
