// Routes one SCIM request (from HTTP or from a Bulk operation) to the operation that serves it.
import { type ListParams, type ScimEnv, type ScimResult, listParams } from './context';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery';
import type { Doc } from './document';
import { ScimError, notFound } from './errors';
import * as groups from './groups';
import { searchRoot } from './root';
import type { Projection } from './projection';
import { UNSTORABLE } from './quirks';
import * as users from './users';

export interface ScimRequest {
  method: string;
  /** Path below the SCIM base, e.g. "/Users/123". */
  path: string;
  query: Doc;
  body?: unknown;
  ifMatch?: string;
  ifNoneMatch?: string;
}

export type BulkHandler = (env: ScimEnv, body: unknown) => Promise<ScimResult>;

function notAllowed(method: string, allowed: readonly string[]): ScimError {
  return new ScimError(405, undefined, `${method} is not supported here; use ${allowed.join(', ')}.`, { Allow: allowed.join(', ') });
}

function projection(query: Doc): Projection {
  const p = listParams(query);
  return { attributes: p.attributes, excludedAttributes: p.excludedAttributes };
}

function decodeId(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw notFound('No such resource.');
  }
  if (UNSTORABLE.test(id) || id.length > 200) throw notFound('No such resource.');
  return id;
}

type Endpoint =
  | { kind: 'rootSearch' | 'serviceProviderConfig' | 'bulk' | 'me'; id?: string }
  | { kind: 'schemas' | 'resourceTypes'; id?: string }
  | { kind: 'collection' | 'search'; ops: Ops }
  | { kind: 'resource'; ops: Ops; id: string };

const READ_ONLY = ['GET'] as const;
const ALLOWED: Record<Endpoint['kind'], readonly string[] | undefined> = {
  rootSearch: ['POST'],
  serviceProviderConfig: READ_ONLY,
  schemas: READ_ONLY,
  resourceTypes: READ_ONLY,
  bulk: ['POST'],
  me: undefined, // 501 whatever the method
  collection: ['GET', 'POST'],
  search: ['POST'],
  resource: ['GET', 'PUT', 'PATCH', 'DELETE'],
};

/** Which endpoint a path names (404 for none): known from the path alone, before any body is read. */
function endpointOf(path: string): Endpoint {
  const [first, id, extra] = path.split('/').filter(Boolean);
  const unknown = () => notFound(`No SCIM endpoint at ${path.slice(0, 200)}.`);
  // GET on the root is optional (RFC 7644 §3.4.2 "MAY"); searching it is POST /.search.
  if (!first) throw unknown();
  switch (first.toLowerCase()) {
    case '.search':
      if (id !== undefined) throw unknown();
      return { kind: 'rootSearch' };
    case 'serviceproviderconfig':
    case 'serviceproviderconfigs':
      return { kind: 'serviceProviderConfig', id: extra ?? id };
    case 'schemas':
      return { kind: 'schemas', id: extra === undefined ? id : `${id}/${extra}` };
    case 'resourcetypes':
      return { kind: 'resourceTypes', id: extra === undefined ? id : `${id}/${extra}` };
    case 'bulk':
      return { kind: 'bulk', id };
    case 'me':
      return { kind: 'me' };
    case 'users':
    case 'groups': {
      const ops = first.toLowerCase() === 'users' ? usersOps : groupsOps;
      if (extra !== undefined) throw unknown();
      if (id === undefined) return { kind: 'collection', ops };
      if (id === '.search') return { kind: 'search', ops };
      return { kind: 'resource', ops, id };
    }
    default:
      throw unknown();
  }
}

/**
 * 404 or 405 from the method and path alone. The router asks this before it reads a body, so
 * a read-only endpoint answers 405 whatever was posted to it (Okta's spec test posts non-JSON).
 */
export function checkMethod(method: string, path: string): void {
  const allowed = ALLOWED[endpointOf(path).kind];
  const m = method.toUpperCase();
  if (allowed && !allowed.includes(m)) throw notAllowed(m, allowed);
}

export async function dispatch(env: ScimEnv, req: ScimRequest, bulk?: BulkHandler): Promise<ScimResult> {
  const endpoint = endpointOf(req.path);
  checkMethod(req.method, req.path);
  const method = req.method.toUpperCase();
  const p = () => projection(req.query);
  const searchBody = () => listParams((req.body && typeof req.body === 'object' ? req.body : {}) as Doc);

  switch (endpoint.kind) {
    case 'rootSearch':
      return searchRoot(env, searchBody());
    case 'serviceProviderConfig':
      if (endpoint.id !== undefined) throw notFound('No such resource.');
      return serviceProviderConfig(env);
    case 'schemas':
      return schemas(env, endpoint.id === undefined ? undefined : decodeId(endpoint.id));
    case 'resourceTypes':
      return resourceTypes(env, endpoint.id === undefined ? undefined : decodeId(endpoint.id));
    case 'bulk':
      if (endpoint.id !== undefined) throw notFound('No such resource.');
      if (!bulk) throw new ScimError(400, 'invalidSyntax', 'Bulk operations cannot contain /Bulk.');
      return bulk(env, req.body);
    case 'me':
      throw new ScimError(501, undefined, '/Me is not supported: SCIM clients here act for an account, not a person.');
    case 'collection':
      return method === 'GET' ? endpoint.ops.list(env, listParams(req.query)) : endpoint.ops.create(env, req.body, p());
    case 'search':
      return endpoint.ops.list(env, searchBody());
    case 'resource': {
      const rid = decodeId(endpoint.id);
      switch (method) {
        case 'GET':
          return endpoint.ops.get(env, rid, p(), req.ifNoneMatch);
        case 'PUT':
          return endpoint.ops.replace(env, rid, req.body, req.ifMatch, p());
        case 'PATCH':
          return endpoint.ops.patch(env, rid, req.body, req.ifMatch, p(), req.query);
        default:
          return endpoint.ops.remove(env, rid, req.ifMatch);
      }
    }
  }
}

interface Ops {
  list(env: ScimEnv, params: ListParams): Promise<ScimResult>;
  create(env: ScimEnv, body: unknown, p: Projection): Promise<ScimResult>;
  get(env: ScimEnv, id: string, p: Projection, ifNoneMatch?: string): Promise<ScimResult>;
  replace(env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection): Promise<ScimResult>;
  patch(env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection, q: Doc): Promise<ScimResult>;
  remove(env: ScimEnv, id: string, ifMatch: string | undefined): Promise<ScimResult>;
}

const hasProjection = (q: Doc) => Object.keys(q).some((k) => /^(attributes|excludedattributes)$/i.test(k));

const usersOps: Ops = {
  list: users.USERS.list,
  create: users.createUser,
  get: users.USERS.get,
  replace: users.replaceUser,
  patch: (env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection) => users.patchUser(env, id, body, ifMatch, p),
  remove: users.deleteUser,
};

const groupsOps: Ops = {
  list: groups.GROUPS.list,
  create: groups.createGroup,
  get: groups.GROUPS.get,
  replace: groups.replaceGroup,
  patch: (env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection, q: Doc) =>
    groups.patchGroup(env, id, body, ifMatch, p, hasProjection(q)),
  remove: groups.deleteGroup,
};
