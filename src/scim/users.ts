// /Users: one function per SCIM operation, each a thin call into src/domain in one transaction.
import { idpGroupsOfMembers } from '../db/idpGroups.repo';
import { isPg } from '../db/knex';
import { type Member, getScimMember, queryScimMembers } from '../db/members.repo';
import { deprovisionUser, provisionUser, updatePushedUser } from '../domain/provisioning';
import { type ScimEnv, type ScimResult, etag, expectedVersion, inWriteTx } from './context';
import { ANY_EXTENSION } from './attributes';
import { type Doc, schemasOf, storedAttributes, toDocument, userProfile } from './document';
import { invalidFilter } from './errors';
import { type FilterTarget, type Mapping, compareSql } from './filter-sql';
import { applyPatch, readPatchOps } from './patch';
import { type Projection, project } from './projection';
import { resourceType } from './resourceType';
import { USER, USER_SCHEMA } from './schema';

const COLUMNS: Record<string, Mapping> = {
  id: { kind: 'column', sql: 'm.id' },
  userName: { kind: 'column', sql: 'm.user_name_ci', lowered: true },
  externalId: { kind: 'column', sql: 'm.external_id' },
  displayName: { kind: 'column', sql: 'm.display_name' },
  'name.givenName': { kind: 'column', sql: 'm.given_name' },
  'name.familyName': { kind: 'column', sql: 'm.family_name' },
  preferredLanguage: { kind: 'column', sql: 'm.preferred_language' },
  locale: { kind: 'column', sql: 'm.locale' },
  'meta.created': { kind: 'column', sql: 'm.created_at' },
  'meta.lastModified': { kind: 'column', sql: 'm.updated_at' },
};

function userTarget(env: ScimEnv): FilterTarget {
  const dialect = isPg(env.db) ? 'pg' : 'sqlite';
  const groupExists = (cond: string, bindings: Array<string | number>) => ({
    sql: `exists (select 1 from idp_group_members gm join idp_groups g2 on g2.id = gm.group_id where gm.member_id = m.id and gm.account_id = m.account_id and ${cond})`,
    bindings,
  });
  const custom: Record<string, Mapping> = {
    active: {
      kind: 'custom',
      compile(op, value) {
        if (op === 'pr') return { sql: '(1 = 1)', bindings: [] };
        const v = typeof value === 'string' ? value.toLowerCase() === 'true' : value;
        if ((op !== 'eq' && op !== 'ne') || typeof v !== 'boolean') throw invalidFilter('active compares with eq/ne true or false.');
        const activeWanted = op === 'eq' ? v : !v;
        return { sql: activeWanted ? `(m.state in ('invited', 'active'))` : `(m.state = 'suspended')`, bindings: [] };
      },
    },
    'groups.value': {
      kind: 'custom',
      compile(op, value) {
        if (op === 'pr') return groupExists('1 = 1', []);
        const c = compareSql(dialect, 'gm.group_id', op, value, 'string', { ci: false, name: 'groups.value' });
        return groupExists(c.sql, c.bindings);
      },
    },
    'groups.display': {
      kind: 'custom',
      compile(op, value) {
        const c = compareSql(dialect, 'g2.display_name_ci', op, value, 'string', { ci: true, lowered: true, name: 'groups.display' });
        return groupExists(c.sql, c.bindings);
      },
    },
    'groups.type': {
      kind: 'custom',
      compile(op, value) {
        const c = compareSql(dialect, `'direct'`, op, value, 'string', { ci: true, lowered: true, name: 'groups.type' });
        return groupExists(c.sql, c.bindings);
      },
    },
  };
  custom.groups = custom['groups.value']!;
  // Lets a search across resource types pick Users (RFC 7644 §3.4.2: "meta.resourceType eq \"User\"").
  custom['meta.resourceType'] = {
    kind: 'custom',
    compile: (op, value) => compareSql(dialect, `'User'`, op, value, 'string', { ci: true, name: 'meta.resourceType' }),
  };
  return {
    schema: USER,
    dialect,
    doc: 'm.attrs',
    map: (attr) => COLUMNS[attr.canonical] ?? custom[attr.canonical],
    sortColumns: { emails: 'm.email_ci', 'emails.value': 'm.email_ci' },
    forbidden: (attr) => ['password', 'meta.location', 'meta.version', 'groups.$ref'].includes(attr.canonical),
  };
}

