// `mspbridge company update --seats` (a hard seat cap) and `technicians assign|unassign|assignments`
// (the companies an MSP Technician reaches when the MSP's technician scope is `assigned`).
import type { Command } from 'commander';
import { updateCompanySeats } from '../domain/seatCaps';
import { assignTechnician, listTechnicianAssignments, unassignTechnician } from '../domain/technicianScope';
import { parseIntOption } from './action';
import { MSP, operatorCommand } from './command';
import { table } from './output';

const COMPANY = ['--company <id>', 'company id'] as const;
const MEMBER = ['--member <id>', 'member id of an MSP Technician'] as const;

interface AssignOpts {
  msp: string;
  member: string;
  company: string;
}

export function registerSeatsAndScope(program: Command, company: Command): void {
  operatorCommand(company, 'update', {
    description: "change a company's seat allowance; it becomes a hard cap (SCIM creates and invitations beyond it are refused)",
    required: [MSP, COMPANY, ['--seats <n>', 'seat cap (0 to 1,000,000)', parseIntOption('--seats')]],
    run: (ctx, opts: { msp: string; company: string; seats: number }) =>
      updateCompanySeats(ctx, { mspId: opts.msp, companyId: opts.company, seats: opts.seats }),
    text: (o) => `Company ${o.id}: seat cap ${o.seatsTotal}, ${o.seatsFilled} filled${o.atCap ? ' (at the cap: new people are refused)' : ''}.`,
  });

  const tech = program.commands.find((c) => c.name() === 'technicians') ?? program.command('technicians').description("the MSP's staff");
  operatorCommand(tech, 'assign', {
    description: 'assign a company to an MSP Technician (what they reach with technician scope "assigned")',
    required: [MSP, MEMBER, COMPANY],
    run: (ctx, opts: AssignOpts) => assignTechnician(ctx, { mspId: opts.msp, memberId: opts.member, companyId: opts.company }),
    text: (o) => (o.changed ? `Company ${o.companyId} assigned to ${o.memberId}.` : `Company ${o.companyId} was already assigned to ${o.memberId}.`),
  });
  operatorCommand(tech, 'unassign', {
    description: "take a company out of an MSP Technician's scope",
    required: [MSP, MEMBER, COMPANY],
    run: (ctx, opts: AssignOpts) => unassignTechnician(ctx, { mspId: opts.msp, memberId: opts.member, companyId: opts.company }),
    text: (o) => (o.changed ? `Company ${o.companyId} unassigned from ${o.memberId}.` : `Company ${o.companyId} was not assigned to ${o.memberId}.`),
  });
  operatorCommand(tech, 'assignments', {
    description: 'list which companies are assigned to which technicians',
    required: [MSP],
    options: [
      ['--member <id>', 'only this technician'],
      ['--company <id>', 'only this company'],
    ],
    run: (ctx, opts: { msp: string; member?: string; company?: string }) =>
      listTechnicianAssignments(ctx, opts.msp, { memberId: opts.member, companyId: opts.company }),
    text: (rows) =>
      rows.length
        ? table(
            ['MEMBER', 'EMAIL', 'COMPANY', 'NAME'],
            rows.map((r) => [r.memberId, r.email, r.companyId, r.companyName]),
          )
        : 'No assignments.',
  });
}
