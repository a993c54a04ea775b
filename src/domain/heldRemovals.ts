// What the deprovisioning breaker holds, and a person's answer to it: release (apply, oldest
// first, still under the last-Owner guard and the Owner authority rules) or discard (drop; the
// IdP's next full sync re-sends what is still true).
import { getBreaker, lockBreaker } from '../db/breaker.repo';
import { addIdpGroupMembers, getIdpGroup, touchIdpGroup } from '../db/idpGroups.repo';
import { getBuiltinGroup, listGroups, releaseHeldMembership } from '../db/groups.repo';
import { revokePendingInvitations } from '../db/invitations.repo';
import { type HeldChange, grantIdpMemberships, openHeldChanges, resolveHeldChange } from '../db/mapping.repo';
import { type Member, findMemberByExternalId, findMemberByUserName, getMemberAnyState, setMemberState, setScimManaged } from '../db/members.repo';
import type { Account } from '../db/accounts.repo';
import { auditOn } from './audit';
import { deprovisionLimitOf, endTripIfClear } from './breaker';
import { type Ctx, nowIso } from './context';
import { countingOwners, isLastOwner, recordHeld } from './effectiveRoles';
import { authorize, permits } from './policy';
import { finishDeprovision } from './provisioning';

export interface HeldRemoval {
  id: string;
  /** suspend (SCIM active=false), remove (SCIM DELETE), remove_role (an Owner/Administrator role loss). */
  kind: HeldChange['kind'];
  /** The person as the IdP knows them (the SCIM id is the member id). */
  scimId: string;
  memberId: string;
  userName: string | null;
  email: string | null;
  /** The role a remove_role takes away. */
  group: string | null;
  heldAt: string;
}

export interface HeldView {
  accountId: string;
  /** Removals per rolling hour (0: the breaker is off). */
  limit: number;
  /** When the current trip started; null when nothing is held. */
  tripStartedAt: string | null;
  held: HeldRemoval[];
}

async function describe(ctx: Ctx, accountId: string, open: HeldChange[]): Promise<HeldRemoval[]> {
  const names = new Map((await listGroups(ctx.tx, accountId)).map((g) => [g.id, g.name]));
  const out: HeldRemoval[] = [];
  for (const h of open) {
    const m = await getMemberAnyState(ctx.tx, accountId, h.memberId);
    out.push({
      id: h.id,
      kind: h.kind,
      scimId: h.memberId,
      memberId: h.memberId,
      userName: m?.userName ?? null,
      email: m?.email ?? null,
      group: h.groupId ? (names.get(h.groupId) ?? null) : null,
      heldAt: h.createdAt,
    });
  }
  return out;
}

export async function listHeldRemovals(ctx: Ctx, accountId: string): Promise<HeldView> {
  const account = await authorize(ctx, 'provisioning.held.read', accountId);
  const held = await describe(ctx, account.id, await openHeldChanges(ctx.tx, account.id, undefined, 'breaker'));
  return { accountId: account.id, limit: deprovisionLimitOf(account), tripStartedAt: (await getBreaker(ctx.tx, account.id))?.tripStartedAt ?? null, held };
}

/** applied; held_last_owner: it would leave no Owner, so the last-Owner guard holds it now; needs_owner: it touches an Owner and the caller is not one (still held). */
export type ReleaseOutcome = 'applied' | 'held_last_owner' | 'needs_owner';

export interface ReleaseResult {
  released: Array<HeldRemoval & { outcome: ReleaseOutcome }>;
  /** Breaker holds still open afterwards (those that need an Owner). */
  remaining: number;
}

/** Whether applying the held change takes something from an Owner (an Owner's authority decides). */
async function touchesOwner(ctx: Ctx, account: Account, h: HeldChange, ownersId: string | undefined): Promise<boolean> {
  if (h.kind === 'remove_role') return h.groupId === ownersId;
  return (await countingOwners(ctx.tx, account.id)).has(h.memberId);
}

async function applyOne(ctx: Ctx, account: Account, h: HeldChange, member: Member, ownersId: string | undefined): Promise<ReleaseOutcome> {
  const now = nowIso(ctx);
  await resolveHeldChange(ctx.tx, account.id, h.id, 'applied', now);
  // Removed by hand in the meantime: nothing is left to take away.
  if (member.state === 'removed') return 'applied';
  if (h.kind === 'remove_role' && h.groupId) {
    const owners = await countingOwners(ctx.tx, account.id);
    if (h.groupId === ownersId && owners.has(member.id) && owners.size <= 1) {
      await recordHeld(ctx, account, member.id, h.groupId, 'remove_role');
      return 'held_last_owner';
    }
    await releaseHeldMembership(ctx.tx, account.id, h.groupId, member.id, now);
    return 'applied';
  }
  if (h.kind === 'suspend') {
    if (member.state === 'suspended') return 'applied';
    if (await isLastOwner(ctx.tx, account.id, member.id)) {
      await recordHeld(ctx, account, member.id, null, 'suspend');
      return 'held_last_owner';
    }
    await setMemberState(ctx.tx, member, 'suspended', now);
    await revokePendingInvitations(ctx.tx, account.id, member.id);
    return 'applied';
  }
  await finishDeprovision(ctx, account, member);
  const stillHeld = await openHeldChanges(ctx.tx, account.id, [member.id], 'last_owner');
  return stillHeld.some((x) => x.kind === 'remove') ? 'held_last_owner' : 'applied';
}

