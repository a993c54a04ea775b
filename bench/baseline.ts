// The baseline of issue 9, run as its own process: an in-memory SCIM server on scimmy + scimmy-routers + Express 5.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

// The harness picks the token; requests without it get scimmy-routers' 401.
const TOKEN = process.env.BASELINE_TOKEN ?? 'baseline';

type Json = Record<string, unknown>;

interface Meta {
  created: string;
  lastModified: string;
}

interface StoredUser extends Json {
  id: string;
  userName: string;
  meta: Meta;
}

interface StoredGroup extends Json {
  id: string;
  displayName: string;
  members?: Array<{ value: string; display?: string }>;
  meta: Meta;
}

// Users in insertion order (what a page walks) beside a Map by id and a userName index:
// the data structures a careful in-memory implementation would pick.
const userList: StoredUser[] = [];
const userPos = new Map<string, number>();
const userByName = new Map<string, string>();
const groups = new Map<string, StoredGroup>();
const groupCheckpoints = new Map<string, StoredGroup['members']>();

// scimmy's typings want a scimType string, but a 404 has none (RFC 7644 §3.12).
const notFound = (kind: string, id: string) => new SCIMMY.Types.Error(404, undefined as unknown as string, `${kind} ${id} not found`);

// scimmy hands handlers proxied schema instances; what is kept must be plain data.
const plain = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

function userById(id: string): StoredUser {
  const pos = userPos.get(id);
  if (pos === undefined) throw notFound('User', id);
  return userList[pos]!;
}

function addUser(u: StoredUser): void {
  userPos.set(u.id, userList.length);
  userList.push(u);
  userByName.set(u.userName.toLowerCase(), u.id);
}

/** `userName eq "x"`, the lookup every IdP makes before it creates someone, served from the index. */
function userNameEq(filter: SCIMMY.Types.Filter | undefined): string | undefined {
  if (!filter || filter.length !== 1) return undefined;
  const expr = filter[0] as Record<string, unknown>;
  const keys = Object.keys(expr);
  if (keys.length !== 1 || keys[0]!.toLowerCase() !== 'username') return undefined;
  const cmp = expr[keys[0]!];
  return Array.isArray(cmp) && cmp.length === 2 && String(cmp[0]).toLowerCase() === 'eq' && typeof cmp[1] === 'string' ? cmp[1] : undefined;
}

/**
 * One page of the list as a sparse array as long as the list: scimmy turns every element
 * into a schema instance before it pages (0.3 ms each), while Array#map skips holes, so only
 * the page is converted and totalResults (the array's length) stays right.
 */
function sparsePage<T>(all: T[], constraints: { startIndex?: number; count?: number } | undefined): T[] {
  const start = Math.max(constraints?.startIndex ?? 1, 1) - 1;
  const count = constraints?.count ?? 20;
  const page = new Array<T>(all.length);
  for (let i = start; i < Math.min(start + count, all.length); i++) page[i] = all[i]!;
  return page;
}

