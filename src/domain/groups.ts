// Built-in and custom groups of an account, and manual (person-given) membership.
import { type AccountKind } from '../db/accounts.repo';
import { newId } from '../db/codec';
import {
  BUILTIN_GROUP_NAMES,
  type Group,
  type GroupKind,
  findGroupByName,
  getBuiltinGroup,
  getMembership,
  insertGroup,
  listGroups,
  setMembershipSources,
} from '../db/groups.repo';
import { getMember } from '../db/members.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { countingOwners, releaseHeldChanges } from './effectiveRoles';
import { Conflict, Invalid, NotFound } from './errors';
import { authorize } from './policy';

export function builtinKindsFor(kind: AccountKind): Array<Exclude<GroupKind, 'custom'>> {
  return kind === 'msp' ? ['owners', 'administrators', 'msp_technicians'] : ['owners', 'administrators'];
}

export async function createBuiltinGroups(ctx: Ctx, accountId: string, kind: AccountKind): Promise<Group[]> {
  const out: Group[] = [];
  for (const k of builtinKindsFor(kind)) {
    out.push(
      await insertGroup(ctx.tx, {
        id: newId(),
        accountId,
        kind: k,
        name: BUILTIN_GROUP_NAMES[k],
        description: null,
        createdAt: nowIso(ctx),
      }),
    );
  }
  return out;
}

export async function createCustomGroup(ctx: Ctx, accountId: string, name: string, description?: string): Promise<Group> {
  await authorize(ctx, 'groups.create', accountId);
  const clean = name.trim();
  if (!clean || clean.length > 255) throw new Invalid('group.name.invalid', 'A group name is 1 to 255 characters.');
  if (await findGroupByName(ctx.tx, accountId, clean)) {
    throw new Conflict('group.name.taken', `A group named "${clean}" already exists.`);
  }
  return insertGroup(ctx.tx, {
    id: newId(),
    accountId,
    kind: 'custom',
    name: clean,
    description: description ?? null,
    createdAt: nowIso(ctx),
  });
}

/** Resolves a CLI/API group reference: a built-in name (Owners, Administrators, MSP Technicians) or a custom group name. */
export async function resolveGroup(ctx: Ctx, accountId: string, name: string): Promise<Group> {
  const builtin = (Object.entries(BUILTIN_GROUP_NAMES) as Array<[Exclude<GroupKind, 'custom'>, string]>).find(
    ([, n]) => n.toLowerCase() === name.trim().toLowerCase(),
  );
  const group = builtin ? await getBuiltinGroup(ctx.tx, accountId, builtin[0]) : await findGroupByName(ctx.tx, accountId, name.trim());
  if (!group) {
    if (builtin?.[0] === 'msp_technicians') {
      throw new Invalid('group.msp_technicians.company', 'MSP Technicians exists only in an MSP account.');
    }
    throw new NotFound('group.not_found', `No group named "${name}".`);
  }
  return group;
}

export async function groupsOf(ctx: Ctx, accountId: string): Promise<Group[]> {
  await authorize(ctx, 'groups.list', accountId);
  return listGroups(ctx.tx, accountId);
}

/**
 * Gives or takes a role by hand (co-own, co-manage, technicians). Taking away the account's
 * last Owner is refused; a role the IdP also grants stays until the IdP takes it.
 */
export async function setManualMembership(
  ctx: Ctx,
  input: { accountId: string; memberId: string; group: string; member: boolean },
): Promise<{ group: string; effective: boolean }> {
  const account = await authorize(ctx, 'roles.change', input.accountId);
  const group = await resolveGroup(ctx, account.id, input.group);
  // Administrators manage Administrators and custom groups; Owners are made by Owners.
  if (group.kind === 'owners') await authorize(ctx, 'owners.change', account);
  const person = await getMember(ctx.tx, account.id, input.memberId);
  if (!person) throw new NotFound('member.not_found', 'No such member in this account.');
  const now = ctx.now.toISOString();
  if (input.member) {
    await setMembershipSources(ctx.tx, account.id, group.id, person.id, { manual: true }, now, ctx.actor.label);
  } else {
    const current = await getMembership(ctx.tx, account.id, group.id, person.id);
    if (!current?.manual) return { group: group.name, effective: Boolean(current) };
    if (group.kind === 'owners' && !current.idp && !current.held) {
      const owners = await countingOwners(ctx.tx, account.id);
      if (owners.has(person.id) && owners.size === 1) {
        throw new Conflict('owners.last_owner', 'This is the last Owner of the account: add another Owner first.');
      }
    }
    await setMembershipSources(ctx.tx, account.id, group.id, person.id, { manual: false }, now);
  }
  const after = await getMembership(ctx.tx, account.id, group.id, person.id);
  await recordAudit(ctx, {
    accountId: account.id,
    mspId: account.kind === 'msp' ? account.id : account.mspId,
    action: input.member ? 'role.granted' : 'role.revoked',
    target: { type: 'member', id: person.id },
    data: { group: group.name },
  });
  if (input.member && group.kind === 'owners') await releaseHeldChanges(ctx, account);
  return { group: group.name, effective: Boolean(after) };
}