/** Applies what the breaker holds, oldest first. */
export async function releaseHeldRemovals(ctx: Ctx, accountId: string): Promise<ReleaseResult> {
  const account = await authorize(ctx, 'provisioning.held.resolve', accountId);
  await lockBreaker(ctx.tx, account.id, nowIso(ctx));
  const open = await openHeldChanges(ctx.tx, account.id, undefined, 'breaker');
  const described = await describe(ctx, account.id, open);
  const ownersId = (await getBuiltinGroup(ctx.tx, account.id, 'owners'))?.id;
  const mayChangeOwners = await permits(ctx, 'owners.change', account);
  const released: ReleaseResult['released'] = [];
  let remaining = 0;
  for (const [i, h] of open.entries()) {
    const member = await getMemberAnyState(ctx.tx, account.id, h.memberId);
    let outcome: ReleaseOutcome;
    if (!member) {
      await resolveHeldChange(ctx.tx, account.id, h.id, 'cancelled', nowIso(ctx));
      continue;
    }
    if (!mayChangeOwners && (await touchesOwner(ctx, account, h, ownersId))) {
      outcome = 'needs_owner';
      remaining++;
    } else {
      outcome = await applyOne(ctx, account, h, member, ownersId);
      await auditOn(ctx, account, 'breaker.released', { type: 'member', id: h.memberId }, { kind: h.kind, groupId: h.groupId, outcome });
    }
    released.push({ ...described[i]!, outcome });
  }
  await endTripIfClear(ctx, account);
  return { released, remaining };
}

export interface DiscardResult {
  discarded: HeldRemoval[];
}

/** Undoes what holding did, so the person is as before the IdP's request. */
async function undoOne(ctx: Ctx, account: Account, h: HeldChange, member: Member): Promise<void> {
  const now = nowIso(ctx);
  if (h.kind === 'remove_role' && h.groupId) {
    // The role stays, IdP-sourced as before; the IdP's next removal is weighed again.
    await grantIdpMemberships(ctx.tx, account.id, [{ memberId: member.id, groupId: h.groupId }], now);
  } else if (h.kind === 'remove') {
    // Back in the SCIM view and its pushed groups, unless the IdP gave the name to someone since.
    const byName = await findMemberByUserName(ctx.tx, account.id, member.userName);
    const byExternal = member.externalId ? await findMemberByExternalId(ctx.tx, account.id, member.externalId) : undefined;
    if ((byName && byName.id !== member.id) || (byExternal && byExternal.id !== member.id)) return;
    await setScimManaged(ctx.tx, account.id, member.id, true, now);
    const groups = Array.isArray(h.data?.idpGroups) ? (h.data.idpGroups as unknown[]).filter((g): g is string => typeof g === 'string') : [];
    for (const groupId of groups) {
      if (!(await getIdpGroup(ctx.tx, account.id, groupId))) continue;
      await addIdpGroupMembers(ctx.tx, account.id, groupId, [member.id], now);
      await touchIdpGroup(ctx.tx, account.id, groupId, now);
    }
  }
  // suspend: nothing was applied; the mirror says inactive and the next deactivation is weighed again.
}

/** Drops what the breaker holds; nothing of it is applied. */
export async function discardHeldRemovals(ctx: Ctx, accountId: string): Promise<DiscardResult> {
  const account = await authorize(ctx, 'provisioning.held.resolve', accountId);
  await lockBreaker(ctx.tx, account.id, nowIso(ctx));
  const open = await openHeldChanges(ctx.tx, account.id, undefined, 'breaker');
  const discarded = await describe(ctx, account.id, open);
  for (const h of open) {
    const member = await getMemberAnyState(ctx.tx, account.id, h.memberId);
    if (member) await undoOne(ctx, account, h, member);
    await resolveHeldChange(ctx.tx, account.id, h.id, 'discarded', nowIso(ctx));
    await auditOn(ctx, account, 'breaker.discarded', { type: 'member', id: h.memberId }, { kind: h.kind, groupId: h.groupId });
  }
  await endTripIfClear(ctx, account);
  return { discarded };
}
