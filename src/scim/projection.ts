// attributes / excludedAttributes (RFC 7644 §3.4.2.5): which attributes a response carries.
import { invalidValue } from './errors';
import { type ResourceSchema, parseAttrPath, schemaUrnOf } from './schema';
import type { Doc } from './document';

const ALWAYS = new Set(['id', 'schemas']);

function parseList(raw: string | undefined, rs: ResourceSchema): Array<{ container?: string; name: string; sub?: string }> {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const ext = schemaUrnOf(rs, item);
      if (ext) return ext === rs.core ? { name: '*' } : { name: ext.id };
      const p = parseAttrPath(item);
      if (!p) throw invalidValue(`"${item}" is not an attribute name.`);
      const schema = p.urn ? schemaUrnOf(rs, p.urn) : rs.core;
      const def = schema?.attributes.find((a) => a.name.toLowerCase() === p.name.toLowerCase());
      const name = def?.name ?? p.name;
      const sub = p.sub && def?.subAttributes ? (def.subAttributes.find((s) => s.name.toLowerCase() === p.sub!.toLowerCase())?.name ?? p.sub) : p.sub;
      return { container: schema && schema !== rs.core ? schema.id : undefined, name, sub };
    });
}

function keyIn(obj: Doc, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function pick(source: Doc, name: string, sub: string | undefined, into: Doc): void {
  const k = keyIn(source, name);
  if (!k) return;
  const v = source[k];
  if (!sub) {
    into[k] = v;
    return;
  }
  const pickSub = (e: unknown) => {
    if (!e || typeof e !== 'object') return undefined;
    const sk = keyIn(e as Doc, sub);
    return sk ? { [sk]: (e as Doc)[sk] } : undefined;
  };
  if (Array.isArray(v)) {
    const prev = (into[k] as Doc[] | undefined) ?? v.map(() => ({}));
    v.forEach((e, i) => Object.assign(prev[i]!, pickSub(e)));
    into[k] = prev;
  } else {
    const got = pickSub(v);
    if (got) into[k] = { ...((into[k] as Doc | undefined) ?? {}), ...got };
  }
}

function drop(target: Doc, name: string, sub: string | undefined): void {
  const k = keyIn(target, name);
  if (!k || ALWAYS.has(k)) return;
  if (!sub) {
    delete target[k];
    return;
  }
  const v = target[k];
  for (const e of Array.isArray(v) ? v : [v]) {
    if (e && typeof e === 'object') {
      const sk = keyIn(e as Doc, sub);
      if (sk) delete (e as Doc)[sk];
    }
  }
}

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

/** Which top-level attributes a projection may return (lets callers skip work, e.g. loading members). */
export function wants(p: Projection, rs: ResourceSchema, name: string): boolean {
  const lower = name.toLowerCase();
  if (p.attributes) return parseList(p.attributes, rs).some((a) => a.name === '*' || a.name.toLowerCase() === lower);
  return !parseList(p.excludedAttributes, rs).some((a) => !a.container && !a.sub && a.name.toLowerCase() === lower);
}

/** Applies a projection to a rendered resource (a new object; the input is not changed). */
export function project(resource: Doc, rs: ResourceSchema, p: Projection): Doc {
  if (p.attributes) {
    const list = parseList(p.attributes, rs);
    if (list.some((a) => a.name === '*')) return resource;
    const out: Doc = {};
    for (const k of Object.keys(resource)) if (ALWAYS.has(k)) out[k] = resource[k];
    for (const a of list) {
      if (a.container) {
        const ext = resource[a.container] as Doc | undefined;
        if (!ext) continue;
        const into = (out[a.container] as Doc | undefined) ?? {};
        pick(ext, a.name, a.sub, into);
        if (Object.keys(into).length) out[a.container] = into;
      } else {
        pick(resource, a.name, a.sub, out);
      }
    }
    return out;
  }
  if (p.excludedAttributes) {
    const out = JSON.parse(JSON.stringify(resource)) as Doc;
    for (const a of parseList(p.excludedAttributes, rs)) {
      if (a.container) {
        const ext = out[a.container] as Doc | undefined;
        if (ext) drop(ext, a.name, a.sub);
      } else {
        drop(out, a.name, a.sub);
      }
    }
    return out;
  }
  return resource;
}
