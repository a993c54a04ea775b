// The MSP's own staff: who may act for it in its companies (Owners, Administrators, MSP
// Technicians), adding and removing technicians, and what a company sees of them.
import { staffMemberships } from '../db/groups.repo';
import { findMemberByEmail } from '../db/members.repo';
import { type Ctx } from './context';
import { setManualMembership } from './groups';
import { inviteByEmail } from './invitations';
import { authorize } from './policy';

export interface StaffView {
  memberId: string;
  email: string | null;
  state: string;
  roles: string[];
  /** Where a technician role comes from: given by hand, pushed by the MSP's IdP, or both. */
  source: Array<'manual' | 'idp'>;
}

async function staff(ctx: Ctx, mspId: string): Promise<StaffView[]> {
  const out = new Map<string, StaffView>();
  for (const r of await staffMemberships(ctx.tx, mspId)) {
    const v = out.get(r.memberId) ?? { memberId: r.memberId, email: r.email, state: r.state, roles: [], source: [] };
    v.roles.push(r.group);
    if (r.kind === 'msp_technicians') {
      if (r.manual) v.source.push('manual');
      if (r.idp || r.held) v.source.push('idp');
    }
    out.set(v.memberId, v);
  }
  return [...out.values()];
}

export async function listStaff(ctx: Ctx, mspId: string): Promise<StaffView[]> {
  await authorize(ctx, 'staff.list', mspId);
  return staff(ctx, mspId);
}

/** Makes someone a technician: an existing member of the MSP gets the role, a new email is invited into it. */
export async function addTechnician(ctx: Ctx, input: { mspId: string; email: string }): Promise<{ memberId: string; invited: boolean }> {
  await authorize(ctx, 'technicians.manage', input.mspId);
  const existing = await findMemberByEmail(ctx.tx, input.mspId, input.email);
  if (existing) {
    await setManualMembership(ctx, { accountId: input.mspId, memberId: existing.id, group: 'MSP Technicians', member: true });
    return { memberId: existing.id, invited: false };
  }
  const { member } = await inviteByEmail(ctx, { accountId: input.mspId, email: input.email, group: 'MSP Technicians' });
  return { memberId: member.id, invited: true };
}

/** Takes the role given by hand; a role the MSP's IdP pushes stays until the IdP removes it. */
export async function removeTechnician(ctx: Ctx, input: { mspId: string; memberId: string }): Promise<{ stillTechnician: boolean }> {
  await authorize(ctx, 'technicians.manage', input.mspId);
  const r = await setManualMembership(ctx, { accountId: input.mspId, memberId: input.memberId, group: 'MSP Technicians', member: false });
  return { stillTechnician: r.effective };
}

/** What a managed company sees: the people who may act in it for its MSP. */
export async function staffActingFor(ctx: Ctx, companyId: string): Promise<{ mspId: string | null; staff: StaffView[] }> {
  const company = await authorize(ctx, 'msp_staff.read', companyId);
  if (!company.mspId) return { mspId: null, staff: [] };
  return { mspId: company.mspId, staff: await staff(ctx, company.mspId) };
}
