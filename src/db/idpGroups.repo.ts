// The IdP mirror: groups as pushed and their members as pushed, every query scoped by account.
import { isPg, type Tx } from './knex';
import { rows as preparedRows, shape } from './prepared';
import { int, jsonColumn, optText, rowCodec, text, time, toJson } from './codec';
import type { SqlCondition, ViewQuery } from './members.repo';

export interface IdpGroup {
  id: string;
  accountId: string;
  displayName: string;
  externalId: string | null;
  /** The rest of the SCIM Group as pushed (extensions, unknown attributes). */
  attrs: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

type Row = Record<string, unknown>;

const GROUP = rowCodec<IdpGroup>({
  id: text,
  accountId: text,
  displayName: text,
  externalId: optText,
  attrs: jsonColumn<Record<string, unknown>>({}),
  version: int,
  createdAt: time,
  updatedAt: time,
});

export async function insertIdpGroup(tx: Tx, g: Omit<IdpGroup, 'version' | 'updatedAt'>): Promise<IdpGroup> {
  await tx('idp_groups').insert({ ...GROUP.write(g), display_name_ci: g.displayName.toLowerCase(), version: 1, updated_at: g.createdAt });
  return { ...g, version: 1, updatedAt: g.createdAt };
}

export async function getIdpGroup(tx: Tx, accountId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<IdpGroup | undefined> {
  const q = tx('idp_groups').where({ account_id: accountId, id }).first();
  if (opts.forUpdate && isPg(tx)) q.forNoKeyUpdate(); // not FOR UPDATE: member inserts (key share) need not wait
  return GROUP.maybe(await q);
}

export async function findIdpGroupByName(tx: Tx, accountId: string, displayName: string): Promise<IdpGroup | undefined> {
  return GROUP.maybe(await tx('idp_groups').where({ account_id: accountId, display_name_ci: displayName.toLowerCase() }).first());
}

export async function findIdpGroupByExternalId(tx: Tx, accountId: string, externalId: string): Promise<IdpGroup | undefined> {
  return GROUP.maybe(await tx('idp_groups').where({ account_id: accountId, external_id: externalId }).first());
}

export async function updateIdpGroup(
  tx: Tx,
  accountId: string,
  id: string,
  patch: { displayName?: string; externalId?: string | null; attrs?: Record<string, unknown> },
  now: string,
): Promise<void> {
  const row: Row = { updated_at: now, version: tx.raw('version + 1') };
  if (patch.displayName !== undefined) {
    row.display_name = patch.displayName;
    row.display_name_ci = patch.displayName.toLowerCase();
  }
  if (patch.externalId !== undefined) row.external_id = patch.externalId;
  if (patch.attrs !== undefined) row.attrs = toJson(patch.attrs);
  await tx('idp_groups').where({ account_id: accountId, id }).update(row);
}

export async function deleteIdpGroup(tx: Tx, accountId: string, id: string): Promise<void> {
  await tx('idp_groups').where({ account_id: accountId, id }).del();
}

export async function queryIdpGroups(tx: Tx, accountId: string, q: ViewQuery): Promise<{ total: number; rows: IdpGroup[] }> {
  const base = tx('idp_groups as g').where('g.account_id', accountId);
  if (q.where) base.andWhereRaw(q.where.sql, q.where.bindings);
  const [{ n }] = (await base.clone().count({ n: '*' })) as Array<{ n: number | string }>;
  const total = Number(n);
  if (q.limit <= 0 || q.offset >= total) return { total, rows: [] };
  const rows = await base
    .clone()
    .select('g.*')
    .orderByRaw(q.orderBy ? `${q.orderBy}, g.created_at asc, g.id asc` : 'g.created_at asc, g.id asc')
    .limit(q.limit)
    .offset(q.offset);
  return { total, rows: rows.map(GROUP.read) };
}

export interface MirrorMember {
  memberId: string;
  display: string | null;
}

/** Members of several groups at once, with a display name (one query per 500 groups). */
export async function membersOfIdpGroups(tx: Tx, accountId: string, groupIds: string[]): Promise<Map<string, MirrorMember[]>> {
  const out = new Map<string, MirrorMember[]>();
  for (let i = 0; i < groupIds.length; i += 500) {
    const rows = (await tx('idp_group_members as gm')
      .join('members as m', 'm.id', 'gm.member_id')
      .where('gm.account_id', accountId)
      .whereIn('gm.group_id', groupIds.slice(i, i + 500))
      .orderBy([{ column: 'gm.group_id' }, { column: 'gm.created_at' }, { column: 'gm.member_id' }])
      .select('gm.group_id', 'gm.member_id', 'm.display_name', 'm.user_name')) as Array<Record<string, string | null>>;
    for (const r of rows) {
      const list = out.get(r.group_id!) ?? [];
      list.push({ memberId: r.member_id!, display: r.display_name ?? r.user_name ?? null });
      out.set(r.group_id!, list);
    }
  }
  return out;
}

const GROUPS_OF =
  'select gm.member_id, g.id, g.display_name from idp_group_members as gm inner join idp_groups as g on g.id = gm.group_id where gm.account_id = ?';

/**
 * PostgreSQL: one statement for any number of people, the ids as one array. With an IN list of a
 * page's 100 ids the planner priced 100 index probes above a scan of every membership row and
 * scanned (2–10 ms of PostgreSQL CPU per page of users, the bound of deep paging); the array's
 * generic plan probes the (account_id, member_id) index, ~0.5 ms.
 */
const GROUPS_OF_MEMBERS_PG = shape(`${GROUPS_OF} and gm.member_id = any(?::text[]) order by g.display_name_ci asc`);

/** SQLite: one prepared statement per chunk size (a get-by-id and a page of 100 are the usual two). */
const groupsOfMembersSqlite = (n: number) =>
  shape(`${GROUPS_OF} and gm.member_id in (${Array.from({ length: n }, () => '?').join(', ')}) order by g.display_name_ci asc`);

/** The pushed groups of several people (for the User resource's read-only `groups`). */
export async function idpGroupsOfMembers(tx: Tx, accountId: string, memberIds: string[]): Promise<Map<string, Array<{ id: string; displayName: string }>>> {
  const out = new Map<string, Array<{ id: string; displayName: string }>>();
  const pg = isPg(tx);
  for (let i = 0; i < memberIds.length; i += 500) {
    const chunk = memberIds.slice(i, i + 500);
    const statement = pg ? GROUPS_OF_MEMBERS_PG : groupsOfMembersSqlite(chunk.length);
    const rows = (await preparedRows(tx, statement, pg ? [accountId, chunk] : [accountId, ...chunk])) as Array<Record<string, string>>;
    for (const r of rows) {
      const list = out.get(r.member_id!) ?? [];
      list.push({ id: r.id!, displayName: r.display_name! });
      out.set(r.member_id!, list);
    }
  }
  return out;
}

/** Adds mirror rows for the given people; returns those that were not members yet (duplicates are no-ops). */
export async function addIdpGroupMembers(tx: Tx, accountId: string, groupId: string, memberIds: string[], now: string): Promise<string[]> {
  const wanted = [...new Set(memberIds)];
  const added: string[] = [];
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const present = new Set(
      (
        (await tx('idp_group_members').where({ account_id: accountId, group_id: groupId }).whereIn('member_id', chunk).select('member_id')) as Array<{
          member_id: string;
        }>
      ).map((r) => r.member_id),
    );
    const fresh = chunk.filter((id) => !present.has(id));
    if (fresh.length) {
      await tx('idp_group_members')
        .insert(fresh.map((member_id) => ({ account_id: accountId, group_id: groupId, member_id, created_at: now })))
        .onConflict(['group_id', 'member_id'])
        .ignore();
      added.push(...fresh);
    }
  }
  return added;
}

/** Removes mirror rows for the given people; returns those that were members (absent ones are no-ops). */
export async function removeIdpGroupMembers(tx: Tx, accountId: string, groupId: string, memberIds: string[]): Promise<string[]> {
  const wanted = [...new Set(memberIds)];
  const removed: string[] = [];
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const present = (
      (await tx('idp_group_members').where({ account_id: accountId, group_id: groupId }).whereIn('member_id', chunk).select('member_id')) as Array<{
        member_id: string;
      }>
    ).map((r) => r.member_id);
    if (present.length) {
      await tx('idp_group_members').where({ account_id: accountId, group_id: groupId }).whereIn('member_id', present).del();
      removed.push(...present);
    }
  }
  return removed;
}

