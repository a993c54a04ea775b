// The one place SCIM attribute names are resolved (RFC 7643 §2.1: case-insensitive) against a
// resource's schemas: the published ones, custom extensions the resource declares, nothing else.
// Bodies, PATCH paths, filters, sortBy and attributes/excludedAttributes all ask here.
import { entraCustomExtension, normaliseSchemaUrn } from './quirks';
import { type AttrDef, type AttrPath, COMMON, type ResourceSchema, type SchemaDescription, parseAttrPath } from './schema';

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

/** Which unpublished (custom) extension URNs a resolution accepts. */
export type Extensions =
  /** Filters and sortBy: only a published attribute has a type to compare and order by. */
  | { kind: 'none' }
  /** Writes: the extensions the resource lists in `schemas` (lower-cased), plus Entra's (quirks.ts). */
  | { kind: 'declared'; urns: ReadonlySet<string> }
  /** Reading back (projection, stored documents): any real extension URN, since only vetted ones were stored. */
  | { kind: 'any' };

export const NO_EXTENSIONS: Extensions = { kind: 'none' };
export const ANY_EXTENSION: Extensions = { kind: 'any' };

export type Resolution =
  | { kind: 'attr'; attr: ResolvedAttr }
  /** The whole of a published schema (core or extension). */
  | { kind: 'schema'; schema: SchemaDescription }
  /** A custom extension: the whole of it (no name) or one attribute, which has no definition to check. */
  | { kind: 'custom'; urn: string; name?: string; sub?: string }
  | { kind: 'unknown' };

// Lookups by name, built once per definition list: the canonical spelling (what stored documents
// use, so rendering them stays cheap) and the lower-cased one.
const indexes = new WeakMap<SchemaDescription | AttrDef, Map<string, AttrDef>>();
const COMMON_DEFS: AttrDef[] = Object.values(COMMON);

function indexOf(owner: SchemaDescription | AttrDef, withCommon: boolean): Map<string, AttrDef> {
  let index = indexes.get(owner);
  if (!index) {
    const defs = 'attributes' in owner ? [...(withCommon ? COMMON_DEFS : []), ...owner.attributes] : (owner.subAttributes ?? []);
    index = new Map(defs.flatMap((d) => [[d.name, d] as const, [d.name.toLowerCase(), d] as const]));
    indexes.set(owner, index);
  }
  return index;
}

/** A published schema of the resource by URN (any case, 1.0 URNs included). */
export function schemaOf(rs: ResourceSchema, urn: string): SchemaDescription | undefined {
  const exact = [rs.core, ...rs.extensions].find((s) => s.id === urn);
  if (exact) return exact;
  const id = normaliseSchemaUrn(urn.trim(), rs);
  return [rs.core, ...rs.extensions].find((s) => s.id === id);
}

/** An attribute of a schema by name; the core schema also has the common ones (id, externalId, meta). */
export function attrOf(rs: ResourceSchema, schema: SchemaDescription, name: string): AttrDef | undefined {
  const index = indexOf(schema, schema === rs.core);
  return index.get(name) ?? index.get(name.toLowerCase());
}

/** A sub-attribute of a complex attribute by name. */
export function subOf(def: AttrDef, name: string): AttrDef | undefined {
  if (!def.subAttributes) return undefined;
  const index = indexOf(def, false);
  return index.get(name) ?? index.get(name.toLowerCase());
}

