// Who is acting: every domain write names its principal, and the audit log records it.

export type Principal =
  /** The operator at the command line (full rights over the deployment). */
  | { kind: 'operator'; label: string }
  /** Background work done by the workers on the system's behalf. */
  | { kind: 'system'; label: string }
  /** A signed-in person acting inside their own account. */
  | { kind: 'member'; accountId: string; memberId: string; label: string }
  /** An MSP technician launched into a managed company. */
  | { kind: 'technician'; accountId: string; mspId: string; memberId: string; launchId: string; label: string }
  /** An identity provider pushing over SCIM with one account's credential. */
  | { kind: 'scim'; accountId: string; credentialId: string; label: string }
  /** An automation token scoped to one MSP account. */
  | { kind: 'api_token'; accountId: string; tokenId: string; label: string };

export const operator = (label = 'cli'): Principal => ({ kind: 'operator', label });
export const system = (label = 'system'): Principal => ({ kind: 'system', label });

export function actorId(p: Principal): string | null {
  switch (p.kind) {
    case 'member':
    case 'technician':
      return p.memberId;
    case 'scim':
      return p.credentialId;
    case 'api_token':
      return p.tokenId;
    default:
      return null;
  }
}
