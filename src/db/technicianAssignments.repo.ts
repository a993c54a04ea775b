// Which managed companies an MSP Technician is assigned to (technician scope `assigned`).
import type { Tx } from './knex';
import { rowCodec, text, time } from './codec';

export interface TechnicianAssignment {
  mspId: string;
  companyId: string;
  memberId: string;
  createdBy: string;
  createdAt: string;
}

const ASSIGNMENT = rowCodec<TechnicianAssignment>({ mspId: text, companyId: text, memberId: text, createdBy: text, createdAt: time });

export async function isAssigned(tx: Tx, mspId: string, memberId: string, companyId: string): Promise<boolean> {
  return Boolean(await tx('technician_assignments').where({ msp_id: mspId, member_id: memberId, company_id: companyId }).first('company_id'));
}

/** Inserts the assignment; false when it was already there (assigning twice changes nothing). */
export async function insertAssignment(tx: Tx, a: TechnicianAssignment): Promise<boolean> {
  const rows = (await tx('technician_assignments')
    .insert(ASSIGNMENT.write(a))
    .onConflict(['msp_id', 'member_id', 'company_id'])
    .ignore()
    .returning('company_id')) as unknown[];
  return rows.length > 0;
}

/** Deletes the assignment; false when there was none. */
export async function deleteAssignment(tx: Tx, mspId: string, memberId: string, companyId: string): Promise<boolean> {
  return (await tx('technician_assignments').where({ msp_id: mspId, member_id: memberId, company_id: companyId }).delete()) > 0;
}

export interface AssignmentRow extends TechnicianAssignment {
  companyName: string;
  email: string | null;
}

/** The MSP's assignments (of one technician, or of one company), by company name. */
export async function listAssignments(tx: Tx, mspId: string, of: { memberId?: string; companyId?: string } = {}): Promise<AssignmentRow[]> {
  const q = tx('technician_assignments as ta')
    .join('accounts as a', 'a.id', 'ta.company_id')
    .join('members as m', function () {
      this.on('m.id', '=', 'ta.member_id').andOn('m.account_id', '=', 'ta.msp_id');
    })
    .where('ta.msp_id', mspId)
    .select('ta.msp_id', 'ta.company_id', 'ta.member_id', 'ta.created_by', 'ta.created_at', 'a.name as company_name', 'm.email');
  if (of.memberId) q.andWhere('ta.member_id', of.memberId);
  if (of.companyId) q.andWhere('ta.company_id', of.companyId);
  const rows = (await q.orderBy([{ column: 'a.name_ci' }, { column: 'ta.company_id' }, { column: 'm.email' }])) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ ...ASSIGNMENT.read(r), companyName: String(r.company_name), email: (r.email as string | null) ?? null }));
}
