// Searches from the service provider root (RFC 7644 §3.4.2, §3.4.3): Users and Groups in one
// list, filtered, sorted, paged and projected as a search of one resource type is.
import { type ResolvedAttr, publishedAttr } from './attributes';
import type { ListParams, ScimEnv, ScimResult } from './context';
import type { Doc } from './document';
import { ScimError, invalidValue } from './errors';
import { parseFilter } from './filter';
import { type FilterTarget, compileFilter, compileSort } from './filter-sql';
import { GROUPS } from './groups';
import { project } from './projection';
import { type ResourceType, listResponse } from './resourceType';
import { USERS } from './users';

const KINDS: ResourceType[] = [USERS, GROUPS];

/**
 * How deep a sorted root search pages: each type's first rows up to this many are merged in
 * memory, so a deeper page would read ever more rows. Unsorted root searches page to any depth.
 */
export const ROOT_SORT_WINDOW = 5000;

/** The value a resource sorts by (RFC 7644 §3.4.2.3: of a multi-valued attribute, the primary or else the first). */
function sortValue(doc: Doc, attr: ResolvedAttr): unknown {
  let v: unknown = doc;
  const path = attr.def.multiValued ? attr.jsonPath.slice(0, attr.sub ? -1 : undefined) : attr.jsonPath;
  for (const k of path) v = v && typeof v === 'object' ? (v as Doc)[k] : undefined;
  if (attr.def.multiValued) {
    const list = Array.isArray(v) ? (v as Doc[]) : [];
    const chosen = list.find((e) => e?.primary === true) ?? list[0];
    v = chosen?.[attr.sub?.name ?? 'value'];
  }
  if (v === undefined || v === null) return null;
  const leaf = attr.sub ?? attr.def;
  return typeof v === 'string' && !leaf.caseExact ? v.toLowerCase() : v;
}

/** Code-point order, as both databases sort (PostgreSQL with collate "C"). */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
      if (d) return d;
    }
    return x.length - y.length;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareValues(String(a), String(b));
}

export async function searchRoot(env: ScimEnv, params: ListParams): Promise<ScimResult> {
  const filter = params.filter ? parseFilter(params.filter) : undefined;
  const descending = params.sortOrder === 'descending';
  const plans = KINDS.map((kind) => {
    const others = KINDS.filter((o) => o !== kind);
    const target: FilterTarget = { ...kind.target(env), elsewhere: (path) => others.some((o) => publishedAttr(o.rs, path)) };
    const sortAttr = params.sortBy ? publishedAttr(kind.rs, params.sortBy) : undefined;
    return {
      kind,
      where: filter ? compileFilter(target, filter) : undefined,
      sortAttr,
      orderBy: sortAttr && params.sortBy ? compileSort(target, params.sortBy, descending) : undefined,
    };
  });
  const offset = params.startIndex - 1;
  let total = 0;
  let docs: Array<{ doc: Doc; kind: ResourceType }> = [];
  if (!params.sortBy) {
    // Users, then Groups, each in its own default order: a page may span the two.
    for (const plan of plans) {
      const page = await plan.kind.page(env, { where: plan.where, offset: Math.max(0, offset - total), limit: params.count - docs.length }, params);
      docs.push(...page.docs.map((doc) => ({ doc, kind: plan.kind })));
      total += page.total;
    }
  } else {
    if (!plans.some((p) => p.sortAttr)) throw invalidValue(`Cannot sort by unknown attribute "${params.sortBy}".`);
    const window = offset + params.count;
    if (window > ROOT_SORT_WINDOW) {
      throw new ScimError(
        400,
        'tooMany',
        `A sorted search from the root reaches the first ${ROOT_SORT_WINDOW} results; search /Users or /Groups to page further.`,
      );
    }
    const runs: Array<Array<{ doc: Doc; kind: ResourceType; key: unknown }>> = [];
    for (const plan of plans) {
      const page = await plan.kind.page(env, { where: plan.where, orderBy: plan.orderBy, offset: 0, limit: window }, params);
      total += page.total;
      runs.push(page.docs.map((doc) => ({ doc, kind: plan.kind, key: plan.sortAttr ? sortValue(doc, plan.sortAttr) : null })));
    }
    // Each run is already in order; merging them keeps every page consistent with the next.
    type Entry = (typeof runs)[number][number];
    // Nulls last in either direction, as compileSort orders them; ties keep Users first.
    const before = (a: Entry, b: Entry) => a.key !== null && (b.key === null || compareValues(a.key, b.key) * (descending ? -1 : 1) < 0);
    const merged: Entry[] = [];
    const at = runs.map(() => 0);
    while (merged.length < window) {
      let best = -1;
      for (let r = 0; r < runs.length; r++) {
        const head = runs[r]![at[r]!];
        if (head && (best < 0 || before(head, runs[best]![at[best]!]!))) best = r;
      }
      if (best < 0) break;
      merged.push(runs[best]![at[best]!++]!);
    }
    docs = merged.slice(offset);
  }
  return listResponse(
    params,
    total,
    docs.map(({ doc, kind }) => project(doc, kind.rs, params)),
  );
}
