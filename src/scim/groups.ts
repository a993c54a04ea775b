// /Groups: the IdP's groups (the mirror); member changes are targeted writes, never a whole-group rewrite.
import { type IdpGroup, getIdpGroup, idpGroupMemberIdsWhere, membersOfIdpGroups, queryIdpGroups, type MirrorMember } from '../db/idpGroups.repo';
import type { SqlCondition } from '../db/members.repo';
import { isPg } from '../db/knex';
import { type MemberOp, changePushedGroupMembers, createPushedGroup, deletePushedGroup, updatePushedGroup } from '../domain/idpGroups';
import { type ScimEnv, type ScimResult, etag, expectedVersion, inWriteTx } from './context';
import { ANY_EXTENSION, NO_EXTENSIONS, attrOf, resolveName, resolvePath, subOf } from './attributes';
import { type Doc, coerceValue, groupFields, memberValues, schemasOf, storedAttributes, toDocument } from './document';
import { invalidPath } from './errors';
import { type Filter, parsePatchPath } from './filter';
import { type Dialect, type FilterTarget, type Mapping, type Sql, compareSql } from './filter-sql';
import { type PatchOperation, applyPatch, readPatchOps } from './patch';
import type { Projection } from './projection';
import { resourceType } from './resourceType';
import { type AttrDef, GROUP, GROUP_SCHEMA } from './schema';

const MEMBERS: AttrDef = attrOf(GROUP, GROUP.core, 'members')!;

const COLUMNS: Record<string, Mapping> = {
  id: { kind: 'column', sql: 'g.id' },
  displayName: { kind: 'column', sql: 'g.display_name_ci', lowered: true },
  externalId: { kind: 'column', sql: 'g.external_id' },
  'meta.created': { kind: 'column', sql: 'g.created_at' },
  'meta.lastModified': { kind: 'column', sql: 'g.updated_at' },
};

/** A comparison on one (gm, m) member row: value is the user id, display the user's name. */
function memberRowCompare(dialect: Dialect, sub: string, op: Parameters<typeof compareSql>[2], value: Parameters<typeof compareSql>[3]): Sql {
  switch (subOf(MEMBERS, sub)?.name) {
    case 'value':
      return compareSql(dialect, 'gm.member_id', op, value, 'string', { ci: false, name: 'members.value' });
    case 'display':
      return compareSql(dialect, 'coalesce(m.display_name, m.user_name)', op, value, 'string', { ci: true, name: 'members.display' });
    case 'type':
      return compareSql(dialect, `'user'`, op, value, 'string', { ci: true, lowered: true, name: 'members.type' });
    default:
      throw invalidPath(`members has no filterable sub-attribute "${sub}".`);
  }
}

function groupTarget(env: ScimEnv): FilterTarget {
  const dialect = isPg(env.db) ? 'pg' : 'sqlite';
  const memberExists = (sub: string): Mapping => ({
    kind: 'custom',
    compile(op, value) {
      const c = op === 'pr' ? { sql: '1 = 1', bindings: [] } : memberRowCompare(dialect, sub, op, value);
      return {
        sql: `exists (select 1 from idp_group_members gm join members m on m.id = gm.member_id where gm.group_id = g.id and gm.account_id = g.account_id and ${c.sql})`,
        bindings: c.bindings,
      };
    },
  });
  const custom: Record<string, Mapping> = {
    members: memberExists('value'),
    'members.value': memberExists('value'),
    'members.display': memberExists('display'),
    'members.type': memberExists('type'),
    // Lets a search across resource types pick Groups (RFC 7644 §3.4.2).
    'meta.resourceType': {
      kind: 'custom',
      compile: (op, value) => compareSql(dialect, `'Group'`, op, value, 'string', { ci: true, name: 'meta.resourceType' }),
    },
  };
  return {
    schema: GROUP,
    dialect,
    doc: 'g.attrs',
    map: (attr) => COLUMNS[attr.canonical] ?? custom[attr.canonical],
    forbidden: (attr) => ['meta.location', 'meta.version', 'members.$ref'].includes(attr.canonical),
  };
}

export function renderGroup(env: ScimEnv, g: IdpGroup, members?: MirrorMember[]): Doc {
  const attrs = storedAttributes(GROUP, g.attrs);
  const { displayName: _d, externalId: _e, ...rest } = attrs;
  return {
    schemas: schemasOf(GROUP_SCHEMA, attrs),
    id: g.id,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...rest,
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.memberId,
            ...(m.display ? { display: m.display } : {}),
            $ref: `${env.baseUrl}/Users/${m.memberId}`,
            type: 'User',
          })),
        }
      : {}),
    meta: { resourceType: 'Group', created: g.createdAt, lastModified: g.updatedAt, location: `${env.baseUrl}/Groups/${g.id}`, version: etag(g.version) },
  };
}

