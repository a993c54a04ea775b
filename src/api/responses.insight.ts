// What the MSP insight routes answer (usage ledger, company templates, monthly reports): part of
// RESPONSES in responses.ts, kept apart as the console's catalogues keep features apart.
import { z } from 'zod';
import { id, time } from './responseParts';

const difference = z.object({
  area: z.enum(['policies', 'settings', 'recoveryPlan', 'groups', 'vaults', 'mappings']),
  key: z.string(),
  expected: z.unknown(),
  actual: z.unknown(),
});
const template = z.object({
  id,
  name: z.string(),
  sourceCompanyId: z.string().nullable(),
  spec: z.object({
    policies: z.object({ passwordMinLength: z.number().optional(), requireTwoFactor: z.boolean().optional() }),
    recoveryPlan: z.object({ allowAdministrators: z.boolean().optional(), allowTechnicians: z.boolean().optional() }),
    settings: z.record(z.string(), z.unknown()),
    groups: z.array(z.object({ name: z.string(), description: z.string().nullable() })),
    vaults: z.array(z.string()),
    mappings: z.array(z.object({ idpGroup: z.string(), group: z.string() })),
  }),
  createdAt: time,
});
const reportPerson = z.object({ memberId: id, email: z.string().nullable(), userName: z.string().nullable(), at: time });
const monthlyReport = z.object({
  accountId: id,
  accountName: z.string(),
  month: z.string(),
  language: z.enum(['en', 'de']),
  from: time,
  to: time,
  joiners: z.number(),
  leavers: z.number(),
  invitationsSent: z.number(),
  invitationRemindersSent: z.number(),
  invitationsAccepted: z.number(),
  deprovisionings: z.number(),
  deprovisioningLatencyMedianSeconds: z.number().nullable(),
  deprovisioningLatencyMaxSeconds: z.number().nullable(),
  deprovisioningsNotApplied: z.number(),
  recoveriesStarted: z.number(),
  recoveriesCompleted: z.number(),
  scimRequests: z.number(),
  scimErrors: z.number(),
  scimErrorRate: z.number(),
  heldChanges: z.number(),
  heldChangesByReason: z.record(z.string(), z.number()),
  heldChangesApplied: z.number(),
  heldChangesDiscarded: z.number(),
  heldChangesOpen: z.number(),
  joined: z.array(reportPerson),
  left: z.array(reportPerson),
  offboarding: z.array(
    z.object({
      memberId: id,
      email: z.string().nullable(),
      userName: z.string().nullable(),
      requestedAt: time,
      appliedAt: time.nullable(),
      latencySeconds: z.number().nullable(),
      outcome: z.enum(['applied', 'released', 'held', 'discarded', 'cancelled']),
      heldBy: z.string().nullable(),
    }),
  ),
});

export const INSIGHT_RESPONSES: Record<string, z.ZodType> = {
  'GET /usage': z.array(
    z.object({
      companyId: id,
      name: z.string(),
      seatDays: z.number(),
      avgSeats: z.number(),
      peakSeats: z.number(),
      statusDays: z.object({ trial: z.number(), active: z.number(), frozen: z.number(), setup: z.number() }),
      days: z.number(),
    }),
  ),
  'GET /templates': z.array(template),
  'GET /companies/:companyId/report': monthlyReport,
  'GET /accounts/:accountId/report': monthlyReport,
  'POST /templates': template,
  'GET /templates/:templateId/drift': z.array(z.object({ companyId: id, name: z.string(), differences: z.array(difference) })),
  'POST /templates/:templateId/apply': z.object({
    companyId: id,
    templateId: id,
    dryRun: z.boolean(),
    changes: z.array(difference.extend({ result: z.enum(['applied', 'refused', 'waiting']), reason: z.string().optional() })),
    remaining: z.array(difference),
  }),
  'GET /usage/companies/:companyId': z.array(z.object({ day: z.string(), seatsFilled: z.number(), seatsTotal: z.number(), status: z.string() })),
};
