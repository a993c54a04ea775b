// Queries for an account's groups and effective memberships (manual, idp-derived or held).
import type { Tx } from './knex';
import { bool, optText, rowCodec, text, time } from './codec';
import { rows as preparedRows, shape } from './prepared';

export type GroupKind = 'owners' | 'administrators' | 'msp_technicians' | 'custom';

export const BUILTIN_GROUP_NAMES: Record<Exclude<GroupKind, 'custom'>, string> = {
  owners: 'Owners',
  administrators: 'Administrators',
  msp_technicians: 'MSP Technicians',
};

export interface Group {
  id: string;
  accountId: string;
  kind: GroupKind;
  name: string;
  description: string | null;
  /** Set on custom groups created for an unmapped pushed group. */
  idpGroupId?: string | null;
  createdAt: string;
}

export interface Membership {
  groupId: string;
  memberId: string;
  manual: boolean;
  idp: boolean;
  held: boolean;
}

const GROUP = rowCodec<Group>({ id: text, accountId: text, kind: text, name: text, description: optText, idpGroupId: optText, createdAt: time });
const MEMBERSHIP = rowCodec<Membership>({ groupId: text, memberId: text, manual: bool, idp: bool, held: bool });

export async function insertGroup(tx: Tx, g: Group): Promise<Group> {
  await tx('groups').insert({ ...GROUP.write(g), name_ci: g.name.toLowerCase(), idp_group_id: g.idpGroupId ?? null });
  return g;
}

export async function listGroups(tx: Tx, accountId: string): Promise<Group[]> {
  return (
    await tx('groups')
      .where({ account_id: accountId })
      .orderBy([{ column: 'kind' }, { column: 'name_ci' }])
  ).map(GROUP.read);
}

export async function getGroup(tx: Tx, accountId: string, id: string): Promise<Group | undefined> {
  return GROUP.maybe(await tx('groups').where({ account_id: accountId, id }).first());
}

export async function findGroupByName(tx: Tx, accountId: string, name: string): Promise<Group | undefined> {
  return GROUP.maybe(await tx('groups').where({ account_id: accountId, name_ci: name.toLowerCase() }).first());
}

export async function getBuiltinGroup(tx: Tx, accountId: string, kind: Exclude<GroupKind, 'custom'>): Promise<Group | undefined> {
  return GROUP.maybe(await tx('groups').where({ account_id: accountId, kind }).first());
}

export async function getMembership(tx: Tx, accountId: string, groupId: string, memberId: string): Promise<Membership | undefined> {
  return MEMBERSHIP.maybe(await tx('memberships').where({ account_id: accountId, group_id: groupId, member_id: memberId }).first());
}

/** Sets the given sources on a membership row, creating it if needed; a row with no source left is deleted. */
export async function setMembershipSources(
  tx: Tx,
  accountId: string,
  groupId: string,
  memberId: string,
  sources: Partial<Pick<Membership, 'manual' | 'idp' | 'held'>>,
  now: string,
  grantedBy?: string,
): Promise<Membership | undefined> {
  const existing = await getMembership(tx, accountId, groupId, memberId);
  const next = {
    manual: sources.manual ?? existing?.manual ?? false,
    idp: sources.idp ?? existing?.idp ?? false,
    held: sources.held ?? existing?.held ?? false,
  };
  if (!next.manual && !next.idp && !next.held) {
    if (existing) await tx('memberships').where({ account_id: accountId, group_id: groupId, member_id: memberId }).del();
    return undefined;
  }
  if (existing) {
    await tx('memberships')
      .where({ account_id: accountId, group_id: groupId, member_id: memberId })
      .update({ ...next, updated_at: now });
  } else {
    await tx('memberships').insert({
      account_id: accountId,
      group_id: groupId,
      member_id: memberId,
      ...next,
      granted_by: grantedBy ?? null,
      created_at: now,
      updated_at: now,
    });
  }
  return { groupId, memberId, ...next };
}

export async function listMembershipsOfMember(tx: Tx, accountId: string, memberId: string): Promise<Membership[]> {
  return (await tx('memberships').where({ account_id: accountId, member_id: memberId })).map(MEMBERSHIP.read);
}

/** Group names per member for a page of members (one query, not one per person). */
export async function groupNamesByMember(tx: Tx, accountId: string, memberIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (memberIds.length === 0) return out;
  // Chunked: SQLite caps the number of bound parameters per statement.
  for (let i = 0; i < memberIds.length; i += 500) {
    const rows = await tx('memberships as ms')
      .join('groups as g', 'g.id', 'ms.group_id')
      .where('ms.account_id', accountId)
      .whereIn('ms.member_id', memberIds.slice(i, i + 500))
      .orderBy([{ column: 'g.kind' }, { column: 'g.name_ci' }])
      .select('ms.member_id', 'g.name');
    for (const r of rows as Array<{ member_id: string; name: string }>) {
      const list = out.get(r.member_id) ?? [];
      list.push(r.name);
      out.set(r.member_id, list);
    }
  }
  return out;
}

