// What /Users and /Groups do alike: read one resource (404 when it is not this account's), render
// it with its multi-valued link, answer with ETag and Location; search in SQL and answer with a
// ListResponse (the root search too). Each resource type brings only its storage and its renderer.
import type { Tx } from '../db/knex';
import { type ListParams, type ScimEnv, type ScimResult, etag, notModified } from './context';
import { type Doc, ignoredWarnings } from './document';
import { notFound } from './errors';
import { parseFilter } from './filter';
import { type FilterTarget, type Sql, compileFilter, compileSort } from './filter-sql';
import { type Projection, project, wants } from './projection';
import { LIST_SCHEMA, type ResourceSchema } from './schema';

export interface PageQuery {
  where?: Sql;
  orderBy?: string;
  offset: number;
  limit: number;
}

interface Versioned {
  id: string;
  version: number;
}

/** A resource type's storage and renderer: all that differs between /Users and /Groups. */
export interface ResourceStore<R extends Versioned, L> {
  /** How a filter and a sort reach its rows. */
  target(env: ScimEnv): FilterTarget;
  get(tx: Tx, accountId: string, id: string, opts: { forUpdate?: boolean }): Promise<R | undefined>;
  query(tx: Tx, accountId: string, q: PageQuery): Promise<{ total: number; rows: R[] }>;
  /** The multi-valued attribute rendered with each row (a user's groups, a group's members) and how to read it for many rows at once. */
  link: [attr: string, load: (tx: Tx, accountId: string, ids: string[]) => Promise<Map<string, L[]>>];
  render(env: ScimEnv, row: R, links: L[] | undefined): Doc;
}

/** A resource type as a search sees it (the root search merges the pages of several). */
export interface ResourceType {
  rs: ResourceSchema;
  target(env: ScimEnv): FilterTarget;
  /** Rendered but not projected (a search across resource types merges them first). */
  page(env: ScimEnv, q: PageQuery, p: Projection): Promise<{ total: number; docs: Doc[] }>;
}

/** The ListResponse (RFC 7644 §3.4.2) of one page of documents, already projected. */
export function listResponse(params: ListParams, total: number, resources: Doc[]): ScimResult {
  return {
    status: 200,
    body: { schemas: [LIST_SCHEMA], totalResults: total, startIndex: params.startIndex, itemsPerPage: resources.length, Resources: resources },
  };
}

export function resourceType<R extends Versioned, L>(rs: ResourceSchema, store: ResourceStore<R, L>) {
  const [linkAttr, loadLinks] = store.link;

  /** The link is read for all rows in one query, and only when the projection wants it. */
  async function renderAll(env: ScimEnv, rows: R[], p: Projection): Promise<Doc[]> {
    const links =
      wants(p, rs, linkAttr) && rows.length
        ? await loadLinks(
            env.db,
            env.account.id,
            rows.map((r) => r.id),
          )
        : undefined;
    return rows.map((r) => store.render(env, r, links ? (links.get(r.id) ?? []) : undefined));
  }

  const type = {
    rs,
    target: store.target,

    async page(env: ScimEnv, q: PageQuery, p: Projection): Promise<{ total: number; docs: Doc[] }> {
      const { total, rows } = await store.query(env.db, env.account.id, q);
      return { total, docs: await renderAll(env, rows, p) };
    },

    /** The account's resource (read in `tx`, locked for a write when asked); any other is 404. */
    async find(tx: Tx, env: ScimEnv, id: string, opts: { forUpdate?: boolean } = {}): Promise<R> {
      const r = await store.get(tx, env.account.id, id, opts);
      if (!r) throw notFound(`${rs.name} ${id} not found.`);
      return r;
    },

    /** One resource rendered and projected. */
    async rendered(env: ScimEnv, r: R, p: Projection): Promise<Doc> {
      return project((await renderAll(env, [r], p))[0]!, rs, p);
    },

    /** One resource's answer: its ETag, where it lives once created, the attributes that were left out. */
    result(env: ScimEnv, status: number, body: Doc | undefined, r: Versioned, opts: { created?: boolean; ignored?: Set<string> } = {}): ScimResult {
      const headers: Record<string, string> = { ETag: etag(r.version) };
      if (opts.created) headers.Location = `${env.baseUrl}${rs.endpoint}/${r.id}`;
      return { status, body, headers, warnings: opts.ignored && ignoredWarnings(rs, opts.ignored) };
    },

    /** GET /Users or /Groups: filtered and sorted in SQL, one page, each document projected. */
    async list(env: ScimEnv, params: ListParams): Promise<ScimResult> {
      const target = store.target(env);
      const where = params.filter ? compileFilter(target, parseFilter(params.filter)) : undefined;
      const orderBy = params.sortBy ? compileSort(target, params.sortBy, params.sortOrder === 'descending') : undefined;
      const { total, docs } = await type.page(env, { where, orderBy, offset: params.startIndex - 1, limit: params.count }, params);
      return listResponse(
        params,
        total,
        docs.map((d) => project(d, rs, params)),
      );
    },

    /** GET of one resource: 304 when the client's copy is current. */
    async get(env: ScimEnv, id: string, p: Projection, ifNoneMatch?: string): Promise<ScimResult> {
      const r = await type.find(env.db, env, id);
      if (notModified(ifNoneMatch, r.version)) return { status: 304, headers: { ETag: etag(r.version) } };
      return type.result(env, 200, await type.rendered(env, r, p), r);
    },
  };
  return type;
}
