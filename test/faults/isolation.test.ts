// Tenant isolation against a real `mspbridge serve` (SQLite and PostgreSQL): company A's SCIM token,
// and A's people on the REST API, aimed at every endpoint with company B's ids, names, $refs and
// versions — B1 managed by the same MSP as A, B2 by another MSP. B's rows must not change, A must
// learn nothing about B (every attack is replayed with made-up "ghost" ids and names and must get
// the same answer, so not even the existence of an id leaks), and nothing answers 5xx.
import crypto from 'node:crypto';
import { type Db, migrateLatest, openDb } from '../../src/db/knex';
import { getMemberAnyState } from '../../src/db/members.repo';
import { createApiToken, launchCompany, startSession } from '../../src/domain/access';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { addManualMember } from '../../src/domain/members';
import { createScimToken } from '../../src/domain/scimTokens';
import { createVault } from '../../src/domain/vaults';
import { REDIS_URL } from '../helpers/app';
import { asActor, asOp } from '../helpers/ctx';
import { DIALECTS, type Dialect, testDbUrl } from '../helpers/db';
import { type Proc, record, spawnMode, tally } from './harness';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PUBLIC_URL = 'http://bridge.isolation.test';

// ---------------------------------------------------------------------------------------------
// HTTP

interface Sent {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Reply {
  status: number;
  text: string;
  json: unknown;
  contentType: string;
}

async function send(base: string, auth: Record<string, string>, s: Sent, contentType: string): Promise<Reply> {
  const res = await fetch(`${base}${s.path}`, {
    method: s.method,
    headers: { ...auth, ...(s.body !== undefined ? { 'content-type': contentType } : {}), ...s.headers },
    body: s.body === undefined ? undefined : JSON.stringify(s.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, contentType: res.headers.get('content-type') ?? '' };
}

// ---------------------------------------------------------------------------------------------
// Tenants: what an attack aims at is either company B's real data or a ghost of the same shape.

interface Tenant {
  label: string;
  accountId: string;
  mspId: string;
  token: string;
  tokenId: string;
  nonce: string;
  users: string[];
  userNames: string[];
  emails: string[];
  externalIds: string[];
  familyNames: string[];
  displayNames: string[];
  groups: string[];
  groupNames: string[];
  groupExternalIds: string[];
  userEtag: string;
  groupEtag: string;
  manualMember: string;
  vault: string;
  mapping: string;
}

const uuid = () => crypto.randomUUID();

function names(tag: string, nonce: string) {
  const u = [0, 1, 2];
  return {
    userNames: u.map((i) => `${tag}u${i}.${nonce}@${tag}.example`),
    emails: u.map((i) => `${tag}u${i}.${nonce}@mail.${tag}.example`),
    externalIds: u.map((i) => `${tag}-ext-u${i}-${nonce}`),
    familyNames: u.map((i) => `${tag}family${i}${nonce}`),
    displayNames: u.map((i) => `${tag} person ${i} ${nonce}`),
    groupNames: [0, 1].map((i) => `${tag} group ${i} ${nonce}`),
    groupExternalIds: [0, 1].map((i) => `${tag}-ext-g${i}-${nonce}`),
  };
}

/** A ghost of a tenant: same shape, made-up ids and names that exist nowhere. */
function ghostOf(t: Tenant): Tenant {
  const nonce = crypto.randomBytes(4).toString('hex');
  return {
    ...t,
    ...names('ghost', nonce),
    label: `ghost of ${t.label}`,
    accountId: uuid(),
    mspId: uuid(),
    tokenId: uuid(),
    nonce,
    users: t.users.map(uuid),
    groups: t.groups.map(uuid),
    manualMember: uuid(),
    vault: uuid(),
    mapping: uuid(),
  };
}

/** The strings of B a response to A must never carry (unless A itself sent them, for errors). */
function secretsOf(t: Tenant, includeMsp: boolean): string[] {
  return [
    t.accountId,
    ...(includeMsp ? [t.mspId] : []),
    t.tokenId,
    t.nonce,
    ...t.users,
    ...t.groups,
    ...t.userNames,
    ...t.emails,
    ...t.externalIds,
    ...t.familyNames,
    ...t.displayNames,
    ...t.groupNames,
    ...t.groupExternalIds,
    t.manualMember,
    t.vault,
    t.mapping,
  ];
}

/** Pairs (ghost string -> real string), to read a ghost's answer as if it were about B. */
function pairs(ghost: Tenant, real: Tenant): Array<[string, string]> {
  const keys: Array<keyof Tenant> = [
    'accountId',
    'mspId',
    'tokenId',
    'nonce',
    'users',
    'groups',
    'userNames',
    'emails',
    'externalIds',
    'familyNames',
    'displayNames',
    'groupNames',
    'groupExternalIds',
    'manualMember',
    'vault',
    'mapping',
  ];
  const out: Array<[string, string]> = [];
  for (const k of keys) {
    const g = ghost[k];
    const r = real[k];
    if (Array.isArray(g) && Array.isArray(r)) g.forEach((v, i) => out.push([String(v), String(r[i])]));
    else out.push([String(g), String(r)]);
  }
  for (const [g, r] of [...out]) if (g.toUpperCase() !== g) out.push([g.toUpperCase(), r.toUpperCase()]);
  return out.sort((x, y) => y[0].length - x[0].length);
}

function translate(text: string, map: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of map) out = out.split(from).join(to);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The world: two MSPs, company A and B1 under MSP 1, B2 under MSP 2, people pushed over SCIM.

interface World {
  db: Db;
  serve: Proc;
  base: string;
  msp1: { id: string; ownerId: string };
  a: Tenant;
  aGroupMembers: string[][];
  aVault: string;
  bs: Array<{ t: Tenant; sameMsp: boolean }>;
  drop(): Promise<void>;
}

async function scim(base: string, token: string, s: Sent): Promise<Reply> {
  return send(`${base}/scim/v2`, { authorization: `Bearer ${token}` }, s, 'application/scim+json');
}

async function pushTenant(db: Db, base: string, label: string, tag: string, mspId: string): Promise<Tenant> {
  const company = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: `${label} ${tag}`, country: 'DE', seats: 100 }));
  const { token, id: tokenId } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
  const nonce = crypto.randomBytes(4).toString('hex');
  const n = names(tag, nonce);
  const users: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await scim(base, token, {
      method: 'POST',
      path: '/Users',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
        userName: n.userNames[i],
        externalId: n.externalIds[i],
        displayName: n.displayNames[i],
        name: { givenName: `${tag}given${i}`, familyName: n.familyNames[i] },
        emails: [{ value: n.emails[i], type: 'work', primary: true }],
        active: true,
        [ENTERPRISE]: { employeeNumber: `${tag}-${i}-${nonce}`, department: `${tag} dept` },
      },
    });
    if (r.status !== 201) throw new Error(`push user ${label}: ${r.status} ${r.text}`);
    users.push((r.json as { id: string }).id);
  }
  const groups: string[] = [];
  const memberSets = [
    [users[0]!, users[1]!],
    [users[1]!, users[2]!],
  ];
  for (let j = 0; j < 2; j++) {
    const r = await scim(base, token, {
      method: 'POST',
      path: '/Groups',
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: n.groupNames[j],
        externalId: n.groupExternalIds[j],
        members: memberSets[j]!.map((value) => ({ value })),
      },
    });
    if (r.status !== 201) throw new Error(`push group ${label}: ${r.status} ${r.text}`);
    groups.push((r.json as { id: string }).id);
  }
  // Versions above 1, as a real IdP's resources have.
  const pu = await scim(base, token, {
    method: 'PATCH',
    path: `/Users/${users[0]}`,
    body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `${tag} boss` }] },
  });
  const pg = await scim(base, token, {
    method: 'PATCH',
    path: `/Groups/${groups[0]}`,
    body: { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: users[2] }] }] },
  });
  if (pu.status !== 200 || pg.status !== 204) throw new Error(`versions ${label}: ${pu.status} ${pg.status}`);
  const userEtag = (await scim(base, token, { method: 'GET', path: `/Users/${users[0]}` })).json as { meta: { version: string } };
  const groupEtag = (await scim(base, token, { method: 'GET', path: `/Groups/${groups[0]}` })).json as { meta: { version: string } };
  const manual = await asOp(db, (ctx) =>
    addManualMember(ctx, { accountId: company.id, email: `${tag}manual.${nonce}@${tag}.example`, group: 'Owners', state: 'active' }),
  );
  const vault = await asOp(db, (ctx) => createVault(ctx, { accountId: company.id, name: `${tag} vault ${nonce}` }));
  const mapping = (await db('group_mappings').where({ account_id: company.id }).first()) as { id: string } | undefined;
  return {
    label,
    accountId: company.id,
    mspId,
    token,
    tokenId,
    nonce,
    users,
    groups,
    ...n,
    userEtag: userEtag.meta.version,
    groupEtag: groupEtag.meta.version,
    manualMember: manual.id,
    vault: vault.id,
    mapping: mapping?.id ?? uuid(),
  };
}