function declareResources(): void {
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .egress((resource: SCIMMY.Resources.User) => {
      if (resource.id) return userById(resource.id);
      const name = userNameEq(resource.filter);
      if (name !== undefined) {
        const id = userByName.get(name.toLowerCase());
        return id ? [userById(id)] : [];
      }
      if (resource.filter) return resource.filter.match(userList) as StoredUser[];
      if (resource.constraints?.sortBy) return userList;
      return sparsePage(userList, resource.constraints);
    })
    .ingress((resource: SCIMMY.Resources.User, instance: SCIMMY.Schemas.User) => {
      const data = plain<Json>(instance);
      const userName = String(data.userName);
      const now = new Date().toISOString();
      const holder = userByName.get(userName.toLowerCase());
      if (resource.id) {
        const current = userById(resource.id);
        if (holder && holder !== resource.id) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${userName} is taken`);
        const next: StoredUser = { ...data, id: current.id, userName, meta: { created: current.meta.created, lastModified: now } };
        userByName.delete(current.userName.toLowerCase());
        userByName.set(userName.toLowerCase(), current.id);
        userList[userPos.get(current.id)!] = next;
        return next;
      }
      if (holder) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${userName} is taken`);
      const created: StoredUser = { ...data, id: crypto.randomUUID(), userName, meta: { created: now, lastModified: now } };
      addUser(created);
      return created;
    })
    .degress((resource: SCIMMY.Resources.User) => {
      const u = userById(resource.id!);
      // Rare in the benchmark, so the O(n) reindex of the list is acceptable.
      userList.splice(userPos.get(u.id)!, 1);
      userPos.clear();
      userList.forEach((x, i) => userPos.set(x.id, i));
      userByName.delete(u.userName.toLowerCase());
    });

  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .egress((resource: SCIMMY.Resources.Group) => {
      if (resource.id) {
        const g = groups.get(resource.id);
        if (!g) throw notFound('Group', resource.id);
        return g;
      }
      const all = [...groups.values()];
      return resource.filter ? (resource.filter.match(all) as StoredGroup[]) : all;
    })
    .ingress((resource: SCIMMY.Resources.Group, instance: SCIMMY.Schemas.Group) => {
      const data = plain<Json>(instance);
      const now = new Date().toISOString();
      const current = resource.id ? groups.get(resource.id) : undefined;
      if (resource.id && !current) throw notFound('Group', resource.id);
      const g: StoredGroup = {
        ...data,
        id: current?.id ?? crypto.randomUUID(),
        displayName: String(data.displayName),
        meta: { created: current?.meta.created ?? now, lastModified: now },
      };
      groups.set(g.id, g);
      return g;
    })
    .degress((resource: SCIMMY.Resources.Group) => {
      if (!groups.delete(resource.id!)) throw notFound('Group', resource.id!);
    });
}

/** Users as the app's seed makes them: `${prefix}${i}@bulk.example`, active, one work email. */
function seedUsers(prefix: string, count: number): string[] {
  const ids: string[] = [];
  const base = Date.now();
  for (let i = 0; i < count; i++) {
    const userName = `${prefix}${i}@bulk.example`;
    const at = new Date(base + i).toISOString();
    const u: StoredUser = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: crypto.randomUUID(),
      userName,
      name: { givenName: `${prefix}${i}`, familyName: 'Bulk' },
      emails: [{ value: userName, type: 'work', primary: true }],
      active: true,
      meta: { created: at, lastModified: at },
    };
    addUser(u);
    ids.push(u.id);
  }
  return ids;
}

/** Express 5 parses req.query afresh on every read, so scimmy-routers' cast to numbers is lost: pin it. */
function pinQuery(req: Request, _res: Response, next: NextFunction): void {
  const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  for (const key of ['startIndex', 'count']) {
    const v = query[key];
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) query[key] = Number(v);
  }
  Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
  next();
}

function buildBaseline(): express.Express {
  declareResources();
  const app = express();
  // The harness's own controls: seeding and putting groups back between runs (never measured).
  const control = express.Router();
  control.use(express.json({ limit: '50mb' }));
  control.get('/ready', (_req, res) => {
    res.json({ users: userList.length, groups: groups.size });
  });
  control.post('/seed', (req, res) => {
    const { prefix, count } = req.body as { prefix: string; count: number };
    res.json({ ids: seedUsers(prefix, count) });
  });
  control.post('/checkpoint', (_req, res) => {
    for (const g of groups.values()) groupCheckpoints.set(g.id, g.members ? [...g.members] : undefined);
    res.status(204).end();
  });
  control.post('/restore', (_req, res) => {
    for (const [id, members] of groupCheckpoints) {
      const g = groups.get(id);
      if (g) g.members = members ? [...members] : undefined;
    }
    res.status(204).end();
  });
  app.use('/bench', control);
  app.use('/scim/v2', pinQuery);
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => {
        if (req.header('authorization') !== `Bearer ${TOKEN}`) throw new Error('Bearer token required');
        return 'bench';
      },
    }),
  );
  return app;
}

function main(): void {
  const server = buildBaseline().listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
  });
  server.keepAliveTimeout = 65_000;
  // The harness holds our stdin: when it dies, so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

if (require.main === module) main();
