// Groups as the IdP pushes them (the mirror): create, rename, targeted member changes, delete.
import type { Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import {
  type IdpGroup,
  addIdpGroupMembers,
  deleteIdpGroup,
  findIdpGroupByExternalId,
  findIdpGroupByName,
  idpGroupMemberIds,
  insertIdpGroup,
  removeIdpGroupMembers,
  touchIdpGroup,
  updateIdpGroup,
} from '../db/idpGroups.repo';
import { existingScimMemberIds } from '../db/members.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { lockBreakerEarly } from './breaker';
import { syncIdpRoles } from './effectiveRoles';
import { dropMappingsOf, ensureAutomaticMapping, followRename } from './mapping';
import { Conflict, Invalid } from './errors';
import { assertVersion, assertWritable } from './provisioning';

export interface PushedGroup {
  displayName: string;
  externalId: string | null;
  attrs: Record<string, unknown>;
}

async function assertNameFree(ctx: Ctx, account: Account, displayName: string, self?: string): Promise<void> {
  const other = await findIdpGroupByName(ctx.tx, account.id, displayName);
  if (other && other.id !== self) {
    throw new Conflict('scim.group.displayName.taken', `A group named "${displayName}" already exists.`);
  }
}

async function assertExternalIdFree(ctx: Ctx, account: Account, externalId: string | null, self?: string): Promise<void> {
  if (!externalId) return;
  const other = await findIdpGroupByExternalId(ctx.tx, account.id, externalId);
  if (other && other.id !== self) {
    throw new Conflict('scim.group.externalId.taken', `externalId "${externalId}" is already used by another group.`);
  }
}

/** Members named by the IdP must be people it provisioned in this account. */
async function assertKnownMembers(ctx: Ctx, account: Account, memberIds: string[]): Promise<void> {
  if (!memberIds.length) return;
  const known = await existingScimMemberIds(ctx.tx, account.id, memberIds);
  const unknown = [...new Set(memberIds)].filter((id) => !known.has(id));
  if (unknown.length) {
    throw new Invalid(
      'scim.group.member.unknown',
      `No user with id ${unknown
        .slice(0, 5)
        .map((id) => `"${id}"`)
        .join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''} in this account.`,
    );
  }
}

/** Which people a mirror change touched (their effective roles are recomputed from it). */
export interface MembershipChange {
  added: string[];
  removed: string[];
}

export async function createPushedGroup(ctx: Ctx, account: Account, g: PushedGroup, memberIds: string[]): Promise<IdpGroup> {
  await assertWritable(ctx, account);
  await assertNameFree(ctx, account, g.displayName);
  await assertExternalIdFree(ctx, account, g.externalId);
  await assertKnownMembers(ctx, account, memberIds);
  const now = nowIso(ctx);
  const group = await insertIdpGroup(ctx.tx, { id: newId(), accountId: account.id, ...g, createdAt: now });
  const added = await addIdpGroupMembers(ctx.tx, account.id, group.id, memberIds, now);
  await ensureAutomaticMapping(ctx, account, group);
  await syncIdpRoles(ctx, account, added);
  await auditOn(ctx, account, 'scim.group.created', { type: 'idp_group', id: group.id }, { displayName: g.displayName, members: added.length });
  return group;
}

export async function updatePushedGroup(ctx: Ctx, account: Account, group: IdpGroup, g: PushedGroup, expectedVersion?: number): Promise<void> {
  await assertWritable(ctx, account);
  assertVersion(group.version, expectedVersion, 'group');
  await assertNameFree(ctx, account, g.displayName, group.id);
  await assertExternalIdFree(ctx, account, g.externalId, group.id);
  await updateIdpGroup(ctx.tx, account.id, group.id, g, nowIso(ctx));
  if (g.externalId !== group.externalId) {
    // Mappings keyed by externalId may now match this group, or stop matching it.
    await syncIdpRoles(ctx, account, await idpGroupMemberIds(ctx.tx, account.id, group.id));
  }
  if (g.displayName !== group.displayName) {
    await followRename(ctx, account, group, g.displayName);
    await auditOn(ctx, account, 'scim.group.renamed', { type: 'idp_group', id: group.id }, { from: group.displayName, to: g.displayName });
  }
}

export type MemberOp = { kind: 'add'; memberIds: string[] } | { kind: 'remove'; memberIds: string[] } | { kind: 'replace'; memberIds: string[] };

/**
 * Applies member operations as targeted writes: only the named rows are inserted or
 * deleted, so concurrent pushes to one group never lose each other's members.
 */
export async function changePushedGroupMembers(ctx: Ctx, account: Account, group: IdpGroup, ops: MemberOp[]): Promise<MembershipChange> {
  await assertWritable(ctx, account);
  // Removals may count against the deprovisioning breaker: its lock first, before any row.
  if (ops.some((op) => op.kind !== 'add')) await lockBreakerEarly(ctx, account);
  const now = nowIso(ctx);
  // People named for removal are weighed again even when the mirror no longer has them (a
  // held loss discarded earlier, the IdP sending the removal once more).
  const named = new Set<string>();
  const added = new Set<string>();
  const removed = new Set<string>();
  const note = (a: string[], r: string[]) => {
    for (const id of a) {
      if (removed.has(id)) removed.delete(id);
      else added.add(id);
    }
    for (const id of r) {
      if (added.has(id)) added.delete(id);
      else removed.add(id);
    }
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'add':
        await assertKnownMembers(ctx, account, op.memberIds);
        note(await addIdpGroupMembers(ctx.tx, account.id, group.id, op.memberIds, now), []);
        break;
      case 'remove':
        for (const id of op.memberIds) named.add(id);
        note([], await removeIdpGroupMembers(ctx.tx, account.id, group.id, op.memberIds));
        break;
      case 'replace': {
        await assertKnownMembers(ctx, account, op.memberIds);
        const wanted = new Set(op.memberIds);
        const current = await idpGroupMemberIds(ctx.tx, account.id, group.id);
        const gone = current.filter((id) => !wanted.has(id));
        note([], await removeIdpGroupMembers(ctx.tx, account.id, group.id, gone));
        note(await addIdpGroupMembers(ctx.tx, account.id, group.id, [...wanted], now), []);
        break;
      }
    }
  }
  const change = { added: [...added], removed: [...removed] };
  const again = [...named].filter((id) => !added.has(id) && !removed.has(id));
  if (change.added.length || change.removed.length) {
    await touchIdpGroup(ctx.tx, account.id, group.id, now);
    await syncIdpRoles(ctx, account, [...change.added, ...change.removed, ...again]);
    await auditOn(
      ctx,
      account,
      'scim.group.members_changed',
      { type: 'idp_group', id: group.id },
      { added: change.added.length, removed: change.removed.length },
    );
  } else if (again.length) {
    await syncIdpRoles(ctx, account, again);
  }
  return change;
}

export async function deletePushedGroup(ctx: Ctx, account: Account, group: IdpGroup, expectedVersion?: number): Promise<MembershipChange> {
  await assertWritable(ctx, account);
  assertVersion(group.version, expectedVersion, 'group');
  await lockBreakerEarly(ctx, account);
  const members = await idpGroupMemberIds(ctx.tx, account.id, group.id);
  await dropMappingsOf(ctx, account, group);
  await deleteIdpGroup(ctx.tx, account.id, group.id);
  await syncIdpRoles(ctx, account, members);
  await auditOn(ctx, account, 'scim.group.deleted', { type: 'idp_group', id: group.id }, { displayName: group.displayName, members: members.length });
  return { added: [], removed: members };
}
