// What real IdPs send that RFC 7643/7644 does not say, turned into what it does say.
// Each rule names the IdP that needs it; tests replay their real request bodies.
import { invalidSyntax, invalidValue } from './errors';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, type ResourceSchema } from './schema';

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

/**
 * Microsoft Entra ID sends the custom extension attributes an admin adds to the app's attribute
 * list (which it requires to be named urn:ietf:params:scim:schemas:extension:{name}:2.0:User:{attr})
 * without listing the extension in `schemas`, on create and on PATCH (ServiceNow's KB2668604 shows
 * a stricter server refusing exactly that). Such an extension counts as declared, so the admin's
 * mapping keeps working. Only that exact shape qualifies, and never the enterprise namespace:
 * "urn:...:enterprise:2.0" (the dotted "…:2.0:User.manager" misread) is not an extension.
 */
export function entraCustomExtension(urn: string, rs: ResourceSchema): boolean {
  const m = /^urn:ietf:params:scim:schemas:extension:([A-Za-z0-9][\w.-]*):2\.0:([A-Za-z]+)$/i.exec(urn);
  return !!m && m[1]!.toLowerCase() !== 'enterprise' && m[2]!.toLowerCase() === rs.name.toLowerCase();
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

/** NUL and unpaired surrogates cannot be stored or compared (PostgreSQL refuses them in text and jsonb). */
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
