// The roles a person holds: effective membership in the built-in groups. What a role may do is
// decided by the policy table (policy.ts), never here.
import { builtinKindsOf, type GroupKind } from '../db/groups.repo';
import { memberState } from '../db/members.repo';
import type { Tx } from '../db/knex';

export type Role = Exclude<GroupKind, 'custom'> | 'member';

/** The built-in roles a member holds in an account, from effective memberships (manual, idp or held). */
export async function rolesOf(tx: Tx, accountId: string, memberId: string): Promise<Set<Role>> {
  return new Set<Role>(['member', ...(await builtinKindsOf(tx, accountId, memberId))]);
}

/** Whether the member may act at all (not suspended, not removed). */
export async function isActing(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  return isActingState(await memberState(tx, accountId, memberId));
}

/** Whether a member in this state (undefined: no such member) may act. */
export const isActingState = (state: string | undefined): boolean => state === 'active' || state === 'invited';