export const GROUPS = resourceType(GROUP, {
  target: groupTarget,
  get: getIdpGroup,
  query: queryIdpGroups,
  link: ['members', membersOfIdpGroups],
  render: renderGroup,
});

export async function createGroup(env: ScimEnv, body: unknown, p: Projection): Promise<ScimResult> {
  const ignored = new Set<string>();
  const { group, memberIds } = groupFields(toDocument(body, GROUP, { ignored }));
  const g = await inWriteTx(env, (ctx, account) => createPushedGroup(ctx, account, group, memberIds ?? []));
  return GROUPS.result(env, 201, await GROUPS.rendered(env, g, p), g, { created: true, ignored });
}

export async function replaceGroup(env: ScimEnv, id: string, body: unknown, ifMatch: string | undefined, p: Projection): Promise<ScimResult> {
  const ignored = new Set<string>();
  const { group, memberIds } = groupFields(toDocument(body, GROUP, { ignored }));
  const expected = expectedVersion(ifMatch);
  await inWriteTx(env, async (ctx, account) => {
    const current = await GROUPS.find(ctx.tx, env, id, { forUpdate: true });
    await updatePushedGroup(ctx, account, current, group, expected);
    // PUT replaces the whole resource: a body without members empties the group.
    await changePushedGroupMembers(ctx, account, current, [{ kind: 'replace', memberIds: memberIds ?? [] }]);
  });
  const g = await GROUPS.find(env.db, env, id);
  return GROUPS.result(env, 200, await GROUPS.rendered(env, g, p), g, { ignored });
}

/** A value filter that only names ids (members[value eq "a" or value eq "b"]) removes by id; anything else by SQL. */
function idsOnly(f: Filter): string[] | undefined {
  if (f.op === 'eq' && !f.attr.urn && !f.attr.sub && subOf(MEMBERS, f.attr.name)?.name === 'value' && typeof f.value === 'string') return [f.value];
  if (f.op === 'or') {
    const l = idsOnly(f.left);
    const r = idsOnly(f.right);
    return l && r ? [...l, ...r] : undefined;
  }
  return undefined;
}

function memberRowFilter(dialect: Dialect, f: Filter): Sql {
  switch (f.op) {
    case 'and':
    case 'or': {
      const l = memberRowFilter(dialect, f.left);
      const r = memberRowFilter(dialect, f.right);
      return { sql: `(${l.sql} ${f.op} ${r.sql})`, bindings: [...l.bindings, ...r.bindings] };
    }
    case 'not': {
      const inner = memberRowFilter(dialect, f.filter);
      return { sql: `(not coalesce(${inner.sql}, false))`, bindings: inner.bindings };
    }
    case 'has':
      throw invalidPath('A value filter cannot contain another value filter.');
    default:
      return memberRowCompare(dialect, f.attr.name, f.op, 'value' in f ? f.value : null);
  }
}

const isMembers = (text: string) => {
  const r = resolveName(GROUP, text, NO_EXTENSIONS);
  return r.kind === 'attr' && r.attr.def === MEMBERS;
};

/** The user ids a members value names, its sub-attributes resolved like any other value's. */
function memberIdsOf(value: unknown, ignored: Set<string>): string[] {
  return memberValues(coerceValue(MEMBERS, value, { path: 'members', ignored }) ?? []);
}

/** Splits PATCH operations into targeted member operations and attribute operations. */
/** A member operation as SCIM words it: the domain's, or a members[...] filter to resolve. */
type ScimMemberOp = MemberOp | { kind: 'removeWhere'; where?: SqlCondition };

