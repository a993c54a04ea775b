// Compiles a SCIM filter AST to one SQL condition (SQLite or PostgreSQL), so filters run in the database.
import { type ResolvedAttr, publishedAttr, subOf } from './attributes';
import { parseDateTime } from './document';
import { invalidFilter, invalidValue } from './errors';
import type { CompareOp, Filter, Scalar } from './filter';
import type { AttrDef, AttrPath, AttrType, ResourceSchema } from './schema';

export type Dialect = 'sqlite' | 'pg';

export interface Sql {
  sql: string;
  bindings: Array<string | number>;
}

/** How one attribute is stored: an indexed column, a value inside the JSON document, or something bespoke. */
export type Mapping =
  | {
      kind: 'column';
      /** SQL of the column. */
      sql: string;
      /** The column already holds lower-cased text (compare against the lower-cased value). */
      lowered?: boolean;
    }
  | { kind: 'json'; path: string[] }
  | { kind: 'custom'; compile(op: CompareOp | 'pr', value: Scalar, attr: ResolvedAttr): Sql };

export interface FilterTarget {
  schema: ResourceSchema;
  dialect: Dialect;
  /** Column/JSON mapping for an attribute, or undefined to use the JSON document. */
  map(attr: ResolvedAttr): Mapping | undefined;
  /** SQL of the JSON document column. */
  doc: string;
  /** Sort expressions for attributes that cannot be compared as one column (e.g. emails: the primary one). */
  sortColumns?: Record<string, string>;
  /** Attributes that cannot be filtered (writeOnly, never returned). */
  forbidden?: (attr: ResolvedAttr) => boolean;
  /**
   * In a search across resource types: true for an attribute another type has. RFC 7644 §3.4.2
   * says to treat it as having no value here, so "pr" and "eq" are false rather than an error.
   */
  elsewhere?: (path: AttrPath) => boolean;
}

const TEXTUAL = new Set<AttrType>(['string', 'reference', 'binary']);

export function jsonText(dialect: Dialect, doc: string, path: string[]): string {
  if (dialect === 'sqlite') return `json_extract(${doc}, '$${path.map((p) => `."${p}"`).join('')}')`;
  return `(${doc} #>> '{${path.map((p) => `"${p}"`).join(',')}}')`;
}

function jsonArrayElements(dialect: Dialect, doc: string, path: string[]): { from: string; elem: string } {
  if (dialect === 'sqlite') {
    return { from: `json_each(${doc}, '$${path.map((p) => `."${p}"`).join('')}') as je`, elem: 'je.value' };
  }
  const node = `(${doc} #> '{${path.map((p) => `"${p}"`).join(',')}}')`;
  return {
    from: `jsonb_array_elements(case when jsonb_typeof(${node}) = 'array' then ${node} else '[]'::jsonb end) as je(value)`,
    elem: 'je.value',
  };
}

function charLength(s: string): number {
  return [...s].length;
}

