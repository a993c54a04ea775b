// Who may do what: roles come from effective membership in the built-in groups; a technician acts
// inside a company only through a launch session, as one of its Administrators.
import { type GroupKind } from '../db/groups.repo';
import type { Tx } from '../db/knex';
import type { Ctx } from './context';
import { Forbidden, NotFound } from './errors';
import { personOf } from './principal';

export type Role = Exclude<GroupKind, 'custom'> | 'member';

/** Rank used by "the actor's role is at least the target's". */
export const ROLE_RANK: Record<Role, number> = { owners: 3, msp_technicians: 2, administrators: 2, member: 1 };

/** The built-in roles a member holds in an account, from effective memberships (manual, idp or held). */
export async function rolesOf(tx: Tx, accountId: string, memberId: string): Promise<Set<Role>> {
  const rows = (await tx('memberships as ms')
    .join('groups as g', 'g.id', 'ms.group_id')
    .join('members as m', 'm.id', 'ms.member_id')
    .where({ 'ms.account_id': accountId, 'ms.member_id': memberId, 'm.account_id': accountId })
    .whereIn('m.state', ['invited', 'active'])
    .whereNot('g.kind', 'custom')
    .select('g.kind')) as Array<{ kind: Role }>;
  return new Set<Role>(['member', ...rows.map((r) => r.kind)]);
}

/** Whether the member may act at all (not suspended, not removed). */
export async function isActing(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  const m = (await tx('members').where({ account_id: accountId, id: memberId }).first('state')) as { state: string } | undefined;
  return m?.state === 'active' || m?.state === 'invited';
}

export function highestRole(roles: Set<Role>): Role {
  let best: Role = 'member';
  for (const r of roles) if (ROLE_RANK[r] > ROLE_RANK[best]) best = r;
  return best;
}

const MSP_STAFF: Role[] = ['owners', 'administrators', 'msp_technicians'];

/**
 * The actor may act as MSP staff of mspId: Owner, Administrator or MSP Technician by default,
 * or only the roles given. Anyone from another account learns nothing (404).
 */
export async function assertMspStaff(ctx: Ctx, mspId: string, allowed: Role[] = MSP_STAFF): Promise<void> {
  const a = ctx.actor;
  if (a.kind === 'operator' || a.kind === 'system') return;
  const person = personOf(a);
  if (person && person.accountId === mspId) {
    const roles = await rolesOf(ctx.tx, mspId, person.memberId);
    if (allowed.some((r) => roles.has(r))) return;
    throw new Forbidden('role.required', `This needs one of: ${allowed.map(roleName).join(', ')} of the MSP.`);
  }
  throw new NotFound('msp.not_found', 'No such MSP.');
}

/**
 * The actor may administer accountId: its Owners and Administrators (or only Owners with
 * ownersOnly), or an MSP technician launched into it (not for Owner-only matters).
 */
export async function assertAccountAdmin(ctx: Ctx, accountId: string, opts: { ownersOnly?: boolean } = {}): Promise<void> {
  const a = ctx.actor;
  if (a.kind === 'operator' || a.kind === 'system') return;
  if (a.kind === 'technician' && a.accountId === accountId) {
    if (opts.ownersOnly) throw new Forbidden('role.owner_required', "This is for the company's own Owners.");
    return;
  }
  const person = personOf(a);
  if (person && person.accountId === accountId) {
    const roles = await rolesOf(ctx.tx, accountId, person.memberId);
    if (roles.has('owners') || (!opts.ownersOnly && roles.has('administrators'))) return;
    throw new Forbidden('role.required', opts.ownersOnly ? 'This needs an Owner of the account.' : 'This needs an Owner or Administrator of the account.');
  }
  throw new NotFound('account.not_found', 'No such account.');
}

/** The actor is a member of accountId (any role), or launched into it. */
export async function assertAccountMember(ctx: Ctx, accountId: string): Promise<void> {
  const a = ctx.actor;
  if (a.kind === 'operator' || a.kind === 'system') return;
  if (a.kind === 'technician' && a.accountId === accountId) return;
  const person = personOf(a);
  if (person && person.accountId === accountId && (await isActing(ctx.tx, accountId, person.memberId))) return;
  throw new NotFound('account.not_found', 'No such account.');
}

export function roleName(r: Role): string {
  return { owners: 'Owner', administrators: 'Administrator', msp_technicians: 'MSP Technician', member: 'member' }[r];
}
