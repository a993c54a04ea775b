// SCIM attribute metadata for Users and Groups, taken from scimmy's RFC 7643 schema definitions.
import SCIMMY from 'scimmy';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

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

const common = {
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
    ...(Array.isArray(a.subAttributes)
      ? { subAttributes: (a.subAttributes as Array<Record<string, unknown>>).map(normalise) }
      : {}),
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

export interface ResolvedAttr {
  /** The schema the attribute lives in. */
  schema: string;
  def: AttrDef;
  sub?: AttrDef;
  /** Where the value lives in a stored resource: ['name','givenName'] or [urn,'manager','value']. */
  jsonPath: string[];
  /** Canonical dotted name, e.g. "name.givenName" or "urn:...:User:manager.value". */
  canonical: string;
}

const byName = (defs: AttrDef[], name: string) => defs.find((d) => d.name.toLowerCase() === name.toLowerCase());

/** Resolves an attribute path case-insensitively (RFC 7643 §2.1); undefined when the schema has no such attribute. */
export function resolveAttr(rs: ResourceSchema, path: AttrPath): ResolvedAttr | undefined {
  let desc: SchemaDescription | undefined;
  if (path.urn) {
    const urn = path.urn.toLowerCase();
    desc = [rs.core, ...rs.extensions].find((s) => s.id.toLowerCase() === urn);
    if (!desc) return undefined;
  } else {
    desc = rs.core;
  }
  const isCore = desc === rs.core;
  const def = (isCore ? byName(Object.values(common), path.name) : undefined) ?? byName(desc.attributes, path.name);
  if (!def) return undefined;
  let sub: AttrDef | undefined;
  if (path.sub !== undefined) {
    sub = def.subAttributes ? byName(def.subAttributes, path.sub) : undefined;
    if (!sub) return undefined;
  }
  const jsonPath = [...(isCore ? [] : [desc.id]), def.name, ...(sub ? [sub.name] : [])];
  return {
    schema: desc.id,
    def,
    sub,
    jsonPath,
    canonical: `${isCore ? '' : `${desc.id}:`}${def.name}${sub ? `.${sub.name}` : ''}`,
  };
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

/** True when raw is the URN of one of the resource's schemas (a path that names a whole extension). */
export function schemaUrnOf(rs: ResourceSchema, raw: string): SchemaDescription | undefined {
  const lower = raw.toLowerCase();
  return [rs.core, ...rs.extensions].find((s) => s.id.toLowerCase() === lower);
}
