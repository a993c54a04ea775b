// Who may do what: roles come from effective membership in the built-in groups.
import { type GroupKind } from '../db/groups.repo';
import type { Tx } from '../db/knex';
import type { Ctx } from './context';
import { Forbidden, NotFound } from './errors';

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

export function highestRole(roles: Set<Role>): Role {
  let best: Role = 'member';
  for (const r of roles) if (ROLE_RANK[r] > ROLE_RANK[best]) best = r;
  return best;
}

/** The actor may act as MSP staff (Owner, Administrator or MSP Technician) of mspId. */
export async function assertMspStaff(ctx: Ctx, mspId: string): Promise<void> {
  const a = ctx.actor;
  if (a.kind === 'operator' || a.kind === 'system') return;
  if (a.kind === 'api_token' && a.accountId === mspId) return;
  if (a.kind === 'member' && a.accountId === mspId) {
    const roles = await rolesOf(ctx.tx, mspId, a.memberId);
    if (roles.has('owners') || roles.has('administrators') || roles.has('msp_technicians')) return;
    throw new Forbidden('role.required', 'This needs an Owner, Administrator or MSP Technician of the MSP.');
  }
  // Anyone from another account must not learn that this MSP exists.
  throw new NotFound('msp.not_found', 'No such MSP.');
}

/** The actor may administer accountId (Owner or Administrator, or a technician launched into it). */
export async function assertAccountAdmin(ctx: Ctx, accountId: string): Promise<void> {
  const a = ctx.actor;
  if (a.kind === 'operator' || a.kind === 'system') return;
  if (a.kind === 'technician' && a.accountId === accountId) return;
  if ((a.kind === 'scim' || a.kind === 'api_token') && a.accountId === accountId) return;
  if (a.kind === 'member' && a.accountId === accountId) {
    const roles = await rolesOf(ctx.tx, accountId, a.memberId);
    if (roles.has('owners') || roles.has('administrators')) return;
    throw new Forbidden('role.required', 'This needs an Owner or Administrator of the account.');
  }
  throw new NotFound('account.not_found', 'No such account.');
}
