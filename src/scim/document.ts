// A SCIM resource body as stored: canonical attribute names, coerced types, declared extensions
// kept, and attributes no schema of the resource has left out (and named, for the request log).
import type { PushedProfile } from '../domain/provisioning';
import type { PushedGroup } from '../domain/idpGroups';
import { type Extensions, type ResolvedAttr, attrOf, declaredExtensions, isExtensionUrn, resolveName, resolvePath, schemaOf, subOf } from './attributes';
import { invalidSyntax, invalidValue } from './errors';
import { coerceBoolean, findKey } from './quirks';
import { type AttrDef, type ResourceSchema, type SchemaDescription, parseAttrPath } from './schema';

export type Doc = Record<string, unknown>;

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A client's value for these is ignored, as RFC 7643 §2.2 asks for readOnly; a password is never kept. */
const notStored = (def: AttrDef) => def.mutability === 'readOnly' || def.name === 'password';

const MAX_STRING = 65_536;
// xsd:dateTime as RFC 7643 §2.3.5 has it: a full date and time, the offset optional.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/i;

/** The milliseconds of an xsd:dateTime string, or undefined for anything else ("12", "yesterday"). */
export function parseDateTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || !DATE_TIME.test(v.trim())) return undefined;
  const ms = Date.parse(v.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/** Where a value came from (for messages) and who hears about sub-attributes left out. */
interface Site {
  path: string;
  ignored?: Set<string>;
}

/**
 * Coerces one value to its attribute definition: string booleans, plain-id manager, a single
 * object where an array is expected, null meaning "unassigned". Returns undefined to drop.
 */
export function coerceValue(def: AttrDef, v: unknown, site: Site, multiElement = false): unknown {
  const { path } = site;
  if (v === null || v === undefined) return undefined;
  if (def.multiValued && !multiElement) {
    const list = Array.isArray(v) ? v : [v];
    return list.map((e, i) => coerceValue(def, e, { ...site, path: `${path}[${i}]` }, true)).filter((e) => e !== undefined);
  }
  switch (def.type) {
    case 'boolean':
      return coerceBoolean(v, path);
    case 'integer': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidValue(`${path} must be an integer.`);
      return n;
    }
    case 'decimal': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw invalidValue(`${path} must be a number.`);
      return n;
    }
    case 'complex': {
      // Entra and others send manager (and sometimes emails) as a plain value.
      if (typeof v === 'string' && subOf(def, 'value')) return { value: v };
      if (!isObject(v)) throw invalidValue(`${path} must be an object.`);
      const out: Doc = {};
      for (const [k, sv] of Object.entries(v)) {
        const sub = subOf(def, k);
        if (!sub) {
          site.ignored?.add(`${path.replace(/\[\d+\]/g, '')}.${k}`);
          continue;
        }
        const c = coerceValue(sub, sv, { ...site, path: `${path}.${sub.name}` });
        if (c !== undefined) out[sub.name] = c;
      }
      return out;
    }
    case 'dateTime':
      if (parseDateTime(v) === undefined) throw invalidValue(`${path} must be a dateTime string such as 2025-01-31T08:00:00Z.`);
      return v;
    default:
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (typeof v !== 'string') throw invalidValue(`${path} must be a string.`);
      if (v.length > MAX_STRING) throw invalidValue(`${path} is longer than ${MAX_STRING} characters.`);
      return v;
  }
}

export interface DocOptions {
  /** The custom extensions the body may use; by default those its own `schemas` lists. */
  extensions?: Extensions;
  /** Collects, as sent, the names of attributes left out because no schema of the resource has them. */
  ignored?: Set<string>;
}

/** Writes resolved attributes into a document being built. */
class DocWriter {
  readonly doc: Doc = {};
  constructor(
    private readonly rs: ResourceSchema,
    private readonly ext: Extensions,
    private readonly ignored: Set<string> | undefined,
  ) {}

  put(rawKey: string, value: unknown): void {
    const key = rawKey.trim();
    if (key.toLowerCase() === 'schemas') return;
    const r = resolveName(this.rs, key, this.ext);
    switch (r.kind) {
      case 'unknown':
        this.ignored?.add(key);
        return;
      case 'schema':
        if (value === null) {
          if (r.schema !== this.rs.core) delete this.doc[r.schema.id];
          return;
        }
        if (!isObject(value)) throw invalidValue(`${key} must be an object.`);
        for (const [k, v] of Object.entries(value)) {
          if (r.schema === this.rs.core) this.put(k, v);
          else this.putIn(r.schema, k, v);
        }
        return;
      case 'custom':
        this.putCustom(r.urn, r.name, r.sub, value, key);
        return;
      case 'attr':
        this.set(r.attr, value, key);
    }
  }