export function renderUser(env: ScimEnv, m: Member, groups?: Array<{ id: string; displayName: string }>): Doc {
  const attrs = storedAttributes(USER, m.attrs);
  const { userName: _u, externalId: _e, active: _a, ...rest } = attrs;
  const location = `${env.baseUrl}/Users/${m.id}`;
  return {
    schemas: schemasOf(USER_SCHEMA, attrs),
    id: m.id,
    ...(m.externalId ? { externalId: m.externalId } : {}),
    userName: m.userName,
    ...rest,
    // What the IdP pushed (the mirror); a held suspension keeps the person active in effect.
    active: typeof m.attrs.active === 'boolean' ? m.attrs.active : m.state !== 'suspended',
    ...(groups?.length ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${env.baseUrl}/Groups/${g.id}`, type: 'direct' })) } : {}),
    meta: { resourceType: 'User', created: m.createdAt, lastModified: m.updatedAt, location, version: etag(m.version) },
  };
}

export const USERS = resourceType(USER, {
  target: userTarget,
  get: getScimMember,
  query: queryScimMembers,
  link: ['groups', idpGroupsOfMembers],
  render: renderUser,
});

export async function createUser(env: ScimEnv, body: unknown, p: Projection): Promise<ScimResult> {
  const ignored = new Set<string>();
  const { profile, active } = userProfile(toDocument(body, USER, { ignored }));
  const { member, outcome } = await inWriteTx(env, (ctx, account) => provisionUser(ctx, account, profile, active));
  // A person created just now is in no group yet; one revived or adopted may be.
  const doc = outcome === 'created' ? project(renderUser(env, member, undefined), USER, p) : await USERS.rendered(env, member, p);
  return USERS.result(env, 201, doc, member, { created: true, ignored });
}

export async function replaceUser(env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection): Promise<ScimResult> {
  const ignored = new Set<string>();
  const { profile, active } = userProfile(toDocument(body, USER, { ignored }));
  const expected = expectedVersion(ifMatch);
  const m = await inWriteTx(env, async (ctx, account) => {
    const current = await USERS.find(ctx.tx, env, id, { forUpdate: true });
    return updatePushedUser(ctx, account, current, profile, active, expected);
  });
  return USERS.result(env, 200, await USERS.rendered(env, m, p), m, { ignored });
}

/** The stored document plus `active`, as PATCH paths see it. */
function patchable(m: Member): Doc {
  return {
    ...m.attrs,
    userName: m.userName,
    ...(m.externalId ? { externalId: m.externalId } : {}),
    active: typeof m.attrs.active === 'boolean' ? m.attrs.active : m.state !== 'suspended',
  };
}

export async function patchUser(env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection): Promise<ScimResult> {
  const ops = readPatchOps(body);
  const expected = expectedVersion(ifMatch);
  const ignored = new Set<string>();
  const m = await inWriteTx(env, async (ctx, account) => {
    ignored.clear(); // a retried transaction starts over
    const current = await USERS.find(ctx.tx, env, id, { forUpdate: true });
    const patched = applyPatch(patchable(current), ops, USER, { ignored });
    const { profile, active } = userProfile(toDocument(patched, USER, { extensions: ANY_EXTENSION, ignored }));
    return updatePushedUser(ctx, account, current, profile, active, expected);
  });
  return USERS.result(env, 200, await USERS.rendered(env, m, p), m, { ignored });
}

export async function deleteUser(env: ScimEnv, id: string, ifMatch: string | undefined): Promise<ScimResult> {
  const expected = expectedVersion(ifMatch);
  await inWriteTx(env, async (ctx, account) => {
    const current = await USERS.find(ctx.tx, env, id, { forUpdate: true });
    await deprovisionUser(ctx, account, current, expected);
  });
  return { status: 204 };
}
