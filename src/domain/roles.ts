// The roles a person holds: effective membership in the built-in groups. What a role may do is
// decided by the policy table (policy.ts), never here.
import { builtinKindsOf, type GroupKind } from '../db/groups.repo';
import { memberState } from '../db/members.repo';
import type { Tx } from '../db/knex';

export type Role = Exclude<GroupKind, 'custom'> | 'member';

/** Rank used by "the actor's role is at least the target's". */
export const ROLE_RANK: Record<Role, number> = { owners: 3, msp_technicians: 2, administrators: 2, member: 1 };

/** The built-in roles a member holds in an account, from effective memberships (manual, idp or held). */
export async function rolesOf(tx: Tx, accountId: string, memberId: string): Promise<Set<Role>> {
  return new Set<Role>(['member', ...(await builtinKindsOf(tx, accountId, memberId))]);
}

/** Whether the member may act at all (not suspended, not removed). */
export async function isActing(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  const state = await memberState(tx, accountId, memberId);
  return state === 'active' || state === 'invited';
}

export function highestRole(roles: Set<Role>): Role {
  let best: Role = 'member';
  for (const r of roles) if (ROLE_RANK[r] > ROLE_RANK[best]) best = r;
  return best;
}

export function roleName(r: Role): string {
  return { owners: 'Owner', administrators: 'Administrator', msp_technicians: 'MSP Technician', member: 'member' }[r];
}
