// What real IdPs send that RFC 7643/7644 does not say, turned into what it does say.
// Each rule names the IdP that needs it; tests replay their real request bodies.
import { invalidSyntax, invalidValue } from './errors';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, type AttrDef, type ResourceSchema } from './schema';

/** OneLogin (and other SCIM 1.1 era clients) name the core schema with the 1.0 URN. */
const LEGACY_CORE = /^urn:scim:schemas:core:1\.0$/i;
/** Some clients send the 1.0 enterprise URN too. */
const LEGACY_ENTERPRISE = /^urn:scim:schemas:extension:enterprise:1\.0$/i;

export function normaliseSchemaUrn(urn: string, rs: ResourceSchema): string {
  if (LEGACY_CORE.test(urn)) return rs.name === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
  if (LEGACY_ENTERPRISE.test(urn)) return ENTERPRISE_SCHEMA;
  const known = [rs.core.id, ...rs.extensions.map((e) => e.id)].find((id) => id.toLowerCase() === urn.toLowerCase());
  return known ?? urn;
}

/** Entra sends "True"/"False"; some clients send 1/0. */
export function coerceBoolean(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  if (v === 1 || v === 0) return v === 1;
  throw invalidValue(`${path} must be a boolean (true or false), got ${JSON.stringify(v)?.slice(0, 50)}.`);
}

/** PATCH op names: Entra sends "Add"/"Replace"/"Remove". */
export function normaliseOpName(op: unknown): 'add' | 'replace' | 'remove' {
  const o = typeof op === 'string' ? op.trim().toLowerCase() : '';
  if (o === 'add' || o === 'replace' || o === 'remove') return o;
  throw invalidSyntax(`PATCH op must be add, replace or remove, got ${JSON.stringify(op)?.slice(0, 50)}.`);
}

/** A key of obj matching name case-insensitively (attribute names are case-insensitive, RFC 7643 §2.1). */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (name in obj) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** The `Operations` array of a PatchOp, whatever the case of its key. */
export function patchOperations(body: Record<string, unknown>): unknown[] {
  const key = findKey(body, 'Operations');
  const ops = key ? body[key] : undefined;
  if (!Array.isArray(ops)) throw invalidSyntax('A PatchOp needs an "Operations" array.');
  if (ops.length === 0) throw invalidValue('"Operations" is empty.');
  return ops;
}

const MAX_STRING = 65_536;

/**
 * Coerces one value to its attribute definition: string booleans, plain-id manager, a single
 * object where an array is expected, null meaning "unassigned". Returns undefined to drop.
 */
export function coerceValue(def: AttrDef, v: unknown, path: string, multiElement = false): unknown {
  if (v === null || v === undefined) return undefined;
  if (def.multiValued && !multiElement) {
    const list = Array.isArray(v) ? v : [v];
    const out = list.map((e, i) => coerceValue(def, e, `${path}[${i}]`, true)).filter((e) => e !== undefined);
    return out;
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
      if (typeof v === 'string' && def.subAttributes?.some((s) => s.name === 'value')) {
        // Entra and others send manager (and sometimes emails) as a plain value.
        return { value: v };
      }
      if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue(`${path} must be an object.`);
      const out: Record<string, unknown> = {};
      for (const [k, sv] of Object.entries(v as Record<string, unknown>)) {
        const sub = def.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
        if (!sub) {
          out[k] = sv; // unknown sub-attributes are kept as sent
          continue;
        }
        const c = coerceValue(sub, sv, `${path}.${sub.name}`);
        if (c !== undefined) out[sub.name] = c;
      }
      return out;
    }
    case 'dateTime':
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw invalidValue(`${path} must be a dateTime string.`);
      return v;
    default:
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (typeof v !== 'string') throw invalidValue(`${path} must be a string.`);
      if (v.length > MAX_STRING) throw invalidValue(`${path} is longer than ${MAX_STRING} characters.`);
      return v;
  }
}

/** NUL and unpaired surrogates cannot be stored or compared (PostgreSQL refuses them in text and jsonb). */
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