async function buildWorld(dialect: Dialect): Promise<World> {
  const { url, drop } = testDbUrl(dialect);
  const db = openDb({ url, poolMax: 2 });
  await migrateLatest(db);
  const serve = await spawnMode('serve', {
    DATABASE_URL: url,
    REDIS_URL,
    QUEUE_PREFIX: `iso-${crypto.randomBytes(4).toString('hex')}`,
    SECRET_KEY: 'isolation-secret-key-0123456789-abcdefghij',
    PUBLIC_URL,
    SCIM_RATE_PER_TOKEN: '100000',
    SCIM_AUTH_FAILURES_PER_MINUTE: '100000',
  });
  const base = serve.url!;
  const m1 = await asOp(db, (ctx) => createMsp(ctx, { name: 'Isolation MSP One', region: 'eu', ownerEmail: 'owner@msp1.example' }, ['eu']));
  const m2 = await asOp(db, (ctx) => createMsp(ctx, { name: 'Isolation MSP Two', region: 'eu', ownerEmail: 'owner@msp2.example' }, ['eu']));
  const a = await pushTenant(db, base, 'A', 'alpha', m1.account.id);
  const b1 = await pushTenant(db, base, 'B1 (same MSP)', 'bravo', m1.account.id);
  const b2 = await pushTenant(db, base, 'B2 (other MSP)', 'charlie', m2.account.id);
  const aGroupMembers = [];
  for (const g of a.groups) {
    const rows = (await db('idp_group_members').where({ account_id: a.accountId, group_id: g }).select('member_id')) as Array<{ member_id: string }>;
    aGroupMembers.push(rows.map((r) => r.member_id).sort());
  }
  return {
    db,
    serve,
    base,
    msp1: { id: m1.account.id, ownerId: m1.ownerId },
    a,
    aGroupMembers,
    aVault: a.vault,
    bs: [
      { t: b1, sameMsp: true },
      { t: b2, sameMsp: false },
    ],
    drop,
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshots of everything that belongs to an account.

const ACCOUNT_TABLES = [
  'members',
  'groups',
  'memberships',
  'scim_tokens',
  'oauth_clients',
  'api_tokens',
  'sessions',
  'signin_links',
  'launch_sessions',
  'idp_groups',
  'idp_group_members',
  'group_mappings',
  'held_changes',
  'link_requests',
  'invitations',
  'recovery_requests',
  'vaults',
  'vault_access',
  'items',
  'audit_events',
  'outbox',
  'email_deliveries',
  'scim_requests',
];

type Snapshot = Record<string, string[]>;

async function snapshot(db: Db, accountId: string, mspId?: string): Promise<Snapshot> {
  const rows = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
  const out: Snapshot = { accounts: rows(await db('accounts').where({ id: accountId }).select('*')) };
  for (const t of ACCOUNT_TABLES) out[t] = rows(await db(t).where({ account_id: accountId }).select('*'));
  if (mspId) {
    // The other MSP: its own account, people and its audit roll-up.
    out['msp:accounts'] = rows(await db('accounts').where({ id: mspId }).select('*'));
    out['msp:members'] = rows(await db('members').where({ account_id: mspId }).select('*'));
    out['msp:audit_rollup'] = rows(await db('audit_events').where({ msp_id: mspId }).select('*'));
  }
  return out;
}

function diffSnapshots(before: Snapshot, after: Snapshot): { rows: number; changed: number; detail: string[] } {
  let rows = 0;
  let changed = 0;
  const detail: string[] = [];
  for (const k of Object.keys(before)) {
    const b = new Set(before[k]);
    const a = new Set(after[k]);
    rows += b.size;
    const gone = [...b].filter((r) => !a.has(r));
    const added = [...a].filter((r) => !b.has(r));
    changed += Math.max(gone.length, added.length);
    if (gone.length || added.length) detail.push(`${k}: -${gone.length} +${added.length} ${[...gone, ...added].slice(0, 2).join(' | ').slice(0, 400)}`);
  }
  return { rows, changed, detail };
}

/** Rows that tie one account's thing to another account's (never legitimate). */
async function crossAccountRows(db: Db): Promise<number> {
  const q = async (sql: string) => {
    const r = (await db.raw(sql)) as { rows?: Array<{ n: unknown }> } | Array<{ n: unknown }>;
    return Number((Array.isArray(r) ? r : (r.rows ?? []))[0]?.n ?? 0);
  };
  const checks = [
    'select count(*) as n from idp_group_members gm join members m on m.id = gm.member_id where m.account_id <> gm.account_id',
    'select count(*) as n from idp_group_members gm join idp_groups g on g.id = gm.group_id where g.account_id <> gm.account_id',
    'select count(*) as n from memberships ms join members m on m.id = ms.member_id where m.account_id <> ms.account_id',
    'select count(*) as n from memberships ms join groups g on g.id = ms.group_id where g.account_id <> ms.account_id',
    'select count(*) as n from group_mappings gm join groups g on g.id = gm.group_id where g.account_id <> gm.account_id',
    'select count(*) as n from group_mappings gm join idp_groups g on g.id = gm.idp_group_id where g.account_id <> gm.account_id',
    'select count(*) as n from vault_access va join vaults v on v.id = va.vault_id where v.account_id <> va.account_id',
    'select count(*) as n from vault_access va join members m on m.id = va.member_id where m.account_id <> va.account_id',
    'select count(*) as n from items i join vaults v on v.id = i.vault_id where v.account_id <> i.account_id',
    'select count(*) as n from recovery_requests r join members m on m.id = r.member_id where m.account_id <> r.account_id',
    'select count(*) as n from invitations i join members m on m.id = i.member_id where m.account_id <> i.account_id',
  ];
  let n = 0;
  for (const c of checks) n += await q(c);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The attacks. `make` builds the request from a target (B or its ghost) and A's own fixture.

type Expect =
  | 'notFound' // 404 SCIM error
  | 'empty' // 200 ListResponse with no resource
  | 'aOnly' // 200 ListResponse of A's resources only
  | 'invalid' // 400 SCIM error
  | 'noop' // 204 on A's own resource, nothing of B touched
  | 'created' // 201 of an A resource
  | 'ok' // 200 on A's own resource
  | { bulk: number[] }; // 200 BulkResponse with these per-operation statuses

interface Attack {
  name: string;
  expect: Expect;
  /** The answer may carry B's strings that A itself sent (e.g. a user created in A with B's userName). */
  echo?: boolean;
  /** Compare only statuses with the ghost's answer (the answer names fresh A resources). */
  statusOnly?: boolean;
  make(t: Tenant, a: Tenant, n: number): Sent;
}

const q = encodeURIComponent;
const patch = (...ops: unknown[]) => ({ schemas: [PATCH], Operations: ops });
const list = (resource: 'Users' | 'Groups', filter: string, extra = '') => `/${resource}?filter=${q(filter)}${extra}`;
const search = (filter: string, extra: Record<string, unknown> = {}) => ({ schemas: [SEARCH], filter, ...extra });
const bulk = (ops: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [BULK], Operations: ops, ...extra });
const alphaUser = (n: number, extra: Record<string, unknown> = {}) => ({
  userName: `alpha-probe-${n}@alpha.example`,
  name: { familyName: 'Probe' },
  emails: [{ value: `alpha-probe-${n}@alpha.example`, primary: true }],
  ...extra,
});
const userRef = (id: string) => `${PUBLIC_URL}/scim/v2/Users/${id}`;

function scimAttacks(): Attack[] {
  const out: Attack[] = [];
  for (const i of [0, 1]) {
    const u = (t: Tenant) => t.users[i]!;
    out.push(
      { name: `GET /Users/{B user ${i}}`, expect: 'notFound', make: (t) => ({ method: 'GET', path: `/Users/${u(t)}` }) },
      {
        name: `GET /Users/{B user ${i}}?attributes`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Users/${u(t)}?attributes=userName,emails,groups,${q(ENTERPRISE)}:employeeNumber` }),
      },
      {
        name: `GET /Users/{B user ${i}}?excludedAttributes`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Users/${u(t)}?excludedAttributes=name,groups` }),
      },
      {
        name: `GET /Users/{B user ${i}} If-None-Match B's version`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Users/${u(t)}`, headers: { 'if-none-match': t.userEtag } }),
      },
      { name: `GET /Users/{B user ${i} upper-cased}`, expect: 'notFound', make: (t) => ({ method: 'GET', path: `/Users/${u(t).toUpperCase()}` }) },
      {
        name: `PUT /Users/{B user ${i}}`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PUT',
          path: `/Users/${u(t)}`,
          body: { userName: t.userNames[i], emails: [{ value: t.emails[i], primary: true }], active: false },
        }),
      },
      {
        name: `PUT /Users/{B user ${i}} If-Match B's version`,
        expect: 'notFound',
        make: (t) => ({ method: 'PUT', path: `/Users/${u(t)}`, body: { userName: t.userNames[i] }, headers: { 'if-match': t.userEtag } }),
      },
      {
        name: `PATCH /Users/{B user ${i}} active=false`,
        expect: 'notFound',
        make: (t) => ({ method: 'PATCH', path: `/Users/${u(t)}`, body: patch({ op: 'replace', path: 'active', value: false }) }),
      },
      {
        name: `PATCH /Users/{B user ${i}} path-less (Okta)`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PATCH',
          path: `/Users/${u(t)}?attributes=userName`,
          body: patch({ op: 'Replace', value: { active: 'False', displayName: 'taken over' } }),
        }),
      },
      {
        name: `PATCH /Users/{B user ${i}} If-Match B's version`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PATCH',
          path: `/Users/${u(t)}`,
          body: patch({ op: 'replace', path: 'title', value: 'x' }),
          headers: { 'if-match': t.userEtag },
        }),
      },
      {
        name: `PATCH /Users/{B user ${i}} If-Match a wrong version (412 would tell it exists)`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PATCH',
          path: `/Users/${u(t)}`,
          body: patch({ op: 'replace', path: 'title', value: 'x' }),
          headers: { 'if-match': 'W/"9999"' },
        }),
      },
      { name: `DELETE /Users/{B user ${i}}`, expect: 'notFound', make: (t) => ({ method: 'DELETE', path: `/Users/${u(t)}` }) },
      {
        name: `DELETE /Users/{B user ${i}} If-Match B's version`,
        expect: 'notFound',
        make: (t) => ({ method: 'DELETE', path: `/Users/${u(t)}`, headers: { 'if-match': t.userEtag } }),
      },
      { name: `GET /Users?filter=id eq B user ${i}`, expect: 'empty', make: (t) => ({ method: 'GET', path: list('Users', `id eq "${u(t)}"`) }) },
      { name: `GET /Users?filter=userName eq B's`, expect: 'empty', make: (t) => ({ method: 'GET', path: list('Users', `userName eq "${t.userNames[i]}"`) }) },
      {
        name: `GET /Users?filter=userName eq B's, upper-cased`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `userName eq "${t.userNames[i]!.toUpperCase()}"`) }),
      },
      {
        name: `GET /Users?filter=userName sw/co B's`,
        expect: 'empty',
        make: (t) => ({
          method: 'GET',
          path: list('Users', `userName sw "${t.userNames[i]!.slice(0, 10)}" or userName co "${t.nonce}" or userName ew "${t.userNames[i]!.slice(-14)}"`),
        }),
      },
      {
        name: `GET /Users?filter=externalId eq B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `externalId eq "${t.externalIds[i]}"`) }),
      },
      {
        name: `GET /Users?filter=emails.value eq B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `emails.value eq "${t.emails[i]}"`) }),
      },
      {
        name: `GET /Users?filter=emails[type eq work and value co B's]`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `emails[type eq "work" and value co "${t.nonce}"]`) }),
      },
      { name: `GET /Users?filter=emails co B's nonce`, expect: 'empty', make: (t) => ({ method: 'GET', path: list('Users', `emails co "${t.nonce}"`) }) },
      {
        name: `GET /Users?filter=name.familyName / displayName eq B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `name.familyName eq "${t.familyNames[i]}" or displayName eq "${t.displayNames[i]}"`) }),
      },
      {
        name: `GET /Users?filter=enterprise employeeNumber co B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Users', `${ENTERPRISE}:employeeNumber co "${t.nonce}"`) }),
      },
      {
        name: `GET /Users?filter=id eq B user or id pr (A's only)`,
        expect: 'aOnly',
        make: (t) => ({ method: 'GET', path: list('Users', `id eq "${u(t)}" or userName pr`, '&count=1000&attributes=userName,groups') }),
      },
      {
        name: `POST /Users/.search id eq B user`,
        expect: 'empty',
        make: (t) => ({ method: 'POST', path: '/Users/.search', body: search(`id eq "${u(t)}"`, { attributes: ['userName', 'emails'] }) }),
      },
      {
        name: `POST /Users/.search userName eq B's, excludedAttributes`,
        expect: 'empty',
        make: (t) => ({
          method: 'POST',
          path: '/Users/.search',
          body: search(`userName eq "${t.userNames[i]}"`, { excludedAttributes: ['groups'], startIndex: 1, count: 1000 }),
        }),
      },
    );
  }
  out.push(
    {
      name: 'GET /Users?filter=groups.value eq B group',
      expect: 'empty',
      make: (t) => ({ method: 'GET', path: list('Users', `groups.value eq "${t.groups[0]}" or groups eq "${t.groups[1]}"`) }),
    },
    {
      name: 'GET /Users?filter=groups[value eq B group]',
      expect: 'empty',
      make: (t) => ({ method: 'GET', path: list('Users', `groups[value eq "${t.groups[0]}"]`) }),
    },
    {
      name: 'GET /Users?filter=groups.display eq B group name',
      expect: 'empty',
      make: (t) => ({ method: 'GET', path: list('Users', `groups.display eq "${t.groupNames[0]}"`) }),
    },
    {
      name: 'GET /Users?sortBy=userName&count=1000 (A only)',
      expect: 'aOnly',
      make: () => ({ method: 'GET', path: '/Users?sortBy=userName&sortOrder=descending&count=1000&startIndex=1' }),
    },
    {
      name: 'POST /Users/.search userName pr (A only)',
      expect: 'aOnly',
      make: () => ({ method: 'POST', path: '/Users/.search', body: search('userName pr', { count: 1000, attributes: ['id', 'userName', 'groups'] }) }),
    },
  );
  for (const j of [0, 1]) {
    const g = (t: Tenant) => t.groups[j]!;
    out.push(
      { name: `GET /Groups/{B group ${j}}`, expect: 'notFound', make: (t) => ({ method: 'GET', path: `/Groups/${g(t)}` }) },
      {
        name: `GET /Groups/{B group ${j}}?attributes=members`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Groups/${g(t)}?attributes=members,displayName` }),
      },
      {
        name: `GET /Groups/{B group ${j}}?excludedAttributes=members`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Groups/${g(t)}?excludedAttributes=members` }),
      },
      {
        name: `GET /Groups/{B group ${j}} If-None-Match B's version`,
        expect: 'notFound',
        make: (t) => ({ method: 'GET', path: `/Groups/${g(t)}`, headers: { 'if-none-match': t.groupEtag } }),
      },
      {
        name: `PUT /Groups/{B group ${j}}`,
        expect: 'notFound',
        make: (t, a) => ({ method: 'PUT', path: `/Groups/${g(t)}`, body: { displayName: t.groupNames[j], members: [{ value: a.users[0] }] } }),
      },
      {
        name: `PUT /Groups/{B group ${j}} If-Match B's version, no members`,
        expect: 'notFound',
        make: (t) => ({ method: 'PUT', path: `/Groups/${g(t)}`, body: { displayName: t.groupNames[j] }, headers: { 'if-match': t.groupEtag } }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} add A's user`,
        expect: 'notFound',
        make: (t, a) => ({ method: 'PATCH', path: `/Groups/${g(t)}`, body: patch({ op: 'add', path: 'members', value: [{ value: a.users[0] }] }) }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} remove members[value eq B user]`,
        expect: 'notFound',
        make: (t) => ({ method: 'PATCH', path: `/Groups/${g(t)}`, body: patch({ op: 'remove', path: `members[value eq "${t.users[1]}"]` }) }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} remove all members`,
        expect: 'notFound',
        make: (t) => ({ method: 'PATCH', path: `/Groups/${g(t)}`, body: patch({ op: 'remove', path: 'members' }) }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} path-less replace members [] (Okta)`,
        expect: 'notFound',
        make: (t) => ({ method: 'PATCH', path: `/Groups/${g(t)}`, body: patch({ op: 'replace', value: { members: [], displayName: 'emptied' } }) }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} rename, ?attributes=members`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PATCH',
          path: `/Groups/${g(t)}?attributes=members`,
          body: patch({ op: 'replace', path: 'displayName', value: 'renamed by A' }),
        }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} If-Match B's version`,
        expect: 'notFound',
        make: (t) => ({
          method: 'PATCH',
          path: `/Groups/${g(t)}`,
          body: patch({ op: 'replace', path: 'displayName', value: 'x' }),
          headers: { 'if-match': t.groupEtag },
        }),
      },
      {
        name: `PATCH /Groups/{B group ${j}} If-Match a wrong version`,
        expect: 'notFound',
        make: (t) => ({ method: 'PATCH', path: `/Groups/${g(t)}`, body: patch({ op: 'remove', path: 'members' }), headers: { 'if-match': 'W/"9999"' } }),
      },
      { name: `DELETE /Groups/{B group ${j}}`, expect: 'notFound', make: (t) => ({ method: 'DELETE', path: `/Groups/${g(t)}` }) },
      {
        name: `DELETE /Groups/{B group ${j}} If-Match B's version`,
        expect: 'notFound',
        make: (t) => ({ method: 'DELETE', path: `/Groups/${g(t)}`, headers: { 'if-match': t.groupEtag } }),
      },
      { name: `GET /Groups?filter=id eq B group ${j}`, expect: 'empty', make: (t) => ({ method: 'GET', path: list('Groups', `id eq "${g(t)}"`) }) },
      {
        name: `GET /Groups?filter=displayName eq/co B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Groups', `displayName eq "${t.groupNames[j]}" or displayName co "${t.nonce}"`) }),
      },
      {
        name: `GET /Groups?filter=externalId eq B's`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Groups', `externalId eq "${t.groupExternalIds[j]}"`, '&attributes=members') }),
      },
    );
  }
  for (const i of [0, 1, 2]) {
    const u = (t: Tenant) => t.users[i]!;
    out.push(
      {
        name: `GET /Groups?filter=members.value eq B user ${i}`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Groups', `members.value eq "${u(t)}"`) }),
      },
      {
        name: `GET /Groups?filter=members eq / members[value eq] B user ${i}`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Groups', `members eq "${u(t)}" or members[value eq "${u(t)}"]`) }),
      },
      {
        name: `GET /Groups?filter=members.display eq B user ${i}`,
        expect: 'empty',
        make: (t) => ({ method: 'GET', path: list('Groups', `members.display eq "${t.displayNames[i]}" or members.display co "${t.nonce}"`) }),
      },
      {
        name: `POST /Groups/.search members.value eq B user ${i}`,
        expect: 'empty',
        make: (t) => ({ method: 'POST', path: '/Groups/.search', body: search(`members.value eq "${u(t)}"`, { attributes: ['members'] }) }),
      },
      {
        name: `POST /Groups/.search members[value eq B user ${i}], excludedAttributes`,
        expect: 'empty',
        make: (t) => ({
          method: 'POST',
          path: '/Groups/.search',
          body: search(`members[value eq "${u(t)}"] and displayName pr`, { excludedAttributes: ['members'] }),
        }),
      },
    );
  }
  out.push(
    {
      name: 'GET /Groups?attributes=members (A only)',
      expect: 'aOnly',
      make: () => ({ method: 'GET', path: '/Groups?attributes=members,displayName&count=1000' }),
    },
    {
      name: 'GET /Groups?filter=members pr&sortBy=displayName (A only)',
      expect: 'aOnly',
      make: () => ({ method: 'GET', path: list('Groups', 'members pr', '&sortBy=displayName') }),
    },
    // Memberships of A's groups naming B's people.
    {
      name: 'POST /Groups members [{value: B user}]',
      expect: 'invalid',
      make: (t, _a, n) => ({ method: 'POST', path: '/Groups', body: { displayName: `alpha probe ${n}`, members: [{ value: t.users[0] }] } }),
    },
    {
      name: 'POST /Groups members ["B user"] (bare ids)',
      expect: 'invalid',
      make: (t, _a, n) => ({ method: 'POST', path: '/Groups', body: { displayName: `alpha probe ${n}`, members: [t.users[0]] } }),
    },
    {
      name: 'POST /Groups members [{value: B user, $ref: B user URL}]',
      expect: 'invalid',
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Groups',
        body: { displayName: `alpha probe ${n}`, members: [{ value: t.users[1], $ref: userRef(t.users[1]!), type: 'User' }] },
      }),
    },
    {
      name: 'POST /Groups members [{$ref: B user URL}] (no value)',
      expect: 'invalid',
      make: (t, _a, n) => ({ method: 'POST', path: '/Groups', body: { displayName: `alpha probe ${n}`, members: [{ $ref: userRef(t.users[1]!) }] } }),
    },
    {
      name: 'POST /Groups members [A user, B user]',
      expect: 'invalid',
      make: (t, a, n) => ({
        method: 'POST',
        path: '/Groups',
        body: { displayName: `alpha probe ${n}`, members: [{ value: a.users[0] }, { value: t.users[2] }] },
      }),
    },
    {
      name: 'POST /Groups members [{value: A user, $ref: B user URL}] ($ref is not trusted)',
      expect: 'created',
      statusOnly: true,
      make: (t, a, n) => ({
        method: 'POST',
        path: '/Groups',
        body: { displayName: `alpha probe ${n}`, members: [{ value: a.users[2], $ref: userRef(t.users[0]!) }] },
      }),
    },
    {
      name: "PATCH A's group add members [{value: B user}]",
      expect: 'invalid',
      make: (t, a) => ({ method: 'PATCH', path: `/Groups/${a.groups[0]}`, body: patch({ op: 'add', path: 'members', value: [{ value: t.users[0] }] }) }),
    },
    {
      name: "PATCH A's group Add (Entra) members [B user, A user]",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[1]}`,
        body: patch({ op: 'Add', path: 'members', value: [{ value: a.users[0] }, { value: t.users[1] }] }),
      }),
    },
    {
      name: "PATCH A's group path-less add {members: [B user]}",
      expect: 'invalid',
      make: (t, a) => ({ method: 'PATCH', path: `/Groups/${a.groups[0]}`, body: patch({ op: 'add', value: { members: [{ value: t.users[2] }] } }) }),
    },
    {
      name: "PATCH A's group add members [{value: B user, $ref: B URL}]",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[0]}`,
        body: patch({ op: 'add', path: 'members', value: [{ value: t.users[1], $ref: userRef(t.users[1]!) }] }),
      }),
    },
    {
      name: "PATCH A's group add members [{$ref: B URL}]",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[0]}`,
        body: patch({ op: 'add', path: 'members', value: [{ $ref: userRef(t.users[1]!) }] }),
      }),
    },
    {
      name: "PATCH A's group replace members [A user, B user]",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[0]}`,
        body: patch({ op: 'replace', path: 'members', value: [{ value: a.users[0] }, { value: t.users[0] }] }),
      }),
    },
    {
      name: "PATCH A's group replace members[value eq A user] with B user",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[0]}`,
        body: patch({ op: 'replace', path: `members[value eq "${a.users[0]}"]`, value: [{ value: t.users[0] }] }),
      }),
    },
    {
      name: "PATCH A's group rename + add B user (all or nothing)",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Groups/${a.groups[1]}`,
        body: patch({ op: 'replace', path: 'displayName', value: 'alpha renamed' }, { op: 'add', path: 'members', value: [{ value: t.users[0] }] }),
      }),
    },
    {
      name: "PATCH A's group remove members[value eq B user]",
      expect: 'noop',
      make: (t, a) => ({ method: 'PATCH', path: `/Groups/${a.groups[0]}`, body: patch({ op: 'remove', path: `members[value eq "${t.users[0]}"]` }) }),
    },
    {
      name: "PATCH A's group remove members value [B user] (Entra)",
      expect: 'noop',
      make: (t, a) => ({ method: 'PATCH', path: `/Groups/${a.groups[0]}`, body: patch({ op: 'Remove', path: 'members', value: [{ value: t.users[1] }] }) }),
    },
    {
      name: "PATCH A's group remove members[display eq B person]",
      expect: 'noop',
      make: (t, a) => ({ method: 'PATCH', path: `/Groups/${a.groups[0]}`, body: patch({ op: 'remove', path: `members[display eq "${t.displayNames[0]}"]` }) }),
    },
    {
      name: "PUT A's group with [A user, B user]",
      expect: 'invalid',
      make: (t, a) => ({
        method: 'PUT',
        path: `/Groups/${a.groups[0]}`,
        body: {
          displayName: a.groupNames[0],
          externalId: a.groupExternalIds[0],
          members: [{ value: a.users[0] }, { value: a.users[1] }, { value: t.users[0] }],
        },
      }),
    },
    {
      name: "PUT A's group with [B user] only",
      expect: 'invalid',
      make: (t, a) => ({ method: 'PUT', path: `/Groups/${a.groups[1]}`, body: { displayName: a.groupNames[1], members: [{ value: t.users[1] }] } }),
    },
    {
      name: "PATCH A's user add groups [B group] (groups is read-only)",
      expect: 'ok',
      make: (t, a) => ({
        method: 'PATCH',
        path: `/Users/${a.users[2]}`,
        body: patch({ op: 'add', value: { groups: [{ value: t.groups[0] }], title: 'alpha' } }),
      }),
    },
    // Bulk.
    {
      name: "Bulk: B's ids as paths (DELETE/PUT/PATCH Users and Groups)",
      expect: { bulk: [404, 404, 404, 404, 404, 404] },
      make: (t, a) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'DELETE', path: `/Users/${t.users[0]}` },
          { method: 'PUT', path: `/Users/${t.users[1]}`, data: { userName: t.userNames[1], active: false } },
          { method: 'PATCH', path: `/Users/${t.users[2]}`, data: patch({ op: 'replace', path: 'active', value: false }) },
          { method: 'DELETE', path: `/Groups/${t.groups[1]}` },
          { method: 'PATCH', path: `/Groups/${t.groups[0]}`, data: patch({ op: 'add', path: 'members', value: [{ value: a.users[0] }] }) },
          { method: 'PUT', path: `/Groups/${t.groups[0]}`, data: { displayName: 'x', members: [] } },
        ]),
      }),
    },
    {
      name: "Bulk: B's versions on B's ids",
      expect: { bulk: [404, 404, 404] },
      make: (t) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'DELETE', path: `/Groups/${t.groups[0]}`, version: t.groupEtag },
          { method: 'PUT', path: `/Users/${t.users[0]}`, version: t.userEtag, data: { userName: t.userNames[0] } },
          { method: 'PATCH', path: `/Users/${t.users[0]}`, version: 'W/"9999"', data: patch({ op: 'replace', path: 'active', value: false }) },
        ]),
      }),
    },
    {
      name: 'Bulk: bulkId-created A user put into a B group',
      expect: { bulk: [201, 404] },
      statusOnly: true,
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'POST', path: '/Users', bulkId: 'nu', data: alphaUser(n) },
          { method: 'PATCH', path: `/Groups/${t.groups[0]}`, data: patch({ op: 'add', path: 'members', value: [{ value: 'bulkId:nu' }] }) },
        ]),
      }),
    },
    {
      name: 'Bulk: new A group with a bulkId member and a B member',
      expect: { bulk: [201, 400] },
      statusOnly: true,
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'POST', path: '/Users', bulkId: 'nu', data: alphaUser(n) },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'ng',
            data: { displayName: `alpha bulk ${n}`, members: [{ value: 'bulkId:nu' }, { value: t.users[0], $ref: userRef(t.users[0]!) }] },
          },
        ]),
      }),
    },
    {
      name: "Bulk: data.members naming B's users (POST, PATCH, PUT of A's groups)",
      expect: { bulk: [400, 400, 400] },
      make: (t, a, n) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: `alpha bulk ${n}`, members: [{ value: t.users[1] }] } },
          { method: 'PATCH', path: `/Groups/${a.groups[0]}`, data: patch({ op: 'add', path: 'members', value: [{ value: t.users[2] }] }) },
          { method: 'PUT', path: `/Groups/${a.groups[1]}`, data: { displayName: a.groupNames[1], members: [{ value: t.users[0] }] } },
        ]),
      }),
    },
    {
      name: "Bulk: bulkId references that are B's ids (unresolvable)",
      expect: { bulk: [404, 409] },
      make: (t) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([
          { method: 'PATCH', path: `/Users/bulkId:${t.users[0]}`, data: patch({ op: 'replace', path: 'active', value: false }) },
          {
            method: 'PATCH',
            path: `/Groups/${encodeURIComponent(t.groups[1]!)}`,
            data: patch({ op: 'add', path: 'members', value: [{ value: `bulkId:${t.users[1]}` }] }),
          },
        ]),
      }),
    },
    {
      name: 'Bulk: failOnErrors=1 with a B id first',
      expect: { bulk: [404] },
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk(
          [
            { method: 'DELETE', path: `/Users/${t.users[0]}` },
            { method: 'POST', path: '/Users', bulkId: 'x', data: alphaUser(n) },
          ],
          { failOnErrors: 1 },
        ),
      }),
    },
    {
      name: "Bulk: A user created with B's group in groups (read-only, ignored)",
      expect: { bulk: [201] },
      statusOnly: true,
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Bulk',
        body: bulk([{ method: 'POST', path: '/Users', bulkId: 'u', data: alphaUser(n, { groups: [{ value: t.groups[0] }] }) }]),
      }),
    },
  );
  return out;
}