/** Normalises a comparison value for an attribute type, refusing what cannot compare. */
function typedValue(op: CompareOp, value: Scalar, type: AttrType, name: string): Scalar {
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`"${op}" needs a value, not null (${name}).`);
    return null;
  }
  if (type === 'boolean') {
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    if (typeof value !== 'boolean') throw invalidFilter(`${name} is a boolean; compare it with true or false.`);
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${name} is a boolean; only eq and ne apply.`);
    return value;
  }
  if (type === 'integer' || type === 'decimal') {
    if (typeof value !== 'number') throw invalidFilter(`${name} is a number.`);
    if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`"${op}" does not apply to the number ${name}.`);
    return value;
  }
  if (type === 'complex') throw invalidFilter(`${name} is complex; filter on one of its sub-attributes.`);
  if (type === 'dateTime') {
    // Only an xsd:dateTime string: the database would read "12" or 12 its own way, or fail.
    const ms = parseDateTime(value);
    if (ms === undefined) throw invalidFilter(`${name} is a dateTime; compare it with a string such as "2025-01-31T08:00:00Z", not ${JSON.stringify(value)}.`);
    return new Date(ms).toISOString();
  }
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return value;
}

/**
 * One comparison on a scalar SQL expression. `ci` lower-cases both sides (caseExact=false);
 * `lowered` means the expression is already lower-cased text.
 */
export function compareSql(
  dialect: Dialect,
  expr: string,
  op: CompareOp | 'pr',
  value: Scalar,
  type: AttrType,
  opts: { ci: boolean; lowered?: boolean; json?: boolean; name: string },
): Sql {
  if (op === 'pr') {
    return TEXTUAL.has(type) ? { sql: `(${expr} is not null and ${expr} <> '')`, bindings: [] } : { sql: `(${expr} is not null)`, bindings: [] };
  }
  const v = typedValue(op, value, type, opts.name);
  if (v === null) return { sql: op === 'eq' ? `(${expr} is null)` : `(${expr} is not null)`, bindings: [] };
  if (typeof v === 'boolean') {
    // JSON booleans: SQLite's json_extract gives 1/0, PostgreSQL's #>> gives 'true'/'false'.
    const lit = opts.json ? (dialect === 'sqlite' ? (v ? '1' : '0') : v ? `'true'` : `'false'`) : v ? 'true' : 'false';
    const bool = opts.json || dialect === 'pg' ? lit : v ? '1' : '0';
    return op === 'eq' ? { sql: `(${expr} = ${bool})`, bindings: [] } : { sql: `(${expr} is null or ${expr} <> ${bool})`, bindings: [] };
  }
  if (typeof v === 'number') {
    const num = opts.json && dialect === 'pg' ? `(${expr})::numeric` : expr;
    const sym = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[op as 'eq'];
    if (op === 'ne') return { sql: `(${num} is null or ${num} <> ?)`, bindings: [v] };
    return { sql: `(${num} ${sym} ?)`, bindings: [v] };
  }
  let s = String(v);
  let e = expr;
  if (opts.ci) {
    s = s.toLowerCase();
    if (!opts.lowered) e = `lower(${expr})`;
  }
  switch (op) {
    case 'eq':
      return { sql: `(${e} = ?)`, bindings: [s] };
    case 'ne':
      return { sql: `(${expr} is null or ${e} <> ?)`, bindings: [s] };
    case 'co':
      return { sql: dialect === 'sqlite' ? `(instr(${e}, ?) > 0)` : `(strpos(${e}, ?) > 0)`, bindings: [s] };
    case 'sw':
      return dialect === 'sqlite'
        ? { sql: `(substr(${e}, 1, ${charLength(s)}) = ?)`, bindings: [s] }
        : { sql: `(left(${e}, ${charLength(s)}) = ?)`, bindings: [s] };
    case 'ew':
      return dialect === 'sqlite'
        ? { sql: `(substr(${e}, -${charLength(s)}) = ?)`, bindings: [s] }
        : { sql: `(right(${e}, ${charLength(s)}) = ?)`, bindings: [s] };
    default: {
      const sym = { gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
      return { sql: `(${e} ${sym} ?)`, bindings: [s] };
    }
  }
}

const join = (parts: Sql[], glue: string): Sql => ({
  sql: `(${parts.map((p) => p.sql).join(` ${glue} `)})`,
  bindings: parts.flatMap((p) => p.bindings),
});

function leafFor(attr: ResolvedAttr): AttrDef {
  return attr.sub ?? attr.def;
}

/** A comparison on an attribute the resource type does not have: as on one with no value. */
function absent(op: CompareOp | 'pr', value: Scalar): Sql {
  const holds = value === null ? op === 'eq' : op === 'ne';
  return { sql: holds ? '(1 = 1)' : '(1 = 0)', bindings: [] };
}

function resolveIn(t: FilterTarget, path: AttrPath): ResolvedAttr | 'absent' {
  const attr = publishedAttr(t.schema, path);
  if (attr) return attr;
  if (t.elsewhere?.(path)) return 'absent';
  throw invalidFilter(`Unknown attribute "${fmtPath(path)}" in filter.`);
}

function compileLeaf(t: FilterTarget, f: Extract<Filter, { attr: unknown }> & { op: CompareOp | 'pr' }): Sql {
  const found = resolveIn(t, f.attr);
  if (found === 'absent') return absent(f.op, 'value' in f ? f.value : null);
  let attr = found;
  if (t.forbidden?.(attr)) throw invalidFilter(`${attr.canonical} cannot be filtered on.`);
  // A complex multi-valued attribute compared directly means its "value" (RFC 7644 §3.4.2.2).
  if (!attr.sub && attr.def.type === 'complex' && attr.def.multiValued && f.op !== 'pr') {
    attr = publishedAttr(t.schema, { ...f.attr, sub: 'value' }) ?? attr;
  }
  const value = 'value' in f ? f.value : null;
  const mapping = t.map(attr);
  if (mapping?.kind === 'custom') return mapping.compile(f.op, value, attr);
  const leaf = leafFor(attr);
  const ci = !leaf.caseExact;
  if (mapping?.kind === 'column') {
    return compareSql(t.dialect, mapping.sql, f.op, value, leaf.type, { ci, lowered: mapping.lowered, name: attr.canonical });
  }
  const path = mapping?.kind === 'json' ? mapping.path : attr.jsonPath;
  if (attr.def.multiValued) {
    // Some element of the array satisfies the comparison.
    const { from, elem } = jsonArrayElements(t.dialect, t.doc, attr.jsonPath.slice(0, attr.sub ? -1 : undefined));
    if (!attr.sub) {
      if (f.op !== 'pr') throw invalidFilter(`${attr.canonical} has no sub-attribute to compare.`);
      return { sql: `exists (select 1 from ${from})`, bindings: [] };
    }
    const inner = compareSql(t.dialect, jsonText(t.dialect, elem, [attr.sub.name]), f.op, value, leaf.type, {
      ci,
      json: true,
      name: attr.canonical,
    });
    return { sql: `exists (select 1 from ${from} where ${inner.sql})`, bindings: inner.bindings };
  }
  if (leaf.type === 'complex' && f.op === 'pr') {
    return { sql: `(${jsonText(t.dialect, t.doc, path)} is not null)`, bindings: [] };
  }
  return compareSql(t.dialect, jsonText(t.dialect, t.doc, path), f.op, value, leaf.type, { ci, json: true, name: attr.canonical });
}

/** attr[filter]: compiles the inner filter against each element of a multi-valued complex attribute. */
function compileHas(t: FilterTarget, f: Extract<Filter, { op: 'has' }>): Sql {
  const attr = resolveIn(t, f.attr);
  if (attr === 'absent') return { sql: '(1 = 0)', bindings: [] };
  if (!attr.def.multiValued || attr.def.type !== 'complex') {
    throw invalidFilter(`${attr.canonical} is not a multi-valued complex attribute; "[...]" does not apply.`);
  }
  const mapping = t.map(attr);
  if (mapping?.kind === 'custom') {
    // e.g. members[value eq "x"] on a group, groups[value eq "x"] on a user.
    return compileElementFilter(f.filter, attr, (sub, op, value) => {
      const subAttr = publishedAttr(t.schema, { ...f.attr, sub })!;
      const m = t.map(subAttr);
      if (m?.kind !== 'custom') throw invalidFilter(`${subAttr.canonical} cannot be filtered on.`);
      return m.compile(op, value, subAttr);
    });
  }
  const { from, elem } = jsonArrayElements(t.dialect, t.doc, attr.jsonPath);
  const inner = compileElementFilter(f.filter, attr, (_sub, op, value, def) =>
    compareSql(t.dialect, jsonText(t.dialect, elem, [def.name]), op, value, def.type, {
      ci: !def.caseExact,
      json: true,
      name: `${attr.canonical}.${def.name}`,
    }),
  );
  return { sql: `exists (select 1 from ${from} where ${inner.sql})`, bindings: inner.bindings };
}

function compileElementFilter(f: Filter, parent: ResolvedAttr, leaf: (sub: string, op: CompareOp | 'pr', value: Scalar, def: AttrDef) => Sql): Sql {
  switch (f.op) {
    case 'and':
    case 'or':
      return join([compileElementFilter(f.left, parent, leaf), compileElementFilter(f.right, parent, leaf)], f.op);
    case 'not': {
      const inner = compileElementFilter(f.filter, parent, leaf);
      return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case 'has':
      throw invalidFilter('A value filter cannot contain another value filter.');
    default: {
      if (f.attr.urn || f.attr.sub) throw invalidFilter(`Inside ${parent.canonical}[...] name sub-attributes only.`);
      const def = subOf(parent.def, f.attr.name);
      if (!def) throw invalidFilter(`${parent.canonical} has no sub-attribute "${f.attr.name}".`);
      return leaf(def.name, f.op, 'value' in f ? f.value : null, def);
    }
  }
}

export function compileFilter(t: FilterTarget, f: Filter): Sql {
  switch (f.op) {
    case 'and':
    case 'or':
      return join([compileFilter(t, f.left), compileFilter(t, f.right)], f.op);
    case 'not': {
      const inner = compileFilter(t, f.filter);
      // NULL (unknown) counts as "does not match", so not(...) of it matches.
      return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case 'has':
      return compileHas(t, f);
    default:
      return compileLeaf(t, f);
  }
}

/** ORDER BY for sortBy (nulls last in both dialects), or undefined for the default order. */
export function compileSort(t: FilterTarget, sortBy: string, descending: boolean): string {
  const attr = publishedAttr(t.schema, sortBy);
  if (!attr) throw invalidValue(`Cannot sort by unknown attribute "${sortBy}".`);
  const special = t.sortColumns?.[attr.canonical];
  const mapping: Mapping | undefined = special ? { kind: 'column', sql: special, lowered: true } : t.map(attr);
  const leaf = attr.sub ?? attr.def;
  let expr: string;
  if (mapping?.kind === 'column') expr = mapping.sql;
  else if (mapping?.kind === 'custom' || attr.def.multiValued || leaf.type === 'complex') {
    throw invalidValue(`Cannot sort by ${attr.canonical}.`);
  } else expr = jsonText(t.dialect, t.doc, mapping?.kind === 'json' ? mapping.path : attr.jsonPath);
  const text = TEXTUAL.has(leaf.type);
  let sortExpr = !leaf.caseExact && text && !(mapping?.kind === 'column' && mapping.lowered) ? `lower(${expr})` : expr;
  // Code-point order on both databases, whatever collation the PostgreSQL database has.
  if (text && t.dialect === 'pg') sortExpr = `${sortExpr} collate "C"`;
  const dir = descending ? 'desc' : 'asc';
  return `(${expr} is null) asc, ${sortExpr} ${dir}`;
}

function fmtPath(p: { urn?: string; name: string; sub?: string }): string {
  return `${p.urn ? `${p.urn}:` : ''}${p.name}${p.sub ? `.${p.sub}` : ''}`;
}
