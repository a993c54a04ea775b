// The MSP's own staff: who may act for it in its companies (Owners, Administrators, MSP
// Technicians), adding and removing technicians, and what a company sees of them.
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
  const rows = (await ctx.tx('memberships as ms')
    .join('groups as g', 'g.id', 'ms.group_id')
    .join('members as m', 'm.id', 'ms.member_id')
    .where({ 'ms.account_id': mspId, 'm.account_id': mspId })
    .whereIn('g.kind', ['owners', 'administrators', 'msp_technicians'])
    .whereIn('m.state', ['invited', 'active'])
    .orderBy('m.email_ci')
    .select('m.id', 'm.email', 'm.state', 'g.name', 'g.kind', 'ms.manual', 'ms.idp', 'ms.held')) as Array<Record<string, unknown>>;
  const out = new Map<string, StaffView>();
  for (const r of rows) {
    const v = out.get(r.id as string) ?? { memberId: r.id as string, email: (r.email as string | null) ?? null, state: r.state as string, roles: [], source: [] };
    v.roles.push(r.name as string);
    if (r.kind === 'msp_technicians') {
      if (r.manual === true || r.manual === 1) v.source.push('manual');
      if (r.idp === true || r.idp === 1 || r.held === true || r.held === 1) v.source.push('idp');
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