/** Members of the account's Owners group who count as its own Owners (not suspended or removed). */
export async function countActiveOwners(tx: Tx, accountId: string, opts: { acceptedOnly?: boolean } = {}): Promise<number> {
  const q = tx('memberships as ms')
    .join('members as m', 'm.id', 'ms.member_id')
    .where('ms.group_id', tx('groups').where({ account_id: accountId, kind: 'owners' }).first('id'))
    .where({ 'ms.account_id': accountId, 'm.account_id': accountId })
    .whereIn('m.state', opts.acceptedOnly ? ['active'] : ['invited', 'active']);
  const [{ n }] = (await q.count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}

export async function findGroupCreatedFor(tx: Tx, accountId: string, idpGroupId: string): Promise<Group | undefined> {
  return GROUP.maybe(await tx('groups').where({ account_id: accountId, kind: 'custom', idp_group_id: idpGroupId }).first());
}

export async function renameGroup(tx: Tx, accountId: string, id: string, name: string): Promise<void> {
  await tx('groups').where({ account_id: accountId, id }).update({ name, name_ci: name.toLowerCase() });
}

/** The MSP staff rows: each person's built-in groups with where the membership comes from. */
export async function staffMemberships(
  tx: Tx,
  mspId: string,
): Promise<Array<{ memberId: string; email: string | null; state: string; group: string; kind: GroupKind; manual: boolean; idp: boolean; held: boolean }>> {
  const rows = (await tx('memberships as ms')
    .join('groups as g', 'g.id', 'ms.group_id')
    .join('members as m', 'm.id', 'ms.member_id')
    .where({ 'ms.account_id': mspId, 'm.account_id': mspId })
    .whereIn('g.kind', ['owners', 'administrators', 'msp_technicians'])
    .whereIn('m.state', ['invited', 'active'])
    .orderBy('m.email_ci')
    .select('m.id', 'm.email', 'm.state', 'g.name', 'g.kind', 'ms.manual', 'ms.idp', 'ms.held')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    memberId: r.id as string,
    email: (r.email as string | null) ?? null,
    state: r.state as string,
    group: r.name as string,
    kind: r.kind as GroupKind,
    manual: bool(r.manual),
    idp: bool(r.idp),
    held: bool(r.held),
  }));
}

/** The built-in group kinds a person holds (any source), counting only invited or active people. */
const BUILTIN_KINDS = shape(
  `select g.kind from memberships as ms join groups as g on g.id = ms.group_id join members as m on m.id = ms.member_id
   where ms.account_id = ? and ms.member_id = ? and m.account_id = ? and m.state in ('invited', 'active') and g.kind <> 'custom'`,
);

export async function builtinKindsOf(tx: Tx, accountId: string, memberId: string): Promise<Array<Exclude<GroupKind, 'custom'>>> {
  const rows = (await preparedRows(tx, BUILTIN_KINDS, [accountId, memberId, accountId])) as Array<{ kind: Exclude<GroupKind, 'custom'> }>;
  return rows.map((r) => r.kind);
}

/** The account's Owners group id as a subquery: rows are then read by the memberships primary key (group_id, member_id). */
const ownersGroupId = (tx: Tx, accountId: string) => tx('groups').where({ account_id: accountId, kind: 'owners' }).first('id');

/** People who count as the account's own Owners: in Owners (any source) and invited or active. */
export async function countingOwnerIds(tx: Tx, accountId: string): Promise<Set<string>> {
  const rows = (await tx('memberships as ms')
    .join('members as m', 'm.id', 'ms.member_id')
    .where('ms.group_id', ownersGroupId(tx, accountId))
    .where({ 'ms.account_id': accountId, 'm.account_id': accountId })
    .whereIn('m.state', ['invited', 'active'])
    .select('ms.member_id')) as Array<{ member_id: string }>;
  return new Set(rows.map((r) => r.member_id));
}

/** Whether the person is in the Owners group at all (one primary-key probe). */
export async function inOwnersGroup(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  return Boolean(
    await tx('memberships').where('group_id', ownersGroupId(tx, accountId)).where({ account_id: accountId, member_id: memberId }).first('member_id'),
  );
}

/** The last-Owner guard held this IdP-sourced membership instead of removing it. */
export async function markMembershipHeld(tx: Tx, accountId: string, groupId: string, memberId: string, now: string): Promise<void> {
  await tx('memberships').where({ account_id: accountId, group_id: groupId, member_id: memberId }).update({ idp: false, held: true, updated_at: now });
}

/** A held membership is let go: it stays only if another source (manual, idp) still gives it. */
export async function releaseHeldMembership(tx: Tx, accountId: string, groupId: string, memberId: string, now: string): Promise<void> {
  await tx('memberships').where({ account_id: accountId, group_id: groupId, member_id: memberId }).update({ held: false, updated_at: now });
  await tx('memberships').where({ account_id: accountId, group_id: groupId, member_id: memberId, manual: false, idp: false, held: false }).del();
}
