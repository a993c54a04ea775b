// A SCIM resource body as stored: canonical attribute names, coerced types, extensions kept.
import type { PushedProfile } from '../domain/provisioning';
import type { PushedGroup } from '../domain/idpGroups';
import { invalidSyntax, invalidValue } from './errors';
import { coerceValue, normaliseSchemaUrn } from './quirks';
import { type ResourceSchema, type SchemaDescription, parseAttrPath } from './schema';

export type Doc = Record<string, unknown>;

/** Attributes never stored from input: server-assigned, read-only, or write-only secrets. */
const IGNORED_ON_INPUT: Record<'User' | 'Group', Set<string>> = {
  User: new Set(['schemas', 'id', 'meta', 'groups', 'password']),
  Group: new Set(['schemas', 'id', 'meta']),
};

function setAttr(target: Doc, schema: SchemaDescription, name: string, value: unknown, path: string): void {
  const def = schema.attributes.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!def) {
    if (value !== null && value !== undefined) target[name] = value; // unknown attributes are kept as sent
    return;
  }
  if (def.mutability === 'readOnly') return;
  const v = coerceValue(def, value, path);
  if (v === undefined || (Array.isArray(v) && v.length === 0)) delete target[def.name];
  else target[def.name] = v;
}

function mergeExtension(doc: Doc, ext: SchemaDescription, value: unknown, path: string): void {
  if (value === null) {
    delete doc[ext.id];
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(`${path} must be an object.`);
  const target = (doc[ext.id] as Doc | undefined) ?? {};
  for (const [k, v] of Object.entries(value as Doc)) setAttr(target, ext, k, v, `${ext.id}:${k}`);
  if (Object.keys(target).length) doc[ext.id] = target;
  else delete doc[ext.id];
}

/**
 * Canonicalises a User or Group body: case-insensitive names, coerced values, flat
 * extension keys ("urn:...:User:employeeNumber") and dotted keys ("name.givenName") nested.
 */
export function toDocument(body: unknown, rs: ResourceSchema): Doc {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax(`A ${rs.name} must be a JSON object.`);
  const doc: Doc = {};
  const ignored = IGNORED_ON_INPUT[rs.name];
  for (const [rawKey, value] of Object.entries(body as Doc)) {
    const key = rawKey.trim();
    if (ignored.has(key.toLowerCase()) || ignored.has(key)) continue;
    if (/^urn:/i.test(key)) {
      const whole = normaliseSchemaUrn(key, rs);
      if (whole === rs.core.id) {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value as Doc)) if (!ignored.has(k.toLowerCase())) setAttr(doc, rs.core, k, v, k);
        }
        continue;
      }
      const ext = rs.extensions.find((e) => e.id === whole);
      if (ext) {
        mergeExtension(doc, ext, value, key);
        continue;
      }
      const path = parseAttrPath(key);
      const flatExt = path?.urn ? rs.extensions.find((e) => e.id === normaliseSchemaUrn(path.urn!, rs)) : undefined;
      if (path && flatExt) {
        mergeExtension(doc, flatExt, { [path.name]: path.sub ? { [path.sub]: value } : value }, key);
        continue;
      }
      if (path?.urn && normaliseSchemaUrn(path.urn, rs) === rs.core.id) {
        setAttr(doc, rs.core, path.name, path.sub ? { [path.sub]: value } : value, key);
        continue;
      }
      if (value !== null && value !== undefined) doc[key] = value; // an extension we do not know: kept
      continue;
    }
    const dotted = /^([A-Za-z$][\w$-]*)\.([A-Za-z$][\w$-]*)$/.exec(key);
    if (dotted) {
      const parent = dotted[1]!;
      const existing = Object.keys(doc).find((k) => k.toLowerCase() === parent.toLowerCase());
      const merged = { ...((existing ? doc[existing] : undefined) as Doc | undefined), [dotted[2]!]: value };
      setAttr(doc, rs.core, parent, merged, key);
      continue;
    }
    setAttr(doc, rs.core, key, value, key);
  }
  return doc;
}

const MAX = { userName: 255, externalId: 255, displayName: 255, name: 255, email: 320, language: 35 } as const;

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
      preferredLanguage: optString(doc.preferredLanguage, MAX.language, 'preferredLanguage'),
      locale: optString(doc.locale, MAX.language, 'locale'),
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
  return [core, ...Object.keys(doc).filter((k) => /^urn:/i.test(k)).sort()];
}
