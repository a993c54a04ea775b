// What an IdP may do to people: provision, update, suspend/reactivate and deprovision over SCIM.
import type { Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { idpGroupIdsOfMember, removeIdpGroupMembers, touchIdpGroup } from '../db/idpGroups.repo';
import { openHeldChanges } from '../db/mapping.repo';
import { revokePendingInvitations } from '../db/invitations.repo';
import { type Member, type NewMember, getMemberAnyState, insertMember, setMemberState, setScimManaged, updateMemberProfile } from '../db/members.repo';
import { type PushedKeysOwners, findPushedKeysOwners, lookupOrInsertPushed } from '../db/pushedMembers.repo';
import { auditOn } from './audit';
import { admitRemoval, holdRemoval } from './breaker';
import { type Ctx, nowIso } from './context';
import { cancelHeld, isLastOwner, recordHeld, releaseHeldChanges, syncIdpRoles } from './effectiveRoles';
import { Conflict, PreconditionFailed } from './errors';
import { inviteMember } from './invitations';
import { noteMemberJoined } from './members';
import { authorize, targetStates } from './policy';
import { claimSeat, seatCheckNeeded } from './seatCaps';

/** A User as the IdP pushed it: the indexed fields plus the whole document. */
export interface PushedProfile {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  preferredLanguage: string | null;
  locale: string | null;
  /** The SCIM document (every attribute the IdP sent, extensions included, minus id/meta/active). */
  attrs: Record<string, unknown>;
}

/** The IdP may push into this account (policy `scim.provision`: its own credential, not frozen). */
export async function assertWritable(ctx: Ctx, account: Account): Promise<void> {
  await authorize(ctx, 'scim.provision', account);
}

/**
 * Adopting, suspending, removing or re-addressing an Owner over SCIM needs an Owner's authority
 * (policy `scim.owner.manage`): an administrator's credential must not lock Owners out.
 */
async function assertMayTouchOwner(ctx: Ctx, account: Account, member: Member): Promise<void> {
  if ((await targetStates(ctx, account.id, member.id)).includes('target.owner')) await authorize(ctx, 'scim.owner.manage', account);
}

/** An externalId another person of the account already has is refused. */
function assertExternalIdFree(externalId: string | null, owner: Member | undefined, self?: string): void {
  if (externalId && owner && owner.id !== self) {
    throw new Conflict('scim.user.externalId.taken', `externalId "${externalId}" is already used by another user.`);
  }
}

function assertUserNameFree(userName: string, owner: Member | undefined, self: string): void {
  if (owner && owner.id !== self) {
    throw new Conflict('scim.user.userName.taken', `userName "${userName}" is already taken in this account.`);
  }
}

/** The person a push is about when they already exist outside the SCIM view (deprovisioned before, or added by hand). */
function existingPerson(p: PushedProfile, owners: PushedKeysOwners): Member | undefined {
  const byName = owners.byUserName;
  if (byName) {
    if (byName.scimManaged) {
      throw new Conflict('scim.user.userName.taken', `userName "${p.userName}" is already taken in this account.`);
    }
    return byName;
  }
  if (p.email && owners.byEmail && !owners.byEmail.scimManaged) return owners.byEmail;
  return undefined;
}

const stateFor = (active: boolean, m?: Member): Member['state'] => (!active ? 'suspended' : m?.acceptedAt ? 'active' : 'invited');

export interface ProvisionResult {
  member: Member;
  /** How the person came into the SCIM view. */
  outcome: 'created' | 'revived' | 'adopted';
}

/** POST /Users: a new person, or one SCIM deprovisioned earlier coming back, or (if allowed) a manual member adopted. */
export async function provisionUser(ctx: Ctx, account: Account, p: PushedProfile, active: boolean): Promise<ProvisionResult> {
  await assertWritable(ctx, account);
  const now = nowIso(ctx);
  const state = active ? 'invited' : 'suspended';
  const candidate: NewMember = {
    id: newId(),
    accountId: account.id,
    ...p,
    attrs: { ...p.attrs, active },
    state,
    provisionedBy: 'scim',
    scimManaged: true,
    createdAt: now,
  };
  // userName, email and externalId looked up at once; unless a seat cap is to be checked first, the new
  // person is inserted in the same statement when nobody holds them (PostgreSQL: one round trip).
  const owners = await lookupOrInsertPushed(ctx.tx, account.id, p, seatCheckNeeded(account, null, state) ? undefined : candidate);
  const existing = existingPerson(p, owners);
  if (existing && owners.inserted) throw new Error('a pushed person was inserted beside an existing one');
  if (existing) {
    const revive = existing.provisionedBy === 'scim';
    if (!revive && !account.settings.adoptExistingMembers) {
      throw new Conflict(
        'scim.user.manual_member',
        `${existing.email ?? existing.userName} was added to this account by hand; SCIM adopts such people only when an Owner allows it (adoptExistingMembers): in the console, Provisioning → “Adopt people added by hand”; on the command line, mspbridge account settings --adopt-existing-members true.`,
      );
    }
    if (!revive) await assertMayTouchOwner(ctx, account, existing);
    assertExternalIdFree(p.externalId, owners.byExternalId, existing.id);
    await claimSeat(ctx, account, existing.state, stateFor(active, existing));
    await updateMemberProfile(ctx.tx, account.id, existing.id, { ...p, attrs: { ...p.attrs, active }, scimManaged: true }, now);
    // Back under SCIM: a deletion or suspension still held for this person is void.
    await cancelHeld(ctx, account, existing.id, ['remove', 'suspend']);
    if (active || !(await isLastOwner(ctx.tx, account.id, existing.id))) await setMemberState(ctx.tx, existing, stateFor(active, existing), now);
    else await recordHeld(ctx, account, existing.id, null, 'suspend');
    const member = (await getMemberAnyState(ctx.tx, account.id, existing.id))!;
    if (member.state === 'invited') await inviteMember(ctx, account, member);
    await noteMemberJoined(ctx, account);
    await auditOn(ctx, account, revive ? 'scim.user.reprovisioned' : 'scim.user.adopted', { type: 'member', id: member.id }, { userName: p.userName });
    return { member, outcome: revive ? 'revived' : 'adopted' };
  }
  assertExternalIdFree(p.externalId, owners.byExternalId);
  await claimSeat(ctx, account, null, state);
  const member = owners.inserted ?? (await insertMember(ctx.tx, candidate));
  if (active) await inviteMember(ctx, account, member, { newMember: true });
  await noteMemberJoined(ctx, account);
  await auditOn(ctx, account, 'scim.user.created', { type: 'member', id: member.id }, { userName: p.userName, active });
  return { member, outcome: 'created' };
}

export function assertVersion(current: number, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== current) {
    throw new PreconditionFailed('scim.version.mismatch', `The ${what} changed since version ${expected} (now ${current}).`);
  }
}

