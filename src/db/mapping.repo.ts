// Group mappings (IdP group -> account group), what they imply, and changes held by the guards.
import type { Tx } from './knex';
import { bool, jsonColumn, optIso, optText, rowCodec, text, time } from './codec';

export interface GroupMapping {
  id: string;
  accountId: string;
  idpGroupId: string | null;
  idpExternalId: string | null;
  groupId: string;
  automatic: boolean;
  createdBy: string | null;
  createdAt: string;
}

type Row = Record<string, unknown>;

const MAPPING = rowCodec<GroupMapping>({
  id: text,
  accountId: text,
  idpGroupId: optText,
  idpExternalId: optText,
  groupId: text,
  automatic: bool,
  createdBy: optText,
  createdAt: time,
});

export async function insertMapping(tx: Tx, m: GroupMapping): Promise<void> {
  await tx('group_mappings').insert(MAPPING.write(m));
}

export async function deleteMapping(tx: Tx, accountId: string, id: string): Promise<void> {
  await tx('group_mappings').where({ account_id: accountId, id }).del();
}

export async function listMappings(tx: Tx, accountId: string): Promise<GroupMapping[]> {
  return (await tx('group_mappings').where({ account_id: accountId }).orderBy('created_at')).map(MAPPING.read);
}

export async function mappingsForIdpGroup(tx: Tx, accountId: string, g: { id: string; externalId: string | null }): Promise<GroupMapping[]> {
  return (
    await tx('group_mappings')
      .where({ account_id: accountId })
      .andWhere((w) => {
        w.where('idp_group_id', g.id);
        if (g.externalId) w.orWhere('idp_external_id', g.externalId);
      })
  ).map(MAPPING.read);
}

/**
 * What the mirror and the mappings grant: (member, group) pairs for the given people (or
 * everyone), from pushed memberships of SCIM-managed people through the mappings.
 */
export async function impliedMemberships(tx: Tx, accountId: string, memberIds: string[] | 'all'): Promise<Array<{ memberId: string; groupId: string }>> {
  const base = () =>
    tx('idp_group_members as gm')
      .join('idp_groups as g', 'g.id', 'gm.group_id')
      .join('group_mappings as mp', (j) => {
        j.on('mp.account_id', '=', 'gm.account_id').andOn((o) => {
          o.on('mp.idp_group_id', '=', 'g.id').orOn('mp.idp_external_id', '=', 'g.external_id');
        });
      })
      .join('members as m', 'm.id', 'gm.member_id')
      .where('gm.account_id', accountId)
      .andWhere('m.account_id', accountId)
      .andWhere('m.scim_managed', true)
      .distinct('gm.member_id', 'mp.group_id');
  const out: Array<{ memberId: string; groupId: string }> = [];
  const push = (rows: Array<{ member_id: string; group_id: string }>) => {
    for (const r of rows) out.push({ memberId: r.member_id, groupId: r.group_id });
  };
  if (memberIds === 'all') push(await base());
  else for (let i = 0; i < memberIds.length; i += 500) push(await base().whereIn('gm.member_id', memberIds.slice(i, i + 500)));
  return out;
}

export interface MembershipRow {
  memberId: string;
  groupId: string;
  manual: boolean;
  idp: boolean;
  held: boolean;
}

/** Membership rows with an IdP-derived or held source, for the given people (or everyone). */
export async function idpSourcedMemberships(tx: Tx, accountId: string, memberIds: string[] | 'all'): Promise<MembershipRow[]> {
  const base = () =>
    tx('memberships')
      .where({ account_id: accountId })
      .andWhere((w) => w.where('idp', true).orWhere('held', true))
      .select('member_id', 'group_id', 'manual', 'idp', 'held');
  const rows: Row[] = [];
  if (memberIds === 'all') rows.push(...(await base()));
  else for (let i = 0; i < memberIds.length; i += 500) rows.push(...(await base().whereIn('member_id', memberIds.slice(i, i + 500))));
  return rows.map((r) => ({
    memberId: r.member_id as string,
    groupId: r.group_id as string,
    manual: bool(r.manual),
    idp: bool(r.idp),
    held: bool(r.held),
  }));
}

/** Grants the IdP source on many memberships at once (insert, or set idp on an existing row). */
export async function grantIdpMemberships(tx: Tx, accountId: string, pairs: Array<{ memberId: string; groupId: string }>, now: string): Promise<void> {
  for (let i = 0; i < pairs.length; i += 200) {
    await tx('memberships')
      .insert(
        pairs.slice(i, i + 200).map((p) => ({
          account_id: accountId,
          group_id: p.groupId,
          member_id: p.memberId,
          manual: false,
          idp: true,
          held: false,
          granted_by: 'idp',
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict(['group_id', 'member_id'])
      .merge({ idp: true, held: false, updated_at: now });
  }
}

/** Takes the IdP source off memberships of one group; rows left with no source are deleted. */
export async function revokeIdpMemberships(tx: Tx, accountId: string, groupId: string, memberIds: string[], now: string): Promise<void> {
  for (let i = 0; i < memberIds.length; i += 500) {
    const chunk = memberIds.slice(i, i + 500);
    await tx('memberships')
      .where({ account_id: accountId, group_id: groupId })
      .whereIn('member_id', chunk)
      .update({ idp: false, held: false, updated_at: now });
    await tx('memberships').where({ account_id: accountId, group_id: groupId, manual: false, idp: false, held: false }).whereIn('member_id', chunk).del();
  }
}

export type HeldKind = 'remove_role' | 'suspend' | 'remove';

/** Why a change is held: the last-Owner guard, or the deprovisioning breaker. */
export type HeldReason = 'last_owner' | 'breaker';

export type HeldResolution = 'applied' | 'cancelled' | 'discarded';

export interface HeldChange {
  id: string;
  accountId: string;
  memberId: string;
  groupId: string | null;
  kind: HeldKind;
  reason: HeldReason;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  /** What undoing the change needs (a held deletion: the pushed groups it took the person out of). */
  data: Record<string, unknown> | null;
}

const HELD = rowCodec<HeldChange>({
  id: text,
  accountId: text,
  memberId: text,
  groupId: optText,
  kind: text,
  reason: text,
  createdAt: time,
  resolvedAt: optIso,
  resolution: optText,
  data: jsonColumn<Record<string, unknown> | null>(null),
});

export async function insertHeldChange(tx: Tx, h: Omit<HeldChange, 'resolvedAt' | 'resolution' | 'data'> & { data?: Record<string, unknown> }): Promise<void> {
  await tx('held_changes').insert(HELD.write(h));
}

/** Open held changes, oldest first (optionally of some people, or for one reason). */
export async function openHeldChanges(tx: Tx, accountId: string, memberIds?: string[], reason?: HeldReason): Promise<HeldChange[]> {
  const q = tx('held_changes')
    .where({ account_id: accountId })
    .whereNull('resolved_at')
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  if (memberIds) q.whereIn('member_id', memberIds);
  if (reason) q.andWhere('reason', reason);
  return (await q).map(HELD.read);
}

export async function resolveHeldChange(tx: Tx, accountId: string, id: string, resolution: HeldResolution, now: string): Promise<void> {
  await tx('held_changes').where({ account_id: accountId, id }).whereNull('resolved_at').update({ resolved_at: now, resolution });
}