/** The members of a pushed group matching a condition on (gm, m) (a SCIM members[...] filter), or all. */
export async function idpGroupMemberIdsWhere(tx: Tx, accountId: string, groupId: string, where?: SqlCondition): Promise<string[]> {
  const q = tx('idp_group_members as gm')
    .join('members as m', 'm.id', 'gm.member_id')
    .where({ 'gm.account_id': accountId, 'gm.group_id': groupId })
    .select('gm.member_id');
  if (where) q.andWhereRaw(where.sql, where.bindings);
  return ((await q) as Array<{ member_id: string }>).map((r) => r.member_id);
}

export async function idpGroupMemberIds(tx: Tx, accountId: string, groupId: string): Promise<string[]> {
  return (
    (await tx('idp_group_members').where({ account_id: accountId, group_id: groupId }).select('member_id')) as Array<{
      member_id: string;
    }>
  ).map((r) => r.member_id);
}

/** Every pushed group a person is in (to drop them from all on deprovisioning). */
export async function idpGroupIdsOfMember(tx: Tx, accountId: string, memberId: string): Promise<string[]> {
  return (
    (await tx('idp_group_members').where({ account_id: accountId, member_id: memberId }).select('group_id')) as Array<{
      group_id: string;
    }>
  ).map((r) => r.group_id);
}

export async function touchIdpGroup(tx: Tx, accountId: string, id: string, now: string): Promise<void> {
  await tx('idp_groups')
    .where({ account_id: accountId, id })
    .update({ updated_at: now, version: tx.raw('version + 1') });
}

/** Every pushed group of the account: id, displayName, externalId. */
export async function listIdpGroupNames(tx: Tx, accountId: string): Promise<Array<{ id: string; displayName: string; externalId: string | null }>> {
  const rows = (await tx('idp_groups').where({ account_id: accountId }).select('id', 'display_name', 'external_id')) as Array<{
    id: string;
    display_name: string;
    external_id: string | null;
  }>;
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, externalId: r.external_id }));
}