/** Last: A may use B's names for its own people and groups (separate namespaces, no 409 oracle). */
function namespaceProbes(): Attack[] {
  return [
    {
      name: "POST /Users with B's userName",
      expect: 'created',
      echo: true,
      statusOnly: true,
      make: (t) => ({ method: 'POST', path: '/Users', body: { userName: t.userNames[0] } }),
    },
    {
      name: "POST /Users with B's externalId and email",
      expect: 'created',
      echo: true,
      statusOnly: true,
      make: (t, _a, n) => ({
        method: 'POST',
        path: '/Users',
        body: { userName: `alpha-ns-${n}@alpha.example`, externalId: t.externalIds[1], emails: [{ value: t.emails[1], primary: true }] },
      }),
    },
    {
      name: "POST /Groups with B's displayName and externalId",
      expect: 'created',
      echo: true,
      statusOnly: true,
      make: (t) => ({ method: 'POST', path: '/Groups', body: { displayName: t.groupNames[0], externalId: t.groupExternalIds[0] } }),
    },
    {
      name: "GET /Users?filter=userName eq B's (finds A's namesake only)",
      expect: 'aOnly',
      echo: true,
      make: (t) => ({ method: 'GET', path: list('Users', `userName eq "${t.userNames[0]}"`) }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Checking one answer.

interface Outcome {
  attempts: number;
  statuses: number[];
  problems: string[];
  leaks: number;
  oracleMismatches: number;
}

function secretsIn(text: string, secrets: string[], sent: Sent): string[] {
  const lower = text.toLowerCase();
  const request = `${sent.path} ${JSON.stringify(sent.body ?? null)} ${JSON.stringify(sent.headers ?? {})}`.toLowerCase();
  const requestDecoded = (() => {
    try {
      return decodeURIComponent(request);
    } catch {
      return request;
    }
  })();
  return secrets.filter((s) => lower.includes(s.toLowerCase()) && !request.includes(s.toLowerCase()) && !requestDecoded.includes(s.toLowerCase()));
}

function checkScim(at: Attack, sent: Sent, r: Reply, secrets: string[] | undefined, bIds: Set<string>): string[] {
  const p: string[] = [];
  const where = `${at.name}: ${sent.method} ${sent.path.slice(0, 160)} -> ${r.status} ${r.text.slice(0, 300)}`;
  if (r.status >= 500) p.push(`5xx ${where}`);
  if (r.status >= 400) {
    const b = r.json as { schemas?: string[]; status?: string } | undefined;
    if (!b?.schemas?.includes(ERROR) || b.status !== String(r.status) || !r.contentType.startsWith('application/scim+json'))
      p.push(`not a SCIM error body ${where}`);
  }
  const e = at.expect;
  const body = r.json as { totalResults?: number; Resources?: Array<{ id: string }>; Operations?: Array<{ status: string; location?: string }> } | undefined;
  if (e === 'notFound' && r.status !== 404) p.push(`expected 404 ${where}`);
  if (e === 'invalid' && r.status !== 400) p.push(`expected 400 ${where}`);
  if (e === 'noop' && r.status !== 204) p.push(`expected 204 ${where}`);
  if (e === 'created' && r.status !== 201) p.push(`expected 201 ${where}`);
  if (e === 'ok' && r.status !== 200) p.push(`expected 200 ${where}`);
  if (e === 'empty' && (r.status !== 200 || body?.totalResults !== 0 || body.Resources?.length !== 0)) p.push(`expected an empty list ${where}`);
  if (e === 'aOnly' && (r.status !== 200 || !Array.isArray(body?.Resources) || body.Resources.some((x) => bIds.has(x.id))))
    p.push(`expected a list of A's resources ${where}`);
  if (typeof e === 'object') {
    const got = (body?.Operations ?? []).map((o) => Number(o.status));
    if (r.status !== 200 || JSON.stringify(got) !== JSON.stringify(e.bulk))
      p.push(`expected Bulk ${JSON.stringify(e.bulk)}, got ${JSON.stringify(got)} ${where}`);
    for (const o of body?.Operations ?? []) if (o.location && [...bIds].some((id) => o.location!.includes(id))) p.push(`Bulk location names B ${where}`);
  }
  if (secrets) {
    // A successful answer about A's own things carries nothing of B; an error (or a Bulk answer,
    // or a deliberate namesake) may echo what A sent, and nothing else of B.
    const strict = r.status >= 200 && r.status < 300 && typeof e !== 'object' && !at.echo;
    const found = strict ? secrets.filter((s) => r.text.toLowerCase().includes(s.toLowerCase())) : secretsIn(r.text, secrets, sent);
    if (found.length) p.push(`LEAK of ${found.slice(0, 3).join(', ')} ${where}`);
  }
  return p;
}

/** The shape of an answer that must not differ between B's real ids and a ghost's. */
function signature(r: Reply, statusOnly: boolean, map?: Array<[string, string]>): string {
  const b = r.json as
    | {
        scimType?: string;
        detail?: string;
        Operations?: Array<{ status: string; response?: { scimType?: string; detail?: string } }>;
        totalResults?: number;
        error?: { code?: string; message?: string };
      }
    | undefined;
  const tr = (s: string | undefined) => (map && s !== undefined ? translate(s, map) : s);
  if (b?.Operations) return JSON.stringify(b.Operations.map((o) => [o.status, o.response?.scimType, statusOnly ? undefined : tr(o.response?.detail)]));
  if (statusOnly) return String(r.status);
  if (b?.error) return JSON.stringify([r.status, b.error.code, tr(b.error.message)]);
  return JSON.stringify([r.status, b?.scimType, tr(b?.detail), b?.totalResults]);
}

// ---------------------------------------------------------------------------------------------
// The REST API: A's Owner (console session) and MSP 1's Owner (API token, and launched into A).

interface RestAttack {
  name: string;
  who: 'aOwner' | 'mspBot' | 'launchedA';
  /** Only against a company of another MSP (MSP 1 legitimately manages B1). */
  otherMspOnly?: boolean;
  /** 2xx allowed (an act on A's own data that must not touch B, e.g. a dry-run mapping). */
  mayPass?: boolean;
  make(t: Tenant, aId: string, aVault: string): Sent;
}

function restAttacks(): RestAttack[] {
  const out: RestAttack[] = [];
  const bPaths = [
    '',
    '/members',
    '/groups',
    '/audit',
    '/audit?format=csv',
    '/scim',
    '/scim/requests',
    '/scim/clients',
    '/vaults',
    '/mappings',
    '/mappings/drift',
    '/msp-staff',
    '/recoveries',
  ];
  for (const p of bPaths) out.push({ name: `GET /accounts/{B}${p}`, who: 'aOwner', make: (t) => ({ method: 'GET', path: `/accounts/${t.accountId}${p}` }) });
  out.push(
    {
      name: 'GET /accounts/{B}/vaults/{B vault}/items',
      who: 'aOwner',
      make: (t) => ({ method: 'GET', path: `/accounts/${t.accountId}/vaults/${t.vault}/items` }),
    },
    {
      name: 'POST /accounts/{B}/members',
      who: 'aOwner',
      make: (t) => ({ method: 'POST', path: `/accounts/${t.accountId}/members`, body: { email: 'intruder@alpha.example', group: 'Owners' } }),
    },
    {
      name: 'PATCH /accounts/{B}/settings',
      who: 'aOwner',
      make: (t) => ({ method: 'PATCH', path: `/accounts/${t.accountId}/settings`, body: { scimDeleteMode: 'remove' } }),
    },
    { name: 'POST /accounts/{B}/scim/tokens', who: 'aOwner', make: (t) => ({ method: 'POST', path: `/accounts/${t.accountId}/scim/tokens`, body: {} }) },
    {
      name: 'DELETE /accounts/{B}/scim/tokens/{B token}',
      who: 'aOwner',
      make: (t) => ({ method: 'DELETE', path: `/accounts/${t.accountId}/scim/tokens/${t.tokenId}` }),
    },
    { name: 'POST /accounts/{B}/mappings/resync', who: 'aOwner', make: (t) => ({ method: 'POST', path: `/accounts/${t.accountId}/mappings/resync` }) },
    { name: 'POST /accounts/{B}/subscribe', who: 'aOwner', make: (t) => ({ method: 'POST', path: `/accounts/${t.accountId}/subscribe` }) },
    {
      name: 'PUT /accounts/{A}/members/{B person}/groups/Administrators',
      who: 'aOwner',
      make: (t, a) => ({ method: 'PUT', path: `/accounts/${a}/members/${t.manualMember}/groups/Administrators` }),
    },
    {
      name: 'PUT /accounts/{A}/members/{B SCIM user}/groups/Owners',
      who: 'aOwner',
      make: (t, a) => ({ method: 'PUT', path: `/accounts/${a}/members/${t.users[0]}/groups/Owners` }),
    },
    {
      name: 'DELETE /accounts/{A}/members/{B person}/groups/Owners',
      who: 'aOwner',
      make: (t, a) => ({ method: 'DELETE', path: `/accounts/${a}/members/${t.manualMember}/groups/Owners` }),
    },
    {
      name: 'POST /accounts/{A}/members/{B user}/resend-invitation',
      who: 'aOwner',
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/members/${t.users[1]}/resend-invitation` }),
    },
    {
      name: 'POST /accounts/{A}/recoveries {B person}',
      who: 'aOwner',
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/recoveries`, body: { memberId: t.manualMember } }),
    },
    { name: 'GET /accounts/{A}/vaults/{B vault}/items', who: 'aOwner', make: (t, a) => ({ method: 'GET', path: `/accounts/${a}/vaults/${t.vault}/items` }) },
    {
      name: 'POST /accounts/{A}/vaults/{B vault}/items',
      who: 'aOwner',
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/vaults/${t.vault}/items`, body: { title: 'planted', category: 'login' } }),
    },
    { name: 'GET /accounts/{A}/vaults/{B vault}/access', who: 'aOwner', make: (t, a) => ({ method: 'GET', path: `/accounts/${a}/vaults/${t.vault}/access` }) },
    {
      name: 'POST /accounts/{A}/vaults/{A vault}/access {B person}',
      who: 'aOwner',
      make: (t, a, v) => ({ method: 'POST', path: `/accounts/${a}/vaults/${v}/access`, body: { memberId: t.manualMember } }),
    },
    {
      name: 'DELETE /accounts/{A}/scim/tokens/{B token}',
      who: 'aOwner',
      make: (t, a) => ({ method: 'DELETE', path: `/accounts/${a}/scim/tokens/${t.tokenId}` }),
    },
    { name: 'DELETE /accounts/{A}/mappings/{B mapping}', who: 'aOwner', make: (t, a) => ({ method: 'DELETE', path: `/accounts/${a}/mappings/${t.mapping}` }) },
    {
      name: 'POST /accounts/{A}/mappings {scimGroup: B group} dry run (A namespace)',
      who: 'aOwner',
      mayPass: true,
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/mappings`, body: { scimGroup: t.groups[0], group: 'Administrators', dryRun: true } }),
    },
    { name: 'GET /companies/{B} as a company person', who: 'aOwner', make: (t) => ({ method: 'GET', path: `/companies/${t.accountId}` }) },
    { name: 'GET /companies/{B2}', who: 'mspBot', otherMspOnly: true, make: (t) => ({ method: 'GET', path: `/companies/${t.accountId}` }) },
    {
      name: 'POST /companies/{B2}/launch',
      who: 'mspBot',
      otherMspOnly: true,
      make: (t) => ({ method: 'POST', path: `/companies/${t.accountId}/launch`, body: { reason: 'isolation test' } }),
    },
    { name: 'POST /companies/{B2}/unlink', who: 'mspBot', otherMspOnly: true, make: (t) => ({ method: 'POST', path: `/companies/${t.accountId}/unlink` }) },
    {
      name: 'GET /accounts/{B2}/members (no launch)',
      who: 'mspBot',
      otherMspOnly: true,
      make: (t) => ({ method: 'GET', path: `/accounts/${t.accountId}/members` }),
    },
    { name: 'GET /accounts/{B}/members with a launch into A', who: 'launchedA', make: (t) => ({ method: 'GET', path: `/accounts/${t.accountId}/members` }) },
    {
      name: 'POST /accounts/{B}/vaults/{B vault}/self-access with a launch into A',
      who: 'launchedA',
      make: (t) => ({ method: 'POST', path: `/accounts/${t.accountId}/vaults/${t.vault}/self-access` }),
    },
    {
      name: 'PUT /accounts/{A}/members/{B person}/groups/Owners, launched',
      who: 'launchedA',
      make: (t, a) => ({ method: 'PUT', path: `/accounts/${a}/members/${t.manualMember}/groups/Owners` }),
    },
    {
      name: 'POST /accounts/{A}/recoveries {B user}, launched',
      who: 'launchedA',
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/recoveries`, body: { memberId: t.users[0] } }),
    },
    {
      name: 'POST /accounts/{A}/vaults/{B vault}/self-access, launched',
      who: 'launchedA',
      make: (t, a) => ({ method: 'POST', path: `/accounts/${a}/vaults/${t.vault}/self-access` }),
    },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------

describe.each(DIALECTS)('tenant isolation [%s]', (dialect) => {
  let w: World | undefined;
  afterAll(async () => {
    if (!w) return;
    await w.serve.stop('SIGKILL');
    await w.db.destroy();
    await w.drop();
  });

  it("gives company A's SCIM token and A's people nothing of company B, and changes nothing of B", async () => {
    const started = Date.now();
    w = await buildWorld(dialect);
    const { db, base, a } = w;
    // Positive control: with its own token B sees its data, and the leak detector sees B's strings in it.
    for (const { t } of w.bs) {
      const own = await scim(base, t.token, { method: 'GET', path: list('Groups', `members.value eq "${t.users[2]}"`) });
      const got = secretsOf(t, true).filter((s) => own.text.toLowerCase().includes(s.toLowerCase()));
      expect([own.status, (own.json as { totalResults: number }).totalResults]).toEqual([200, 2]);
      expect(got.length).toBeGreaterThan(5);
    }
    // The request log is written a quarter second after the requests: let B's settle.
    await new Promise((r) => setTimeout(r, 1000));
    const before = await Promise.all(w.bs.map(({ t, sameMsp }) => snapshot(db, t.accountId, sameMsp ? undefined : t.mspId)));

    const outcome: Outcome = { attempts: 0, statuses: [], problems: [], leaks: 0, oracleMismatches: 0 };
    const restStatuses: number[] = [];
    let n = 0;
    const bIds = new Set(w.bs.flatMap(({ t }) => [...t.users, ...t.groups, t.manualMember]));
    const aAuth = { authorization: `Bearer ${a.token}` };

    const runScim = async (attacks: Attack[]) => {
      for (const { t, sameMsp } of w!.bs) {
        const ghost = ghostOf(t);
        const map = pairs(ghost, t);
        const secrets = secretsOf(t, !sameMsp);
        for (const at of attacks) {
          const real = at.make(t, a, n++);
          const twin = at.make(ghost, a, n++);
          const r1 = await send(`${base}/scim/v2`, aAuth, real, 'application/scim+json');
          const r2 = await send(`${base}/scim/v2`, aAuth, twin, 'application/scim+json');
          outcome.attempts += 2;
          outcome.statuses.push(r1.status, r2.status);
          const p = [...checkScim(at, real, r1, secrets, bIds), ...checkScim(at, twin, r2, undefined, bIds)];
          outcome.leaks += p.filter((x) => x.startsWith('LEAK')).length;
          const s1 = signature(r1, Boolean(at.statusOnly));
          const s2 = signature(r2, Boolean(at.statusOnly), map);
          if (s1 !== s2) {
            outcome.oracleMismatches++;
            p.push(`B (${t.label}) and a ghost answered differently: ${at.name}: ${s1} vs ${s2}`);
          }
          outcome.problems.push(...p.map((x) => `[${t.label}] ${x}`));
        }
      }
    };
    await runScim(scimAttacks());

    // The REST API.
    const aOwner = await asOp(db, (ctx) =>
      addManualMember(ctx, { accountId: a.accountId, email: `owner.${a.nonce}@alpha.example`, group: 'Owners', state: 'active' }),
    );
    const session = await asOp(db, async (ctx) => startSession(ctx, (await getMemberAnyState(ctx.tx, a.accountId, aOwner.id))!, 'test'));
    const mspOwner = { kind: 'member' as const, accountId: w.msp1.id, memberId: w.msp1.ownerId, label: 'owner@msp1.example' };
    const apiToken = await asActor(db, mspOwner, (ctx) => createApiToken(ctx, { mspId: w!.msp1.id, label: 'isolation' }));
    const launch = await asActor(db, mspOwner, (ctx) => launchCompany(ctx, { mspId: w!.msp1.id, companyId: a.accountId, reason: 'isolation test' }));
    const auth: Record<RestAttack['who'], Record<string, string>> = {
      aOwner: { cookie: `msb_session=${session.token}`, 'x-csrf-token': session.csrfToken },
      mspBot: { authorization: `Bearer ${apiToken.token}` },
      launchedA: { authorization: `Bearer ${apiToken.token}`, 'x-launch-token': launch.token },
    };
    for (const { t, sameMsp } of w.bs) {
      const ghost = ghostOf(t);
      const map = pairs(ghost, t);
      const secrets = secretsOf(t, !sameMsp);
      for (const at of restAttacks()) {
        if (at.otherMspOnly && sameMsp) continue;
        const real = at.make(t, a.accountId, w.aVault);
        const twin = at.make(ghost, a.accountId, w.aVault);
        const r1 = await send(`${base}/api/v1`, auth[at.who], real, 'application/json');
        const r2 = await send(`${base}/api/v1`, auth[at.who], twin, 'application/json');
        outcome.attempts += 2;
        restStatuses.push(r1.status, r2.status);
        const where = `[${t.label}] REST ${at.name}: ${real.method} ${real.path} -> ${r1.status} ${r1.text.slice(0, 200)}`;
        if (r1.status >= 500 || r2.status >= 500) outcome.problems.push(`5xx ${where} / ghost ${r2.status}`);
        if (!at.mayPass && ![400, 403, 404].includes(r1.status)) outcome.problems.push(`expected 400/403/404 ${where}`);
        const leaked = secretsIn(r1.text, secrets, real);
        if (leaked.length) {
          outcome.leaks++;
          outcome.problems.push(`LEAK of ${leaked.slice(0, 3).join(', ')} ${where}`);
        }
        const s1 = signature(r1, false);
        const s2 = signature(r2, false, map);
        if (s1 !== s2) {
          outcome.oracleMismatches++;
          outcome.problems.push(`B and a ghost answered differently: ${where}: ${s1} vs ${s2}`);
        }
      }
    }

    // Namesakes last: after them A legitimately owns resources named like B's.
    await runScim(namespaceProbes());

    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(w.bs.map(({ t, sameMsp }) => snapshot(db, t.accountId, sameMsp ? undefined : t.mspId)));
    const diffs = before.map((b, i) => diffSnapshots(b, after[i]!));
    const cross = await crossAccountRows(db);
    // A's own groups kept their members through every refused write.
    const aMembersNow: string[][] = [];
    for (const g of a.groups) {
      const rows = (await db('idp_group_members').where({ account_id: a.accountId, group_id: g }).select('member_id')) as Array<{ member_id: string }>;
      aMembersNow.push(rows.map((r) => r.member_id).sort());
    }
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const all = [...outcome.statuses, ...restStatuses];
    console.log(
      `[${dialect}] ${outcome.attempts} attempts in ${seconds} s; SCIM ${JSON.stringify(tally(outcome.statuses))} REST ${JSON.stringify(tally(restStatuses))}; ` +
        `leaks ${outcome.leaks}, oracle mismatches ${outcome.oracleMismatches}, changed rows ${diffs.map((d) => d.changed).join('+')}, cross-account rows ${cross}` +
        (outcome.problems.length ? `\n${outcome.problems.slice(0, 40).join('\n')}` : ''),
    );
    expect(outcome.problems).toEqual([]);
    expect(diffs.flatMap((d) => d.detail)).toEqual([]);
    expect(cross).toBe(0);
    expect(aMembersNow).toEqual(w.aGroupMembers);
    expect(all.filter((s) => s >= 500)).toEqual([]);

    record({
      scenario: `Tenant isolation (${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
      injected:
        "company A's SCIM token and A's people (console session of A's Owner; MSP 1's API token, plain and launched into A) aimed at company B1 (same MSP) and B2 (another MSP): " +
        "every SCIM verb on B's Users/Groups ids, filters and .search on B's ids/userNames/externalIds/emails/members, A's groups given B's users (value, bare id, $ref), Bulk with B's ids, bulkIds and members, " +
        "projections, If-Match/If-None-Match with B's versions, namesakes of B's userName/externalId/displayName; REST routes with B's account, member, vault, token and mapping ids; " +
        'each attempt replayed with made-up ids of the same shape',
      checked: [
        "no 5xx; B's resources are 404 to A, filters and .search on B's values return nothing, memberships naming B's users are refused 400 (all or nothing)",
        "no answer to A carries any of B's ids, userNames, emails, externalIds, names or versions (errors only echo what A sent)",
        "B's real ids and made-up ids get byte-identical answers (status, scimType, detail): no existence oracle, no 412/304 on B's versions",
        "B's rows in 24 tables (members, groups, memberships, SCIM tokens, IdP mirror, mappings, invitations, vaults, audit, outbox, request log, …) and B2's MSP roll-up identical before and after",
        'no row anywhere ties one account to another (group members, memberships, mappings, vault access, items, recoveries, invitations)',
        "A's own groups keep exactly their members through every refused write",
      ],
      figures: {
        attempts: outcome.attempts,
        scimAttempts: outcome.statuses.length,
        restAttempts: restStatuses.length,
        ...Object.fromEntries(Object.entries(tally(all)).map(([s, c]) => [`status ${s}`, c])),
        '5xx': all.filter((s) => s >= 500).length,
        leakedRows: outcome.leaks,
        changedRows: diffs.reduce((s, d) => s + d.changed, 0),
        bRowsCompared: diffs.reduce((s, d) => s + d.rows, 0),
        crossAccountRows: cross,
        oracleMismatches: outcome.oracleMismatches,
        seconds,
      },
      command: `npm run test:faults -- test/faults/isolation.test.ts -t "${dialect}"`,
    });
  });
});
