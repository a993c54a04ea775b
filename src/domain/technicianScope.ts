// Technician scope: with the MSP's setting `technicianScope: assigned`, an MSP Technician (who is
// not also an MSP Owner or Administrator) reaches only the companies assigned to them. The policy
// decides (state `scope.unassigned`); this module keeps the assignments.
import { getManagedCompany } from '../db/accounts.repo';
import { getMemberAnyState } from '../db/members.repo';
import { type AssignmentRow, deleteAssignment, insertAssignment, listAssignments } from '../db/technicianAssignments.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Invalid, NotFound } from './errors';
import { authorize } from './policy';
import { rolesOf } from './roles';

export interface AssignmentInput {
  mspId: string;
  memberId: string;
  companyId: string;
}

export interface AssignmentResult {
  memberId: string;
  companyId: string;
  assigned: boolean;
  /** False when it already was so (assigning or unassigning twice changes nothing). */
  changed: boolean;
}

async function resolve(ctx: Ctx, input: AssignmentInput) {
  await authorize(ctx, 'technicians.manage', input.mspId);
  const company = await getManagedCompany(ctx.tx, input.mspId, input.companyId);
  if (!company) throw new NotFound('company.not_found', 'No such company managed by this MSP.');
  const member = await getMemberAnyState(ctx.tx, input.mspId, input.memberId);
  if (!member || member.state === 'removed') throw new NotFound('member.not_found', 'No such member of the MSP.');
  return { company, member };
}

/** `technicians assign`: the company is added to the technician's scope. */
export async function assignTechnician(ctx: Ctx, input: AssignmentInput): Promise<AssignmentResult> {
  const { company, member } = await resolve(ctx, input);
  if (!(await rolesOf(ctx.tx, input.mspId, member.id)).has('msp_technicians')) {
    throw new Invalid('technician.not_technician', `${member.email ?? member.userName} is not an MSP Technician of this MSP.`);
  }
  const changed = await insertAssignment(ctx.tx, {
    mspId: input.mspId,
    memberId: member.id,
    companyId: company.id,
    createdBy: ctx.actor.label,
    createdAt: nowIso(ctx),
  });
  if (changed) await audit(ctx, input, 'technician.assigned');
  return { memberId: member.id, companyId: company.id, assigned: true, changed };
}

/** `technicians unassign`: the company leaves the technician's scope (their open launches into it stop working). */
export async function unassignTechnician(ctx: Ctx, input: AssignmentInput): Promise<AssignmentResult> {
  const { company, member } = await resolve(ctx, input);
  const changed = await deleteAssignment(ctx.tx, input.mspId, member.id, company.id);
  if (changed) await audit(ctx, input, 'technician.unassigned');
  return { memberId: member.id, companyId: company.id, assigned: false, changed };
}

function audit(ctx: Ctx, input: AssignmentInput, action: string): Promise<void> {
  return recordAudit(ctx, { accountId: input.companyId, mspId: input.mspId, action, target: { type: 'member', id: input.memberId } });
}

export interface AssignmentView {
  memberId: string;
  email: string | null;
  companyId: string;
  companyName: string;
  assignedAt: string;
  assignedBy: string;
}

const view = (r: AssignmentRow): AssignmentView => ({
  memberId: r.memberId,
  email: r.email,
  companyId: r.companyId,
  companyName: r.companyName,
  assignedAt: r.createdAt,
  assignedBy: r.createdBy,
});

/** `technicians list`: the MSP's assignments, optionally of one technician or one company. */
export async function listTechnicianAssignments(ctx: Ctx, mspId: string, of: { memberId?: string; companyId?: string } = {}): Promise<AssignmentView[]> {
  await authorize(ctx, 'staff.list', mspId);
  return (await listAssignments(ctx.tx, mspId, of)).map(view);
}
