// SCIM attribute metadata for Users and Groups, taken from scimmy's RFC 7643 schema definitions.
import SCIMMY from 'scimmy';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  required: boolean;
  description?: string;
  canonicalValues?: string[];
  /** For type "reference": what it may point at (RFC 7643 §7); schema-driven clients need it. */
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

/** The schema representation (RFC 7643 §7) as served by /Schemas. */
export interface SchemaDescription {
  id: string;
  name: string;
  description: string;
  attributes: AttrDef[];
}

export interface ResourceSchema {
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  core: SchemaDescription;
  extensions: SchemaDescription[];
}

/** Attributes every resource has (RFC 7643 §3.1); not part of any schema's attribute list. */
export const COMMON = {
  id: {
    name: 'id',
    type: 'string',
    multiValued: false,
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
    required: false,
  },
  externalId: {
    name: 'externalId',
    type: 'string',
    multiValued: false,
    caseExact: true,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    required: false,
  },
  meta: {
    name: 'meta',
    type: 'complex',
    multiValued: false,
    caseExact: false,
    mutability: 'readOnly',
    returned: 'default',
    uniqueness: 'none',
    required: false,
    subAttributes: ['resourceType', 'created', 'lastModified', 'location', 'version'].map((name) => ({
      name,
      type: name === 'created' || name === 'lastModified' ? 'dateTime' : name === 'location' ? 'reference' : 'string',
      multiValued: false,
      caseExact: name !== 'resourceType',
      mutability: 'readOnly',
      returned: 'default',
      uniqueness: 'none',
      required: false,
      ...(name === 'location' ? { referenceTypes: ['uri'] } : {}),
    })),
  },
} satisfies Record<string, AttrDef>;

function normalise(a: Record<string, unknown>): AttrDef {
  return {
    name: a.name as string,
    type: a.type as AttrType,
    multiValued: Boolean(a.multiValued),
    caseExact: Boolean(a.caseExact),
    mutability: (a.mutability as AttrDef['mutability']) ?? 'readWrite',
    returned: (a.returned as AttrDef['returned']) ?? 'default',
    uniqueness: (a.uniqueness as AttrDef['uniqueness']) ?? 'none',
    required: Boolean(a.required),
    ...(typeof a.description === 'string' ? { description: a.description } : {}),
    ...(Array.isArray(a.canonicalValues) && a.canonicalValues.length ? { canonicalValues: a.canonicalValues as string[] } : {}),
    ...(a.type === 'reference' ? { referenceTypes: Array.isArray(a.referenceTypes) ? (a.referenceTypes as string[]) : ['external'] } : {}),
    ...(Array.isArray(a.subAttributes) ? { subAttributes: (a.subAttributes as Array<Record<string, unknown>>).map(normalise) } : {}),
  };
}

function fromScimmy(definition: { describe(): Record<string, unknown> }): SchemaDescription {
  // describe() returns scimmy Attribute objects whose RFC form is what toJSON() gives.
  const d = JSON.parse(JSON.stringify(definition.describe())) as Record<string, unknown>;
  return {
    id: d.id as string,
    name: d.name as string,
    description: d.description as string,
    attributes: (d.attributes as Array<Record<string, unknown>>).map(normalise),
  };
}

const userCore = fromScimmy(SCIMMY.Schemas.User.definition);
// Group member values are resource ids: compared exactly.
const groupCore = fromScimmy(SCIMMY.Schemas.Group.definition);
const enterprise = fromScimmy(SCIMMY.Schemas.EnterpriseUser.definition);

export const USER: ResourceSchema = { name: 'User', endpoint: '/Users', core: userCore, extensions: [enterprise] };
export const GROUP: ResourceSchema = { name: 'Group', endpoint: '/Groups', core: groupCore, extensions: [] };
export const SCHEMA_DESCRIPTIONS: SchemaDescription[] = [userCore, groupCore, enterprise];

export interface AttrPath {
  /** Schema URN when the path was written with one (extension attributes). */
  urn?: string;
  name: string;
  sub?: string;
}

/** Splits "urn:...:User:manager.value" or "name.givenName" into an AttrPath. */
export function parseAttrPath(raw: string): AttrPath | undefined {
  const text = raw.trim();
  let urn: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const cut = text.lastIndexOf(':');
    urn = text.slice(0, cut);
    rest = text.slice(cut + 1);
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) return undefined;
  return { urn, name: m[1]!, sub: m[2] };
}
