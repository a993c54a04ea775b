// MSP insight: the usage ledger per company over a range of days (JSON or CSV) and one company's
// daily series; company templates, their drift across companies, and reconciling one company.
import { z } from 'zod';
import { type CompanyUsage, companyUsageSeries, monthStart, usageCsv, usageOfMsp, utcDay } from '../../domain/usage';
import { type MonthlyReport, companyReport, monthlyReport, reportCsv } from '../../domain/report';
import { reportPage } from '../../web/reportPage';
import { applyTemplate, createTemplate, removeTemplate, templateDrift, templatesOf } from '../../domain/templates';
import { inAccount, noContent, routesOf } from '../route';

const usage = routesOf('msp', 'Usage');
const templates = routesOf('msp', 'Templates');
const companyReports = routesOf('msp', 'Reports');
const accountReports = routesOf('account', 'Reports');

/** The month a report is about (the previous UTC month when left out), and how to answer. */
const reportQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional(),
  format: z.enum(['json', 'csv', 'html']).optional(),
});
const lastMonth = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
const reportFormats = { csv: (r: unknown) => reportCsv(r as MonthlyReport), csvName: 'report.csv', html: (r: unknown) => reportPage(r as MonthlyReport) };

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
/** Days from and to (inclusive, UTC); the current month so far when left out. */
const range = z.object({ from: day.optional(), to: day.optional(), format: z.enum(['json', 'csv']).optional() });

export const insightRoutes = [
  usage.get(
    '/usage',
    'usage.read',
    'Usage per company from the daily ledger: seat-days, average and peak seats, days per status (CSV with ?format=csv)',
    { query: range, csv: (rows) => usageCsv(rows as CompanyUsage[]), csvName: 'usage.csv' },
    (ctx, { accountId, query }) => usageOfMsp(ctx, accountId, query.from ?? monthStart(ctx.now), query.to ?? utcDay(ctx.now)),
  ),
  usage.get(
    '/usage/companies/:companyId',
    'usage.read',
    "One company's daily snapshots in the ledger (seats filled and total, status)",
    { query: range },
    (ctx, { accountId, params, query }) =>
      companyUsageSeries(ctx, accountId, params.companyId!, query.from ?? monthStart(ctx.now), query.to ?? utcDay(ctx.now)),
  ),
  templates.get('/templates', 'templates.read', "The MSP's company templates", inAccount(templatesOf)),
  templates.post(
    '/templates',
    'templates.manage',
    "Capture a managed company's policies, settings, recovery plan, custom groups, vault names and group mappings as a template",
    { status: 201, body: z.object({ fromCompanyId: z.string().min(1).max(64), name: z.string().trim().min(1).max(200) }) },
    (ctx, { accountId, body }) => createTemplate(ctx, { mspId: accountId, fromCompanyId: body.fromCompanyId, name: body.name }),
  ),
  templates.delete(
    '/templates/:templateId',
    'templates.manage',
    'Delete a template (companies keep their setup)',
    { status: 204 },
    (ctx, { accountId, params }) => noContent(removeTemplate(ctx, accountId, params.templateId!)),
  ),
  templates.get(
    '/templates/:templateId/drift',
    'templates.read',
    'How each managed company (or one, ?companyId=) differs from the template',
    { query: z.object({ companyId: z.string().max(64).optional() }) },
    (ctx, { accountId, params, query }) => templateDrift(ctx, { mspId: accountId, templateId: params.templateId!, companyId: query.companyId }),
  ),
  templates.post(
    '/templates/:templateId/apply',
    'template.apply',
    'Bring a company in line with the template (dryRun: what would change); audited',
    { body: z.object({ companyId: z.string().min(1).max(64), dryRun: z.boolean().optional() }) },
    (ctx, { accountId, params, body }) =>
      applyTemplate(ctx, { mspId: accountId, templateId: params.templateId!, companyId: body.companyId, dryRun: body.dryRun }),
  ),
  companyReports.get(
    '/companies/:companyId/report',
    'company.report',
    "A managed company's monthly report: joiners, leavers, invitations, offboarding times, recoveries, SCIM error rate, held changes (?format=csv|html)",
    { query: reportQuery, ...reportFormats },
    (ctx, { accountId, params, query }) => companyReport(ctx, accountId, params.companyId!, query.month ?? lastMonth(ctx.now)),
  ),
  accountReports.get(
    '/report',
    'account.report',
    "The account's monthly report (?format=csv|html)",
    { query: reportQuery, ...reportFormats },
    (ctx, { accountId, query }) => monthlyReport(ctx, accountId, query.month ?? lastMonth(ctx.now)),
  ),
];
