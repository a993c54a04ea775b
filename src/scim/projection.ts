// attributes / excludedAttributes (RFC 7644 §3.4.2.5): which attributes a response carries.
import { ANY_EXTENSION, resolveName } from './attributes';
import type { Doc } from './document';
import { invalidValue } from './errors';
import { type ResourceSchema, parseAttrPath } from './schema';

const ALWAYS = new Set(['id', 'schemas']);

interface Item {
  /** The extension object the attribute lives in, if not the core. */
  container?: string;
  name: string;
  sub?: string;
}

/**
 * The attributes a projection names, resolved against the resource's schemas. A name no schema
 * has is never stored, so there is nothing to include or exclude: it is skipped, not refused.
 */
function parseList(raw: string | undefined, rs: ResourceSchema): Item[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((item): Item[] => {
      if (!/^urn:/i.test(item) && !parseAttrPath(item)) throw invalidValue(`"${item.slice(0, 100)}" is not an attribute name.`);
      const r = resolveName(rs, item, ANY_EXTENSION);
      switch (r.kind) {
        case 'schema':
          return [r.schema === rs.core ? { name: '*' } : { name: r.schema.id }];
        case 'attr': {
          const { def, sub, schema } = r.attr;
          return [{ container: schema === rs.core.id ? undefined : schema, name: def.name, sub: sub?.name }];
        }
        case 'custom': {
          if (r.name !== undefined) return [{ container: r.urn, name: r.name, sub: r.sub }];
          // "urn:acme:1.0:User:badge" names the extension stored under that URN, or the attribute badge of "urn:acme:1.0:User".
          const p = parseAttrPath(item);
          return p?.urn ? [{ name: r.urn }, { container: p.urn, name: p.name, sub: p.sub }] : [{ name: r.urn }];
        }
        default:
          return [];
      }
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
