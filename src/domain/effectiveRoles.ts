// Effective roles from the IdP mirror through the mappings, with the last-Owner guard:
// a change that would leave an account without an Owner of its own is held, not applied.
import type { Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { type Group, countingOwnerIds, getBuiltinGroup, inOwnersGroup, listGroups, markMembershipHeld, releaseHeldMembership } from '../db/groups.repo';
import type { Tx } from '../db/knex';
import {
  type HeldChange,
  type MembershipRow,
  grantIdpMemberships,
  idpSourcedMemberships,
  impliedMemberships,
  insertHeldChange,
  openHeldChanges,
  resolveHeldChange,
  revokeIdpMemberships,
} from '../db/mapping.repo';
import { getMemberAnyState, setMemberState, setScimManaged } from '../db/members.repo';
import { auditOn, recordAudit } from './audit';
import { admitRemoval, endTripIfClear, holdRemoval } from './breaker';
import { permits } from './policy';
import { type Ctx, nowIso } from './context';
import { auditMspOf } from './tenancy';

/** `needs_owner`: an Owner change the acting credential may not make (left for an Owner's resync). */
export type RoleChangeKind = 'gain' | 'lose' | 'held' | 'released' | 'needs_owner';

export interface RoleChange {
  memberId: string;
  groupId: string;
  group: string;
  change: RoleChangeKind;
}

/** People who count as the account's own Owners: in Owners (any source) and invited or active. */
export const countingOwners = (tx: Tx, accountId: string): Promise<Set<string>> => countingOwnerIds(tx, accountId);

/** Whether taking this person out (of Owners, or by suspension) would leave no Owner. */
export async function isLastOwner(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  // Most people are not Owners: one primary-key probe answers for them.
  if (!(await inOwnersGroup(tx, accountId, memberId))) return false;
  const owners = await countingOwners(tx, accountId);
  return owners.has(memberId) && owners.size === 1;
}

const key = (memberId: string, groupId: string) => `${memberId}|${groupId}`;

interface Plan {
  gains: Array<{ memberId: string; groupId: string; wasHeld: boolean }>;
  losses: Array<{ memberId: string; groupId: string }>;
  holds: Array<{ memberId: string; groupId: string }>;
  /** Owner/Administrator losses beyond the deprovisioning breaker's limit. */
  breakerHolds: Array<{ memberId: string; groupId: string }>;
}

/**
 * Compares what the mirror implies with the IdP-sourced rows and decides, person by person,
 * what changes. Owner losses are taken one at a time so the last one is held.
 */
async function plan(ctx: Ctx, account: Account, memberIds: string[] | 'all', owners: Group | undefined): Promise<Plan> {
  const implied = await impliedMemberships(ctx.tx, account.id, memberIds);
  const current = await idpSourcedMemberships(ctx.tx, account.id, memberIds);
  const desired = new Set(implied.map((p) => key(p.memberId, p.groupId)));
  const byKey = new Map<string, MembershipRow>(current.map((r) => [key(r.memberId, r.groupId), r]));
  const out: Plan = { gains: [], losses: [], holds: [], breakerHolds: [] };
  // A person whose deletion the breaker holds keeps their roles until it is released.
  const frozen = new Set((await openHeldChanges(ctx.tx, account.id, undefined, 'breaker')).filter((h) => h.kind === 'remove').map((h) => h.memberId));
  for (const p of implied) {
    const row = byKey.get(key(p.memberId, p.groupId));
    if (!row?.idp) out.gains.push({ ...p, wasHeld: Boolean(row?.held) });
  }
  const ownerLosses: MembershipRow[] = [];
  for (const r of current) {
    if (!r.idp || desired.has(key(r.memberId, r.groupId)) || frozen.has(r.memberId)) continue;
    if (owners && r.groupId === owners.id && !r.manual) ownerLosses.push(r);
    else out.losses.push({ memberId: r.memberId, groupId: r.groupId });
  }
  if (ownerLosses.length && owners) {
    const counting = await countingOwners(ctx.tx, account.id);
    // Owners gained in this same change count before any loss is weighed.
    for (const g of out.gains) {
      if (g.groupId === owners.id) {
        const m = await getMemberAnyState(ctx.tx, account.id, g.memberId);
        if (m && (m.state === 'invited' || m.state === 'active')) counting.add(g.memberId);
      }
    }
    for (const r of ownerLosses.sort((a, b) => a.memberId.localeCompare(b.memberId))) {
      if (!counting.has(r.memberId) || counting.size > 1) {
        counting.delete(r.memberId);
        out.losses.push({ memberId: r.memberId, groupId: r.groupId });
      } else {
        out.holds.push({ memberId: r.memberId, groupId: r.groupId });
      }
    }
  }
  return out;
}

/**
 * Brings IdP-sourced memberships of the given people (or everyone) in line with the mirror
 * and the mappings, then releases held changes the account can now afford. With dryRun
 * nothing is written and the result is what would happen.
 */
export async function syncIdpRoles(
  ctx: Ctx,
  account: Account,
  memberIds: string[] | 'all',
  opts: { dryRun?: boolean; /** The losses follow from a removal the breaker already counted. */ counted?: boolean } = {},
): Promise<RoleChange[]> {
  if (Array.isArray(memberIds) && memberIds.length === 0) return opts.dryRun ? [] : releaseHeldChanges(ctx, account);
  const groups = await listGroups(ctx.tx, account.id);
  const name = new Map(groups.map((g) => [g.id, g.name]));
  const owners = groups.find((g) => g.kind === 'owners');
  const p = await plan(ctx, account, memberIds, owners);
  const withheld = owners ? await withholdOwnerChanges(ctx, account, p, owners.id) : [];
  if (!opts.dryRun && !opts.counted) await applyBreaker(ctx, account, p, groups);
  const changes: RoleChange[] = [
    ...p.gains.map((g) => ({ memberId: g.memberId, groupId: g.groupId, group: name.get(g.groupId) ?? '?', change: 'gain' as const })),
    ...p.losses.map((l) => ({ ...l, group: name.get(l.groupId) ?? '?', change: 'lose' as const })),
    ...p.holds.map((h) => ({ ...h, group: name.get(h.groupId) ?? '?', change: 'held' as const })),
    ...p.breakerHolds.map((h) => ({ ...h, group: name.get(h.groupId) ?? '?', change: 'held' as const })),
    ...withheld.map((w) => ({ ...w, group: name.get(w.groupId) ?? '?', change: 'needs_owner' as const })),
  ];
  if (opts.dryRun) return changes;
  const now = nowIso(ctx);
  if (p.gains.length) {
    await grantIdpMemberships(ctx.tx, account.id, p.gains, now);
    const regained = p.gains.filter((g) => g.wasHeld);
    if (regained.length) {
      for (const h of await openHeldChanges(
        ctx.tx,
        account.id,
        regained.map((g) => g.memberId),
      )) {
        if (h.kind === 'remove_role' && regained.some((g) => g.memberId === h.memberId && g.groupId === h.groupId)) {
          await resolveHeldChange(ctx.tx, account.id, h.id, 'cancelled', now);
          if (h.reason === 'breaker') await endTripIfClear(ctx, account);
        }
      }
    }
  }
  const byGroup = new Map<string, string[]>();
  for (const l of p.losses) byGroup.set(l.groupId, [...(byGroup.get(l.groupId) ?? []), l.memberId]);
  for (const [groupId, ids] of byGroup) await revokeIdpMemberships(ctx.tx, account.id, groupId, ids, now);
  for (const h of p.holds) await holdRoleRemoval(ctx, account, h.memberId, h.groupId);
  for (const h of p.breakerHolds) {
    await markMembershipHeld(ctx.tx, account.id, h.groupId, h.memberId, now);
    await holdRemoval(ctx, account, h.memberId, h.groupId, 'remove_role');
  }
  if (changes.length) {
    await recordAudit(ctx, {
      accountId: account.id,
      mspId: auditMspOf(account),
      action: 'roles.synced',
      data: {
        gained: p.gains.length,
        lost: p.losses.length,
        held: p.holds.length + p.breakerHolds.length,
        needsOwner: withheld.length,
        changes: changes.slice(0, 50).map((c) => ({ member: c.memberId, group: c.group, change: c.change })),
      },
    });
  }
  return [...changes, ...(await releaseHeldChanges(ctx, account))];
}

/**
 * Owners are made and unmade only with an Owner's authority (policy `owners.change`): a push
 * through an administrator's SCIM credential, or a resync by an administrator, leaves Owner
 * changes out; they show as drift until an Owner resyncs.
 */
async function withholdOwnerChanges(ctx: Ctx, account: Account, p: Plan, ownersId: string): Promise<Array<{ memberId: string; groupId: string }>> {
  const touches = (x: { groupId: string }) => x.groupId === ownersId;
  if (!p.gains.some(touches) && !p.losses.some(touches) && !p.holds.some(touches)) return [];
  if (await permits(ctx, 'owners.change', account)) return [];
  const out = [...p.gains, ...p.losses, ...p.holds].filter(touches).map((x) => ({ memberId: x.memberId, groupId: x.groupId }));
  p.gains = p.gains.filter((x) => !touches(x));
  p.losses = p.losses.filter((x) => !touches(x));
  p.holds = p.holds.filter((x) => !touches(x));
  return out;
}

/**
 * Owner and Administrator losses the IdP causes count against the company's deprovisioning
 * limit, one person and group at a time; those beyond it are held.
 */
async function applyBreaker(ctx: Ctx, account: Account, p: Plan, groups: Group[]): Promise<void> {
  const guarded = new Set(groups.filter((g) => g.kind === 'owners' || g.kind === 'administrators').map((g) => g.id));
  const kept: Plan['losses'] = [];
  for (const l of p.losses) {
    if (!guarded.has(l.groupId) || (await admitRemoval(ctx, account, l.memberId, 'remove_role'))) kept.push(l);
    else p.breakerHolds.push(l);
  }
  p.losses = kept;
}

async function holdRoleRemoval(ctx: Ctx, account: Account, memberId: string, groupId: string): Promise<void> {
  const now = nowIso(ctx);
  await markMembershipHeld(ctx.tx, account.id, groupId, memberId, now);
  await recordHeld(ctx, account, memberId, groupId, 'remove_role');
}

/** Records a change the last-Owner guard refused (once per person, kind and group, whatever holds it). */
export async function recordHeld(ctx: Ctx, account: Account, memberId: string, groupId: string | null, kind: HeldChange['kind']): Promise<void> {
  const open = await openHeldChanges(ctx.tx, account.id, [memberId]);
  if (open.some((h) => h.kind === kind && h.groupId === groupId)) return;
  await insertHeldChange(ctx.tx, { id: newId(), accountId: account.id, memberId, groupId, kind, reason: 'last_owner', createdAt: nowIso(ctx) });
  await auditOn(ctx, account, 'guard.last_owner.held', { type: 'member', id: memberId }, { kind, groupId });
}

/** Cancels open held changes of a kind for a person (the IdP took the change back), whoever held them. */
export async function cancelHeld(ctx: Ctx, account: Account, memberId: string, kinds: HeldChange['kind'][]): Promise<void> {
  let breaker = false;
  for (const h of await openHeldChanges(ctx.tx, account.id, [memberId])) {
    if (!kinds.includes(h.kind)) continue;
    await resolveHeldChange(ctx.tx, account.id, h.id, 'cancelled', nowIso(ctx));
    if (h.reason === 'breaker') {
      breaker = true;
      await auditOn(ctx, account, 'breaker.cancelled', { type: 'member', id: memberId }, { kind: h.kind, groupId: h.groupId });
    }
  }
  if (breaker) await endTripIfClear(ctx, account);
}

/**
 * Applies held changes that no longer leave the account without an Owner. Only the last-Owner
 * guard's holds: what the breaker holds waits for a person (provisioning release).
 */
export async function releaseHeldChanges(ctx: Ctx, account: Account): Promise<RoleChange[]> {
  const open = await openHeldChanges(ctx.tx, account.id, undefined, 'last_owner');
  if (!open.length) return [];
  const owners = await getBuiltinGroup(ctx.tx, account.id, 'owners');
  const names = new Map((await listGroups(ctx.tx, account.id)).map((g) => [g.id, g.name]));
  const released: RoleChange[] = [];
  const now = nowIso(ctx);
  for (const h of open) {
    const counting = await countingOwners(ctx.tx, account.id);
    if (counting.has(h.memberId) && counting.size <= 1) continue;
    const member = await getMemberAnyState(ctx.tx, account.id, h.memberId);
    if (h.kind === 'remove_role' && h.groupId) {
      await releaseHeldMembership(ctx.tx, account.id, h.groupId, h.memberId, now);
    } else if (member && (h.kind === 'suspend' || h.kind === 'remove')) {
      const target = h.kind === 'remove' && account.settings.scimDeleteMode === 'remove' ? 'removed' : 'suspended';
      if (h.kind === 'remove') await setScimManaged(ctx.tx, account.id, member.id, false, now);
      await setMemberState(ctx.tx, member, target, now);
    }
    await resolveHeldChange(ctx.tx, account.id, h.id, 'applied', now);
    released.push({
      memberId: h.memberId,
      groupId: h.groupId ?? owners?.id ?? '',
      group: h.groupId ? (names.get(h.groupId) ?? '?') : 'Owners',
      change: 'released',
    });
    await auditOn(ctx, account, 'guard.last_owner.released', { type: 'member', id: h.memberId }, { kind: h.kind, groupId: h.groupId });
  }
  return released;
}