  /** A key inside an extension's object: a name of that schema only. */
  private putIn(schema: SchemaDescription, key: string, value: unknown): void {
    const path = parseAttrPath(key);
    const r = path && !path.urn ? resolvePath(this.rs, { ...path, urn: schema.id }, this.ext) : undefined;
    if (r?.kind === 'attr') this.set(r.attr, value, `${schema.id}:${key}`);
    else this.ignored?.add(`${schema.id}:${key.trim()}`);
  }

  /** Custom extensions have no published definition: their values are kept as sent. */
  private putCustom(urn: string, name: string | undefined, sub: string | undefined, value: unknown, key: string): void {
    const urnKey = findKey(this.doc, urn) ?? urn;
    if (name === undefined) {
      if (value === null) {
        delete this.doc[urnKey];
        return;
      }
      if (!isObject(value)) throw invalidValue(`${key} must be an object.`);
      for (const [k, v] of Object.entries(value)) this.putCustom(urnKey, k, undefined, v, `${urnKey}:${k}`);
      return;
    }
    const ext = isObject(this.doc[urnKey]) ? (this.doc[urnKey] as Doc) : {};
    const attr = findKey(ext, name) ?? name;
    if (sub === undefined) ext[attr] = value;
    else ext[attr] = { ...(isObject(ext[attr]) ? (ext[attr] as Doc) : {}), [sub]: value };
    if (value === null) delete ext[attr];
    if (Object.keys(ext).length) this.doc[urnKey] = ext;
    else delete this.doc[urnKey];
  }

  set(attr: ResolvedAttr, value: unknown, path: string): void {
    const { def, sub } = attr;
    if (notStored(def)) return;
    const isCore = attr.schema === this.rs.core.id;
    const container = isCore ? this.doc : isObject(this.doc[attr.schema]) ? (this.doc[attr.schema] as Doc) : {};
    // "name.givenName" as a key merges into what the body already gave for name.
    const whole = sub ? { ...(isObject(container[def.name]) ? (container[def.name] as Doc) : {}), [sub.name]: value } : value;
    const v = coerceValue(def, whole, { path, ignored: this.ignored });
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete container[def.name];
    else container[def.name] = v;
    if (!isCore) {
      if (Object.keys(container).length) this.doc[attr.schema] = container;
      else delete this.doc[attr.schema];
    }
  }
}

/**
 * Canonicalises a User or Group body: case-insensitive names, coerced values, flat extension
 * keys ("urn:...:User:employeeNumber") and dotted keys ("name.givenName") nested. An attribute
 * no schema of the resource has is left out (and named in options.ignored), never stored.
 */
export function toDocument(body: unknown, rs: ResourceSchema, opts: DocOptions = {}): Doc {
  if (!isObject(body)) throw invalidSyntax(`A ${rs.name} must be a JSON object.`);
  const ext = opts.extensions ?? declaredExtensions(rs, body[findKey(body, 'schemas') ?? 'schemas']);
  const w = new DocWriter(rs, ext, opts.ignored);
  for (const [k, v] of Object.entries(body)) w.put(k, v);
  return w.doc;
}

/** The request log's note on attributes left out, naming each so the admin can fix the IdP's mapping. */
export function ignoredWarnings(rs: ResourceSchema, ignored: Set<string>): string[] | undefined {
  if (!ignored.size) return undefined;
  const names = [...ignored].map((n) => n.slice(0, 200));
  return [`Ignored ${names.length === 1 ? 'an attribute' : 'attributes'} no ${rs.name} schema has: ${names.join(', ')} (check the IdP's attribute mapping).`];
}

/** Sub-attributes a complex value may hold; anything else is dropped (the same value when nothing is). */
function pruneValue(def: AttrDef, v: unknown): unknown {
  if (def.type !== 'complex' || !def.subAttributes) return v;
  const one = (e: unknown) =>
    isObject(e) && Object.keys(e).some((k) => !subOf(def, k)) ? Object.fromEntries(Object.entries(e).filter(([k]) => subOf(def, k))) : e;
  if (!Array.isArray(v)) return one(v);
  const list = v.map(one);
  return list.some((e, i) => e !== v[i]) ? list : v;
}

/** One stored entry as it may be shown, the same value when it is clean, undefined when it goes. */
function storedEntry(rs: ResourceSchema, k: string, v: unknown): unknown {
  if (!k.startsWith('urn:') && !k.startsWith('URN:')) {
    const def = attrOf(rs, rs.core, k);
    return def ? pruneValue(def, v) : undefined;
  }
  const schema = schemaOf(rs, k);
  if (!schema) return isExtensionUrn(rs, k) ? v : undefined;
  if (schema === rs.core || !isObject(v)) return undefined;
  const ext = storedAttributesOf(rs, schema, v);
  return Object.keys(ext).length ? ext : undefined;
}

