// PATCH (RFC 7644 §3.5.2) on a stored document: add/replace/remove with every path form.
// Group members are not patched here: groups.ts turns member ops into targeted SQL.
import { type Extensions, type Resolution, declaredExtensions, resolveName, resolvePath, subOf } from './attributes';
import { type Doc, storedAttributes } from './document';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors';
import { type Filter, type Scalar, parsePatchPath } from './filter';
import { findKey, normaliseOpName, patchOperations } from './quirks';
import type { AttrDef, ResourceSchema } from './schema';

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
    return (
      { eq: actual === expected, ne: actual !== expected, gt: actual > expected, ge: actual >= expected, lt: actual < expected, le: actual <= expected }[
        op as 'eq'
      ] ?? false
    );
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
      const def = parent ? subOf(parent, f.attr.name) : undefined;
      if (parent?.subAttributes && !def) throw invalidPath(`${parent.name} has no sub-attribute "${f.attr.name}".`);
      const actual = isObject(elem) ? elem[findKey(elem, f.attr.name) ?? f.attr.name] : f.attr.name.toLowerCase() === 'value' ? elem : undefined;
      return compareScalar(f.op, actual, 'value' in f ? f.value : null, def?.caseExact ?? false);
    }
  }
}

/** eq comparisons joined by "and" describe an element we can create when none matches (Entra's emails[type eq "work"].value). */
function equalities(f: Filter, parent: AttrDef | undefined): Doc | undefined {
  if (f.op === 'eq' && !f.attr.urn && !f.attr.sub) {
    const def = parent ? subOf(parent, f.attr.name) : undefined;
    if (parent && !def) throw invalidPath(`${parent.name} has no sub-attribute "${f.attr.name}".`);
    return { [def?.name ?? f.attr.name]: f.value };
  }
  if (f.op === 'and') {
    const l = equalities(f.left, parent);
    const r = equalities(f.right, parent);
    return l && r ? { ...l, ...r } : undefined;
  }
  return undefined;
}

// ---- locating the target of a path ----

interface Target {
  /** The object holding the attribute (the document, or an extension's object). */
  container: Doc;
  key: string;
  /** Undefined for an attribute of a custom extension (no published definition) and for a whole extension. */
  def?: AttrDef;
  /** The path names a whole extension. */
  whole?: boolean;
  filter?: Filter;
  sub?: string;
}

interface Context {
  rs: ResourceSchema;
  ext: Extensions;
  ignored?: Set<string>;
}

/** The object an extension's attributes live in, made when a write needs it. */
function extensionObject(doc: Doc, urn: string, create: boolean): Doc | undefined {
  const key = findKey(doc, urn) ?? urn;
  if (isObject(doc[key])) return doc[key];
  if (!create) return undefined;
  doc[key] = {};
  return doc[key] as Doc;
}

function targetOf(
  doc: Doc,
  cx: Context,
  r: Exclude<Resolution, { kind: 'unknown' }>,
  filter: Filter | undefined,
  after: string | undefined,
  create: boolean,
  raw: string,
): Target {
  const fail = (why: string) => invalidPath(`Invalid path "${raw.slice(0, 200)}": ${why}.`);
  if (r.kind === 'schema') return { container: doc, key: r.schema.id, whole: true };
  if (r.kind === 'custom') {
    if (r.name === undefined) return { container: doc, key: findKey(doc, r.urn) ?? r.urn, whole: true };
    if (filter) throw fail('a custom extension attribute has no published definition to filter by');
    const container = extensionObject(doc, r.urn, create) ?? {};
    return { container, key: findKey(container, r.name) ?? r.name, sub: r.sub ?? after };
  }
  const { def, schema } = r.attr;
  if (filter && !def.multiValued) throw fail(`${def.name} is not multi-valued; "[...]" does not apply`);
  let sub = r.attr.sub?.name;
  if (after !== undefined) {
    sub = subOf(def, after)?.name;
    if (!sub) throw fail(`${def.name} has no sub-attribute "${after}"`);
  }
  const container = schema === cx.rs.core.id ? doc : (extensionObject(doc, schema, create) ?? {});
  return { container, key: def.name, def, filter, sub };
}