// The SCIM namespaces no custom extension may live in: a URN there that is not published is a
// mistake (e.g. "…:enterprise:2.0" from the dotted "…:2.0:User.manager"), never an extension.
const RESERVED = /^urn:ietf:params:scim:(api:|schemas:core:|schemas:extension:enterprise:)|^urn:scim:schemas:/i;
const URN = /^urn:[a-z0-9][a-z0-9-]{0,31}:[^\s[\]"]+$/i;

/** A URN that can name a custom extension: well-formed, not published, not in a reserved namespace. */
export function isExtensionUrn(rs: ResourceSchema, urn: string): boolean {
  return URN.test(urn) && !RESERVED.test(urn) && !schemaOf(rs, urn);
}

function accepts(rs: ResourceSchema, ext: Extensions, urn: string): boolean {
  if (ext.kind === 'none' || !isExtensionUrn(rs, urn)) return false;
  return ext.kind === 'any' || ext.urns.has(urn.toLowerCase()) || entraCustomExtension(urn, rs);
}

/** The extensions a write may use: those listed in `schemas` (a body's, a PATCH value's) and those already stored. */
export function declaredExtensions(rs: ResourceSchema, ...sources: unknown[]): Extensions {
  const urns = new Set<string>();
  for (const source of sources) {
    const list = Array.isArray(source) ? source : source && typeof source === 'object' ? Object.keys(source) : [];
    for (const u of list) if (typeof u === 'string' && isExtensionUrn(rs, u.trim())) urns.add(u.trim().toLowerCase());
  }
  return { kind: 'declared', urns };
}

function inSchema(rs: ResourceSchema, schema: SchemaDescription, name: string, subName: string | undefined): Resolution {
  const def = attrOf(rs, schema, name);
  if (!def) return { kind: 'unknown' };
  let sub: AttrDef | undefined;
  if (subName !== undefined) {
    sub = subOf(def, subName);
    if (!sub) return { kind: 'unknown' };
  }
  const isCore = schema === rs.core;
  return {
    kind: 'attr',
    attr: {
      schema: schema.id,
      def,
      sub,
      jsonPath: [...(isCore ? [] : [schema.id]), def.name, ...(sub ? [sub.name] : [])],
      canonical: `${isCore ? '' : `${schema.id}:`}${def.name}${sub ? `.${sub.name}` : ''}`,
    },
  };
}

/** Resolves a parsed attribute path. */
export function resolvePath(rs: ResourceSchema, path: AttrPath, ext: Extensions): Resolution {
  if (!path.urn) return inSchema(rs, rs.core, path.name, path.sub);
  const schema = schemaOf(rs, path.urn);
  if (schema) return inSchema(rs, schema, path.name, path.sub);
  // "urn:…:enterprise:2.0:User.manager" parses as URN "urn:…:enterprise:2.0", attribute "User",
  // sub-attribute "manager"; the URN and the name together are the schema the client meant.
  const joined = `${path.urn}:${path.name}`;
  const whole = schemaOf(rs, joined);
  if (whole) return path.sub === undefined ? { kind: 'schema', schema: whole } : inSchema(rs, whole, path.sub, undefined);
  // A custom URN ends in a name too: "urn:acme:1.0:User" is the whole extension when that is one.
  if (path.sub === undefined && accepts(rs, ext, joined)) return { kind: 'custom', urn: joined };
  if (accepts(rs, ext, path.urn)) return { kind: 'custom', urn: path.urn, name: path.name, sub: path.sub };
  return { kind: 'unknown' };
}

/** Resolves an attribute name as written in a body key, a PATCH path (before any "["), a sortBy or a projection. */
export function resolveName(rs: ResourceSchema, text: string, ext: Extensions): Resolution {
  const raw = text.trim();
  if (/^urn:/i.test(raw)) {
    const schema = schemaOf(rs, raw);
    if (schema) return { kind: 'schema', schema };
  }
  const path = parseAttrPath(raw);
  return path ? resolvePath(rs, path, ext) : { kind: 'unknown' };
}

/** Resolves to a published attribute only (filters, sortBy). */
export function publishedAttr(rs: ResourceSchema, path: AttrPath | string): ResolvedAttr | undefined {
  const r = typeof path === 'string' ? resolveName(rs, path, NO_EXTENSIONS) : resolvePath(rs, path, NO_EXTENSIONS);
  return r.kind === 'attr' ? r.attr : undefined;
}
