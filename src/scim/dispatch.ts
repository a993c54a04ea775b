// Routes one SCIM request (from HTTP or from a Bulk operation) to the operation that serves it.
import type { ScimEnv, ScimResult } from './context';
import { listParams } from './context';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery';
import type { Doc } from './document';
import { ScimError, notFound } from './errors';
import * as groups from './groups';
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

function notAllowed(method: string, allowed: string[]): ScimError {
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

export async function dispatch(env: ScimEnv, req: ScimRequest, bulk?: BulkHandler): Promise<ScimResult> {
  const segments = req.path.split('/').filter(Boolean);
  const method = req.method.toUpperCase();
  const [first, id, extra] = segments;
  if (!first || extra !== undefined) throw notFound(`No SCIM endpoint at ${req.path.slice(0, 200)}.`);
  const resource = first.toLowerCase();
  const p = () => projection(req.query);

  switch (resource) {
    case 'serviceproviderconfig':
    case 'serviceproviderconfigs':
      if (id) throw notFound('No such resource.');
      if (method !== 'GET') throw notAllowed(method, ['GET']);
      return serviceProviderConfig(env);
    case 'schemas':
      if (method !== 'GET') throw notAllowed(method, ['GET']);
      return schemas(env, id === undefined ? undefined : decodeId(id));
    case 'resourcetypes':
      if (method !== 'GET') throw notAllowed(method, ['GET']);
      return resourceTypes(env, id === undefined ? undefined : decodeId(id));
    case 'bulk':
      if (id) throw notFound('No such resource.');
      if (method !== 'POST') throw notAllowed(method, ['POST']);
      if (!bulk) throw new ScimError(400, 'invalidSyntax', 'Bulk operations cannot contain /Bulk.');
      return bulk(env, req.body);
    case 'me':
      throw new ScimError(501, undefined, '/Me is not supported: SCIM clients here act for an account, not a person.');
    case 'users':
    case 'groups': {
      const ops = resource === 'users' ? usersOps : groupsOps;
      if (id === undefined) {
        if (method === 'GET') return ops.list(env, listParams(req.query));
        if (method === 'POST') return ops.create(env, req.body, p());
        throw notAllowed(method, ['GET', 'POST']);
      }
      if (id === '.search') {
        if (method !== 'POST') throw notAllowed(method, ['POST']);
        const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Doc;
        return ops.list(env, listParams(body));
      }
      const rid = decodeId(id);
      switch (method) {
        case 'GET':
          return ops.get(env, rid, p(), req.ifNoneMatch);
        case 'PUT':
          return ops.replace(env, rid, req.body, req.ifMatch, p());
        case 'PATCH':
          return ops.patch(env, rid, req.body, req.ifMatch, p(), req.query);
        case 'DELETE':
          return ops.remove(env, rid, req.ifMatch);
        default:
          throw notAllowed(method, ['GET', 'PUT', 'PATCH', 'DELETE']);
      }
    }
    default:
      throw notFound(`No SCIM endpoint at ${req.path.slice(0, 200)}.`);
  }
}

const hasProjection = (q: Doc) => Object.keys(q).some((k) => /^(attributes|excludedattributes)$/i.test(k));

const usersOps = {
  list: users.listUsers,
  create: users.createUser,
  get: users.getUser,
  replace: users.replaceUser,
  patch: (env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection) => users.patchUser(env, id, body, ifMatch, p),
  remove: users.deleteUser,
};

const groupsOps = {
  list: groups.listGroups,
  create: groups.createGroup,
  get: groups.getGroup,
  replace: groups.replaceGroup,
  patch: (env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection, q: Doc) =>
    groups.patchGroup(env, id, body, ifMatch, p, hasProjection(q)),
  remove: groups.deleteGroup,
};