function storedAttributesOf(rs: ResourceSchema, schema: SchemaDescription | undefined, attrs: Doc): Doc {
  let out: Doc | undefined;
  const keys = Object.keys(attrs);
  keys.forEach((k, i) => {
    const v = attrs[k];
    let kept: unknown;
    if (schema) {
      const def = attrOf(rs, schema, k);
      kept = def ? pruneValue(def, v) : undefined;
    } else {
      kept = storedEntry(rs, k, v);
    }
    if (kept !== v && !out) out = Object.fromEntries(keys.slice(0, i).map((p) => [p, attrs[p]]));
    if (out && kept !== undefined) out[k] = kept;
  });
  return out ?? attrs;
}

/**
 * A stored document as it may be shown: what an older version kept without a schema (a
 * misspelled name, "urn:…:enterprise:2.0" from a dotted path) is not echoed back. A clean
 * document (anything written since) comes back as it is, without a copy.
 */
export function storedAttributes(rs: ResourceSchema, attrs: Doc): Doc {
  return storedAttributesOf(rs, undefined, attrs);
}

// preferredLanguage is an Accept-Language value (RFC 7643 §4.1.2), a list with weights such as
// "en-US,en;q=0.9,de;q=0.8"; locale is one language tag (35 characters: RFC 5646 §4.4.1).
const MAX = { userName: 255, externalId: 255, displayName: 255, name: 255, email: 320, languages: 255, locale: 35 } as const;

function optString(v: unknown, max: number, path: string): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalidValue(`${path} must be a string.`);
  if (v.length > max) throw invalidValue(`${path} is longer than ${max} characters.`);
  return v;
}

function primaryEmail(doc: Doc): string | null {
  const emails = doc.emails as Array<Doc> | undefined;
  if (!Array.isArray(emails) || emails.length === 0) return null;
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0]!;
  return optString(chosen.value, MAX.email, 'emails.value');
}

/** Splits a User document into the indexed profile fields and `active`; userName is required. */
export function userProfile(doc: Doc): { profile: PushedProfile; active: boolean } {
  const userName = doc.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw invalidValue('userName is required and must be a non-empty string.');
  }
  if (userName.length > MAX.userName) throw invalidValue(`userName is longer than ${MAX.userName} characters.`);
  const name = (doc.name as Doc | undefined) ?? {};
  const active = doc.active === undefined ? true : (doc.active as boolean);
  const attrs = { ...doc };
  delete attrs.active;
  return {
    active,
    profile: {
      userName,
      externalId: optString(doc.externalId, MAX.externalId, 'externalId'),
      displayName: optString(doc.displayName, MAX.displayName, 'displayName'),
      givenName: optString(name.givenName, MAX.name, 'name.givenName'),
      familyName: optString(name.familyName, MAX.name, 'name.familyName'),
      email: primaryEmail(doc),
      preferredLanguage: optString(doc.preferredLanguage, MAX.languages, 'preferredLanguage'),
      locale: optString(doc.locale, MAX.locale, 'locale'),
      attrs,
    },
  };
}

/** Splits a Group document into its fields and the member ids it names. */
export function groupFields(doc: Doc): { group: PushedGroup; memberIds: string[] | undefined } {
  const displayName = doc.displayName;
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw invalidValue('displayName is required and must be a non-empty string.');
  }
  if (displayName.length > MAX.displayName) throw invalidValue(`displayName is longer than ${MAX.displayName} characters.`);
  const attrs = { ...doc };
  delete attrs.members;
  const members = doc.members as Array<Doc> | undefined;
  return {
    group: { displayName, externalId: optString(doc.externalId, MAX.externalId, 'externalId'), attrs },
    memberIds: members === undefined ? undefined : memberValues(members),
  };
}

/** The ids in a members value ([{value}], or bare ids, which some clients send). */
export function memberValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map((m, i) => {
    const v = typeof m === 'string' ? m : (m as Doc | null)?.value;
    if (typeof v !== 'string' || !v) throw invalidValue(`members[${i}].value must be a user id.`);
    const type = typeof m === 'object' && m ? (m as Doc).type : undefined;
    if (typeof type === 'string' && type.toLowerCase() === 'group') {
      throw invalidValue('Nested groups are not supported: members must be Users.');
    }
    return v;
  });
}

/** The core schema, then the extension URNs a stored document carries (known or not), sorted. */
export function schemasOf(core: string, doc: Doc): string[] {
  return [
    core,
    ...Object.keys(doc)
      .filter((k) => /^urn:/i.test(k))
      .sort(),
  ];
}
