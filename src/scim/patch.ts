// PATCH (RFC 7644 §3.5.2) on a stored document: add/replace/remove with every path form.
// Group members are not patched here: groups.ts turns member ops into targeted SQL.
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors';
import { type Filter, type Scalar, parsePatchPath } from './filter';
import { findKey, normaliseOpName, normaliseSchemaUrn, patchOperations } from './quirks';
import { type AttrDef, type ResourceSchema, type SchemaDescription, schemaUrnOf } from './schema';
import type { Doc } from './document';

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** Reads a PatchOp body into operations, accepting the case variations IdPs send. */
export function readPatchOps(body: unknown): PatchOperation[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('A PATCH body must be a PatchOp JSON object.');
  return patchOperations(body as Doc).map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidSyntax(`Operations[${i}] must be an object.`);
    const o = raw as Doc;
    const opKey = findKey(o, 'op');
    const pathKey = findKey(o, 'path');
    const valueKey = findKey(o, 'value');
    const op = normaliseOpName(opKey ? o[opKey] : undefined);
    const path = pathKey ? o[pathKey] : undefined;
    if (path !== undefined && path !== null && typeof path !== 'string') throw invalidPath(`Operations[${i}].path must be a string.`);
    const value = valueKey ? o[valueKey] : undefined;
    if (op !== 'remove' && value === undefined) throw invalidValue(`Operations[${i}] (${op}) needs a value.`);
    return { op, path: typeof path === 'string' && path.trim() !== '' ? path.trim() : undefined, value };
  });
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- in-memory evaluation of a value filter on one element of a multi-valued attribute ----

function compareScalar(op: string, actual: unknown, expected: Scalar, caseExact: boolean): boolean {
  if (op === 'pr') return actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && !actual.length);
  if (expected === null) return op === 'eq' ? actual === undefined || actual === null : actual !== undefined && actual !== null;
  if (actual === undefined || actual === null) return op === 'ne';
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const a = typeof actual === 'string' ? actual.toLowerCase() === 'true' : actual === true;
    const e = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected === true;
    return op === 'eq' ? a === e : op === 'ne' ? a !== e : false;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    return { eq: actual === expected, ne: actual !== expected, gt: actual > expected, ge: actual >= expected, lt: actual < expected, le: actual <= expected }[
      op as 'eq'
    ] ?? false;
  }
  let a = String(actual);
  let e = String(expected);
  if (!caseExact) {
    a = a.toLowerCase();
    e = e.toLowerCase();
  }
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

export function matchesElement(elem: unknown, f: Filter, parent: AttrDef | undefined): boolean {
  switch (f.op) {
    case 'and':
      return matchesElement(elem, f.left, parent) && matchesElement(elem, f.right, parent);
    case 'or':
      return matchesElement(elem, f.left, parent) || matchesElement(elem, f.right, parent);
    case 'not':
      return !matchesElement(elem, f.filter, parent);
    case 'has':
      throw invalidPath('A value filter cannot contain another value filter.');
    default: {
      const def = parent?.subAttributes?.find((s) => s.name.toLowerCase() === f.attr.name.toLowerCase());
      if (parent?.subAttributes && !def) throw invalidPath(`${parent.name} has no sub-attribute "${f.attr.name}".`);
      const actual = isObject(elem) ? elem[findKey(elem, f.attr.name) ?? f.attr.name] : f.attr.name.toLowerCase() === 'value' ? elem : undefined;
      return compareScalar(f.op, actual, 'value' in f ? f.value : null, def?.caseExact ?? false);
    }
  }
}

/** eq comparisons joined by "and" describe an element we can create when none matches (Entra's emails[type eq "work"].value). */
function equalities(f: Filter): Doc | undefined {
  if (f.op === 'eq' && !f.attr.urn && !f.attr.sub) return { [f.attr.name]: f.value };
  if (f.op === 'and') {
    const l = equalities(f.left);
    const r = equalities(f.right);
    return l && r ? { ...l, ...r } : undefined;
  }
  return undefined;
}

// ---- locating the target of a path ----

interface Target {
  /** The object holding the attribute (the document, or an extension's object). */
  container: Doc;
  key: string;
  def?: AttrDef;
  filter?: Filter;
  sub?: string;
}

function schemaFor(rs: ResourceSchema, urn: string | undefined): SchemaDescription | undefined {
  if (!urn) return rs.core;
  const id = normaliseSchemaUrn(urn, rs);
  return [rs.core, ...rs.extensions].find((s) => s.id === id);
}

function locate(doc: Doc, rs: ResourceSchema, rawPath: string, create: boolean): Target {
  const whole = schemaUrnOf(rs, normaliseSchemaUrn(rawPath, rs));
  if (whole && whole !== rs.core) return { container: doc, key: whole.id };
  const p = parsePatchPath(rawPath);
  const schema = schemaFor(rs, p.attr.urn);
  let container = doc;
  if (p.attr.urn && schema !== rs.core) {
    const extKey = schema?.id ?? p.attr.urn;
    if (!isObject(doc[extKey])) {
      if (!create) return { container: {}, key: p.attr.name };
      doc[extKey] = {};
    }
    container = doc[extKey] as Doc;
  }
  const def = schema?.attributes.find((a) => a.name.toLowerCase() === p.attr.name.toLowerCase());
  const key = def?.name ?? findKey(container, p.attr.name) ?? p.attr.name;
  const sub = p.attr.sub ?? p.sub;
  const subName = sub && def?.subAttributes ? (def.subAttributes.find((s) => s.name.toLowerCase() === sub.toLowerCase())?.name ?? sub) : sub;
  if (p.filter && def && !def.multiValued) throw invalidPath(`${def.name} is not multi-valued; "[...]" does not apply.`);
  return { container, key, def, filter: p.filter, sub: subName };
}