/**
 * PUT/PATCH /Users/{id}: the new document replaces the old; active=false suspends, true
 * reactivates. Suspending the account's last Owner is held (the mirror keeps active=false).
 */
export async function updatePushedUser(
  ctx: Ctx,
  account: Account,
  member: Member,
  p: PushedProfile,
  active: boolean,
  expectedVersion?: number,
): Promise<Member> {
  await assertWritable(ctx, account);
  assertVersion(member.version, expectedVersion, 'user');
  const owners = await findPushedKeysOwners(ctx.tx, account.id, { userName: p.userName, externalId: p.externalId });
  assertUserNameFree(p.userName, owners.byUserName, member.id);
  assertExternalIdFree(p.externalId, owners.byExternalId, member.id);
  const suspends = !active && member.state !== 'suspended';
  if (suspends || p.email !== member.email || p.userName !== member.userName) await assertMayTouchOwner(ctx, account, member);
  if (active && member.state === 'suspended') await claimSeat(ctx, account, member.state, stateFor(true, member));
  const now = nowIso(ctx);
  await updateMemberProfile(ctx.tx, account.id, member.id, { ...p, attrs: { ...p.attrs, active } }, now);
  let action = 'scim.user.updated';
  if (suspends) {
    if (await isLastOwner(ctx.tx, account.id, member.id)) {
      await recordHeld(ctx, account, member.id, null, 'suspend');
      action = 'scim.user.suspend_held';
    } else if (await breakerHeld(ctx, account, member, 'suspend')) {
      // Beyond the hour's limit: the mirror says inactive, the person keeps access until released.
      await holdRemoval(ctx, account, member.id, null, 'suspend');
      action = 'scim.user.suspend_held';
    } else {
      await setMemberState(ctx.tx, member, 'suspended', now);
      await revokePendingInvitations(ctx.tx, account.id, member.id);
      action = 'scim.user.suspended';
    }
  } else if (active) {
    await cancelHeld(ctx, account, member.id, ['suspend']);
    if (member.state === 'suspended') {
      await setMemberState(ctx.tx, member, stateFor(true, member), now);
      action = 'scim.user.reactivated';
    }
  }
  const updated = (await getMemberAnyState(ctx.tx, account.id, member.id))!;
  if (action === 'scim.user.reactivated') {
    if (updated.state === 'invited') await inviteMember(ctx, account, updated);
    // A returning Owner may let held changes through.
    await releaseHeldChanges(ctx, account);
  }
  await auditOn(ctx, account, action, { type: 'member', id: member.id }, { userName: p.userName });
  return updated;
}