function splitOps(env: ScimEnv, ops: PatchOperation[], ignored: Set<string>): { memberOps: ScimMemberOp[]; attrOps: PatchOperation[] } {
  const dialect = isPg(env.db) ? 'pg' : 'sqlite';
  const memberOps: ScimMemberOp[] = [];
  const attrOps: PatchOperation[] = [];
  for (const o of ops) {
    if (!o.path) {
      // Path-less: {"members": [...]} next to other attributes (Okta/Entra both do this).
      const value = (o.value ?? {}) as Doc;
      const key = typeof value === 'object' && value ? Object.keys(value).find(isMembers) : undefined;
      if (key) {
        const ids = memberIdsOf(value[key], ignored);
        memberOps.push(
          o.op === 'replace' ? { kind: 'replace', memberIds: ids } : o.op === 'add' ? { kind: 'add', memberIds: ids } : { kind: 'remove', memberIds: ids },
        );
        const rest = { ...value };
        delete rest[key];
        if (Object.keys(rest).length) attrOps.push({ ...o, value: rest });
      } else {
        attrOps.push(o);
      }
      continue;
    }
    const p = parsePatchPath(o.path);
    const r = resolvePath(GROUP, p.attr, NO_EXTENSIONS);
    if (r.kind !== 'attr' || r.attr.def !== MEMBERS) {
      attrOps.push(o);
      continue;
    }
    if (p.sub) {
      // members[...].display and friends are immutable copies of the user: nothing to change.
      continue;
    }
    if (o.op === 'add') {
      memberOps.push({ kind: 'add', memberIds: memberIdsOf(o.value, ignored) });
    } else if (o.op === 'replace') {
      if (p.filter) {
        const ids = idsOnly(p.filter);
        memberOps.push(ids ? { kind: 'remove', memberIds: ids } : { kind: 'removeWhere', where: memberRowFilter(dialect, p.filter) });
        memberOps.push({ kind: 'add', memberIds: memberIdsOf(o.value, ignored) });
      } else {
        memberOps.push({ kind: 'replace', memberIds: memberIdsOf(o.value, ignored) });
      }
    } else if (p.filter) {
      const ids = idsOnly(p.filter);
      memberOps.push(ids ? { kind: 'remove', memberIds: ids } : { kind: 'removeWhere', where: memberRowFilter(dialect, p.filter) });
    } else if (o.value !== undefined && o.value !== null) {
      // Entra: remove members listed in value.
      memberOps.push({ kind: 'remove', memberIds: memberIdsOf(o.value, ignored) });
    } else {
      memberOps.push({ kind: 'removeWhere' });
    }
  }
  return { memberOps, attrOps };
}

export async function patchGroup(
  env: ScimEnv,
  id: string,
  body: unknown,
  ifMatch: string | undefined,
  p: Projection,
  explicitProjection: boolean,
): Promise<ScimResult> {
  const ops = readPatchOps(body);
  const expected = expectedVersion(ifMatch);
  const ignored = new Set<string>();
  const { memberOps, attrOps } = splitOps(env, ops, ignored);
  const memberIgnored = [...ignored];
  await inWriteTx(env, async (ctx, account) => {
    ignored.clear(); // a retried transaction starts over
    for (const n of memberIgnored) ignored.add(n);
    // Attribute changes read-modify-write the (small) group row under a row lock; member
    // changes only touch the named member rows, so concurrent member pushes never collide.
    const needLock = attrOps.length > 0 || expected !== undefined;
    const current = await GROUPS.find(ctx.tx, env, id, { forUpdate: needLock });
    if (attrOps.length || expected !== undefined) {
      const doc = { ...current.attrs, displayName: current.displayName, ...(current.externalId ? { externalId: current.externalId } : {}) };
      const patched = applyPatch(doc, attrOps, GROUP, { ignored });
      const { group } = groupFields(toDocument(patched, GROUP, { extensions: ANY_EXTENSION, ignored }));
      await updatePushedGroup(ctx, account, current, group, expected);
    }
    // A members[...] filter is SCIM's own way to name people: resolved to ids here, in order,
    // so the domain only ever hears "add/remove these people".
    let batch: MemberOp[] = [];
    for (const op of memberOps) {
      if (op.kind !== 'removeWhere') {
        batch.push(op);
        continue;
      }
      if (batch.length) await changePushedGroupMembers(ctx, account, current, batch);
      batch = [{ kind: 'remove', memberIds: await idpGroupMemberIdsWhere(ctx.tx, account.id, current.id, op.where) }];
    }
    if (batch.length) await changePushedGroupMembers(ctx, account, current, batch);
  });
  const g = await GROUPS.find(env.db, env, id);
  // Okta and Entra expect 204 for group PATCH; a client asking for attributes gets the resource.
  if (!explicitProjection) return GROUPS.result(env, 204, undefined, g, { ignored });
  return GROUPS.result(env, 200, await GROUPS.rendered(env, g, p), g, { ignored });
}

export async function deleteGroup(env: ScimEnv, id: string, ifMatch: string | undefined): Promise<ScimResult> {
  const expected = expectedVersion(ifMatch);
  await inWriteTx(env, async (ctx, account) => {
    const current = await GROUPS.find(ctx.tx, env, id, { forUpdate: true });
    await deletePushedGroup(ctx, account, current, expected);
  });
  return { status: 204 };
}
