// Who is acting: every domain write names its principal, and the audit log records it.
import type { CredentialAuthority } from '../db/credentials.repo';

export type { CredentialAuthority };

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
  | { kind: 'scim'; accountId: string; credentialId: string; label: string; authority: CredentialAuthority }
  /** An automation token scoped to one MSP account, acting as the person who created it. */
  | { kind: 'api_token'; accountId: string; tokenId: string; memberId: string; label: string };

export const operator = (label = 'cli'): Principal => ({ kind: 'operator', label });
export const system = (label = 'system'): Principal => ({ kind: 'system', label });

export function actorId(p: Principal): string | null {
  switch (p.kind) {
    case 'member':
    case 'technician':
    case 'api_token':
      return p.memberId;
    case 'scim':
      return p.credentialId;
    default:
      return null;
  }
}

/** The person behind a principal acting in their own account (a session or an API token). */
export function personOf(p: Principal): { accountId: string; memberId: string } | undefined {
  return p.kind === 'member' || p.kind === 'api_token' ? { accountId: p.accountId, memberId: p.memberId } : undefined;
}