function locate(doc: Doc, cx: Context, rawPath: string, create: boolean): Target {
  const p = parsePatchPath(rawPath);
  if (!p.attr.urn && !p.attr.sub && p.attr.name.toLowerCase() === 'schemas') throw mutability('schemas is read-only.');
  const r = resolvePath(cx.rs, p.attr, cx.ext);
  if (r.kind === 'unknown') {
    throw invalidPath(`Invalid path "${rawPath.slice(0, 200)}": no schema of this ${cx.rs.name} has that attribute (check the attribute mapping).`);
  }
  if (r.kind === 'schema' && r.schema === cx.rs.core) throw invalidPath(`Invalid path "${rawPath.slice(0, 200)}": name an attribute, or send no path.`);
  return targetOf(doc, cx, r, p.filter, p.sub, create, rawPath);
}

function assertWritable(t: Target): void {
  if (t.def?.mutability === 'readOnly') throw mutability(`${t.key} is read-only.`);
}

function setPrimaryExclusive(list: Doc[]): void {
  const last = [...list].reverse().find((e) => isObject(e) && e.primary === true);
  if (last) for (const e of list) if (isObject(e) && e !== last && e.primary === true) e.primary = false;
}

/** A path-less add/replace: each key is resolved like a path; keys no schema has are left out and named. */
function addOrReplaceEach(doc: Doc, cx: Context, op: 'add' | 'replace', value: unknown, prefix = ''): void {
  if (!isObject(value)) throw invalidValue(`A ${op} without a path needs an object value.`);
  for (const [rawKey, v] of Object.entries(value)) {
    const key = `${prefix}${rawKey.trim()}`;
    if (!prefix && rawKey.trim().toLowerCase() === 'schemas') continue;
    const r = resolveName(cx.rs, key, cx.ext);
    if (r.kind === 'unknown') {
      cx.ignored?.add(key);
      continue;
    }
    if (r.kind === 'schema' && r.schema === cx.rs.core) {
      if (isObject(v)) addOrReplaceEach(doc, cx, op, v);
      continue;
    }
    if ((r.kind === 'schema' || (r.kind === 'custom' && r.name === undefined)) && isObject(v)) {
      const urn = r.kind === 'schema' ? r.schema.id : r.urn;
      addOrReplaceEach(doc, cx, op, v, `${urn}:`);
      continue;
    }
    // Path-less bodies often echo id, meta or groups back: leave them, as a PUT would.
    if (r.kind === 'attr' && r.attr.def.mutability === 'readOnly') continue;
    apply(op, targetOf(doc, cx, r, undefined, undefined, true, key), v, key);
  }
}

function apply(op: 'add' | 'replace', t: Target, value: unknown, path: string): void {
  assertWritable(t);
  const current = t.container[t.key];
  if (t.filter) {
    const list = Array.isArray(current) ? (current as unknown[]) : [];
    const matches = list.filter((e) => matchesElement(e, t.filter!, t.def));
    if (matches.length === 0) {
      const seed = equalities(t.filter, t.def);
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
  if ((t.def?.type === 'complex' || t.whole) && isObject(value) && isObject(current)) {
    Object.assign(current, clone(value)); // sub-attributes not named are left unchanged
    return;
  }
  t.container[t.key] = clone(value);
}

function remove(doc: Doc, cx: Context, path: string | undefined, value: unknown): void {
  if (path === undefined) throw noTarget('A remove operation needs a path.');
  const t = locate(doc, cx, path, false);
  assertWritable(t);
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

export interface PatchOptions {
  /** Collects, as sent, the names in path-less values that no schema of the resource has. */
  ignored?: Set<string>;
}

/**
 * Applies operations to a copy of the stored document; the caller re-validates the result as a
 * whole. Custom extensions may be used when the resource has them or a path-less value's
 * `schemas` lists them; a path naming anything else is an invalidPath.
 */
export function applyPatch(doc: Doc, ops: PatchOperation[], rs: ResourceSchema, opts: PatchOptions = {}): Doc {
  const out = storedAttributes(rs, clone(doc));
  const listed = ops.flatMap((o) => (o.path === undefined && isObject(o.value) ? [o.value[findKey(o.value, 'schemas') ?? 'schemas']] : []));
  const cx: Context = { rs, ext: declaredExtensions(rs, out, ...listed), ignored: opts.ignored };
  for (const o of ops) {
    if (o.op === 'remove') remove(out, cx, o.path, o.value);
    else if (o.path === undefined) addOrReplaceEach(out, cx, o.op, o.value);
    else apply(o.op, locate(out, cx, o.path, true), o.value, o.path);
  }
  return out;
}
