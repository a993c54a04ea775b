// Seat caps (`PATCH /companies/:companyId` sets a company's allowance as a hard cap) and technician
// scope (which companies an MSP Technician is assigned to).
import { z } from 'zod';
import { updateCompanySeats } from '../../domain/seatCaps';
import { assignTechnician, listTechnicianAssignments, unassignTechnician } from '../../domain/technicianScope';
import { routesOf } from '../route';

const companies = routesOf('msp', 'Companies');
const technicians = routesOf('msp', 'Technicians');

export const seatsAndScopeRoutes = [
  companies.patch(
    '/companies/:companyId',
    'company.update',
    "Change a company's seat allowance; it becomes a hard cap (SCIM creates and invitations beyond it are refused)",
    { body: z.object({ seats: z.number().int().min(0).max(1_000_000) }) },
    (ctx, { accountId, params, body }) => updateCompanySeats(ctx, { mspId: accountId, companyId: params.companyId!, seats: body.seats }),
  ),
  technicians.get(
    '/technician-assignments',
    'staff.list',
    'Which companies are assigned to which MSP Technicians (technician scope "assigned"), optionally of one technician or company',
    { query: z.object({ memberId: z.string().max(64).optional(), companyId: z.string().max(64).optional() }) },
    (ctx, { accountId, query }) => listTechnicianAssignments(ctx, accountId, query),
  ),
  technicians.put(
    '/technicians/:memberId/companies/:companyId',
    'technicians.manage',
    'Assign a managed company to an MSP Technician (assigning twice changes nothing)',
    (ctx, { accountId, params }) => assignTechnician(ctx, { mspId: accountId, memberId: params.memberId!, companyId: params.companyId! }),
  ),
  technicians.delete(
    '/technicians/:memberId/companies/:companyId',
    'technicians.manage',
    "Take a company out of an MSP Technician's scope",
    (ctx, { accountId, params }) => unassignTechnician(ctx, { mspId: accountId, memberId: params.memberId!, companyId: params.companyId! }),
  ),
];