/**
 * Whether the deprovisioning breaker holds this removal: it counts once per person and kind
 * (a change already held is not counted again), the first N of the rolling hour apply.
 */
async function breakerHeld(ctx: Ctx, account: Account, member: Member, kind: 'suspend' | 'remove'): Promise<boolean> {
  const open = await openHeldChanges(ctx.tx, account.id, [member.id], 'breaker');
  if (open.some((h) => h.kind === kind)) return true;
  return !(await admitRemoval(ctx, account, member.id, kind));
}

/**
 * DELETE /Users/{id}: suspends (default) or removes per account setting; either way SCIM no
 * longer sees the person. The last Owner leaves the SCIM view but keeps access (held); so does
 * a person the deprovisioning breaker holds (beyond the hour's limit), roles included.
 */
export async function deprovisionUser(ctx: Ctx, account: Account, member: Member, expectedVersion?: number): Promise<void> {
  await assertWritable(ctx, account);
  assertVersion(member.version, expectedVersion, 'user');
  await assertMayTouchOwner(ctx, account, member);
  const now = nowIso(ctx);
  const held = await breakerHeld(ctx, account, member, 'remove');
  // The IdP no longer knows the person: they leave every pushed group.
  const groups = await idpGroupIdsOfMember(ctx.tx, account.id, member.id);
  for (const groupId of groups) {
    await removeIdpGroupMembers(ctx.tx, account.id, groupId, [member.id]);
    await touchIdpGroup(ctx.tx, account.id, groupId, now);
  }
  await setScimManaged(ctx.tx, account.id, member.id, false, now);
  if (held) {
    // Discarding the hold puts the person back in these groups.
    await holdRemoval(ctx, account, member.id, null, 'remove', { idpGroups: groups });
    await auditOn(ctx, account, 'scim.user.delete_held', { type: 'member', id: member.id }, { userName: member.userName, reason: 'breaker' });
    return;
  }
  // A deactivation still held for the person is overtaken by the deletion.
  await cancelHeld(ctx, account, member.id, ['suspend']);
  await finishDeprovision(ctx, account, member);
}

/**
 * The rest of a deletion once it applies (now, or when a held one is released): the person's
 * IdP roles go, then their access, unless they are the last Owner (held).
 */
export async function finishDeprovision(ctx: Ctx, account: Account, member: Member): Promise<void> {
  const now = nowIso(ctx);
  const mode = account.settings.scimDeleteMode ?? 'suspend';
  await syncIdpRoles(ctx, account, [member.id], { counted: true });
  let action: string;
  if (await isLastOwner(ctx.tx, account.id, member.id)) {
    await recordHeld(ctx, account, member.id, null, 'remove');
    action = 'scim.user.delete_held';
  } else {
    await revokePendingInvitations(ctx.tx, account.id, member.id);
    await setMemberState(ctx.tx, member, mode === 'remove' ? 'removed' : 'suspended', now);
    action = mode === 'remove' ? 'scim.user.removed' : 'scim.user.deleted_suspended';
  }
  await auditOn(ctx, account, action, { type: 'member', id: member.id }, { userName: member.userName });
}