const READ_ONLY = new Set(['id', 'meta', 'groups', 'schemas']);

function assertWritablePath(t: Target): void {
  if (READ_ONLY.has(t.key) || t.def?.mutability === 'readOnly') throw mutability(`${t.key} is read-only.`);
}

function setPrimaryExclusive(list: Doc[]): void {
  const last = [...list].reverse().find((e) => isObject(e) && e.primary === true);
  if (last) for (const e of list) if (isObject(e) && e !== last && e.primary === true) e.primary = false;
}

function addOrReplace(doc: Doc, rs: ResourceSchema, op: 'add' | 'replace', path: string | undefined, value: unknown): void {
  if (path === undefined) {
    if (!isObject(value)) throw invalidValue(`A ${op} without a path needs an object value.`);
    for (const [k, v] of Object.entries(value)) {
      const ext = schemaUrnOf(rs, normaliseSchemaUrn(k, rs));
      if (ext && ext !== rs.core && isObject(v)) {
        for (const [ek, ev] of Object.entries(v)) addOrReplace(doc, rs, op, `${ext.id}:${ek}`, ev);
      } else if (ext === rs.core && isObject(v)) {
        addOrReplace(doc, rs, op, undefined, v);
      } else if (READ_ONLY.has(k) || k.toLowerCase() === 'schemas') {
        continue; // path-less bodies often echo schemas/id/meta back: ignore them
      } else {
        addOrReplace(doc, rs, op, k, v);
      }
    }
    return;
  }
  const t = locate(doc, rs, path, true);
  assertWritablePath(t);
  const current = t.container[t.key];
  if (t.filter) {
    const list = Array.isArray(current) ? (current as unknown[]) : [];
    const matches = list.filter((e) => matchesElement(e, t.filter!, t.def));
    if (matches.length === 0) {
      const seed = equalities(t.filter);
      if (!seed) throw noTarget(`No value of ${t.key} matches the filter in "${path}".`);
      const created: Doc = t.sub ? { ...seed, [t.sub]: clone(value) } : { ...seed, ...(isObject(value) ? clone(value) : { value: clone(value) }) };
      list.push(created);
      t.container[t.key] = list;
      return;
    }
    for (const m of matches) {
      if (!isObject(m)) continue;
      if (t.sub) m[t.sub] = clone(value);
      else if (isObject(value)) Object.assign(m, clone(value));
      else throw invalidValue(`${op} of a ${t.key} value needs an object.`);
    }
    setPrimaryExclusive(list as Doc[]);
    return;
  }
  if (t.sub) {
    if (t.def?.multiValued) {
      const list = Array.isArray(current) ? (current as Doc[]) : [];
      if (list.length === 0) list.push({});
      for (const e of list) if (isObject(e)) e[t.sub] = clone(value);
      t.container[t.key] = list;
    } else {
      const obj = isObject(current) ? current : {};
      obj[t.sub] = clone(value);
      t.container[t.key] = obj;
    }
    return;
  }
  if (t.def?.multiValued) {
    const incoming = (Array.isArray(value) ? value : [value]).map(clone);
    if (op === 'replace' || !Array.isArray(current)) {
      t.container[t.key] = incoming;
    } else {
      for (const v of incoming) if (!current.some((e) => deepEqual(e, v))) current.push(v);
    }
    setPrimaryExclusive(t.container[t.key] as Doc[]);
    return;
  }
  if ((t.def?.type === 'complex' || schemaUrnOf(rs, t.key)) && isObject(value) && isObject(current)) {
    Object.assign(current, clone(value)); // sub-attributes not named are left unchanged
    return;
  }
  t.container[t.key] = clone(value);
}

function remove(doc: Doc, rs: ResourceSchema, path: string | undefined, value: unknown): void {
  if (path === undefined) throw noTarget('A remove operation needs a path.');
  const t = locate(doc, rs, path, false);
  assertWritablePath(t);
  const current = t.container[t.key];
  if (current === undefined) return; // removing what is not there changes nothing
  if (t.filter) {
    if (!Array.isArray(current)) return;
    if (t.sub) {
      for (const e of current) if (isObject(e) && matchesElement(e, t.filter, t.def)) delete e[findKey(e, t.sub) ?? t.sub];
    } else {
      const kept = current.filter((e) => !matchesElement(e, t.filter!, t.def));
      if (kept.length) t.container[t.key] = kept;
      else delete t.container[t.key];
    }
    return;
  }
  if (t.sub) {
    const targets = Array.isArray(current) ? current : [current];
    for (const e of targets) if (isObject(e)) delete e[findKey(e, t.sub) ?? t.sub];
    return;
  }
  if (Array.isArray(current) && value !== undefined && value !== null) {
    // Entra removes multi-valued entries by listing them in value.
    const gone = (Array.isArray(value) ? value : [value]).map((v) => (isObject(v) && 'value' in v ? v.value : v));
    const kept = current.filter((e) => !gone.some((g) => deepEqual(isObject(e) ? e.value : e, g) || deepEqual(e, g)));
    if (kept.length) t.container[t.key] = kept;
    else delete t.container[t.key];
    return;
  }
  delete t.container[t.key];
}

/** Applies operations to a copy of doc; the caller re-validates the result as a whole document. */
export function applyPatch(doc: Doc, ops: PatchOperation[], rs: ResourceSchema): Doc {
  const out = clone(doc);
  for (const o of ops) {
    if (o.op === 'remove') remove(out, rs, o.path, o.value);
    else addOrReplace(out, rs, o.op, o.path, o.value);
  }
  return out;
}
