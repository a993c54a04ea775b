// MSP-side endpoints: managed companies, links, launches, technicians, API tokens, the audit roll-up.
import { z } from 'zod';
import { createApiToken, endLaunch, launchCompany, listTokensOfMsp, revokeApiToken } from '../../domain/access';
import { auditLog } from '../../domain/audit';
import { addCompany, companyDetail, companySummary, listCompanies } from '../../domain/companies';
import { requestLink, showLink, unlinkCompany } from '../../domain/links';
import { addCompanyFromTemplate } from '../../domain/templates';
import { addTechnician, listStaff, removeTechnician } from '../../domain/technicians';
import { tenantJobs } from '../../domain/tenantJobs';
import { auditCsv, auditQuery, linkOut } from '../views';
import { inAccount, noContent, routesOf } from '../route';

const companies = routesOf('msp', 'Companies');
const launch = routesOf('msp', 'Launch');
const technicians = routesOf('msp', 'Technicians');
const apiTokens = routesOf('msp', 'API tokens');

const companyQuery = z.object({
  search: z.string().max(200).optional(),
  sort: z.enum(['name', 'status', 'seats']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  status: z.enum(['setup', 'active', 'pending_link', 'frozen', 'trial']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const newCompany = z.object({
  name: z.string().trim().min(1).max(200),
  country: z.string().trim().min(1).max(64),
  website: z.string().trim().max(300).optional(),
  address: z.string().trim().max(1000).optional(),
  seats: z.number().int().min(0).max(1_000_000).optional(),
  /** Set the company up from this template (as `template apply` would, in the same transaction). */
  templateId: z.string().min(1).max(64).optional(),
});

export const mspRoutes = [
  companies.get(
    '/companies',
    'companies.list',
    'Managed companies: search by name, sort by status or filled seats, filter by status, page',
    { query: companyQuery },
    async (ctx, { accountId, query }) => {
      const page = await listCompanies(ctx, accountId, query);
      return { total: page.total, limit: query.limit, offset: query.offset, items: page.items.map(companySummary) };
    },
  ),
  companies.post(
    '/companies',
    'company.add',
    "Add a new company (in the MSP's data region)",
    { status: 201, body: newCompany },
    async (ctx, { accountId, body: { templateId, ...body } }) => {
      const c = templateId
        ? (await addCompanyFromTemplate(ctx, { mspId: accountId, ...body }, templateId)).company
        : await addCompany(ctx, { mspId: accountId, ...body });
      return { id: c.id, region: c.region, status: c.status };
    },
  ),
  companies.get(
    '/companies/:companyId',
    'company.read',
    'One managed company: status, seats, Owners, SCIM tokens, open link request',
    async (ctx, { accountId, params }) => {
      const d = await companyDetail(ctx, accountId, params.companyId!);
      return {
        ...companySummary(d.company),
        website: d.company.website,
        country: d.company.country,
        address: d.company.address,
        trialEndsAt: d.company.trialEndsAt,
        owners: d.owners,
        members: d.members,
        scimTokens: d.scimTokens,
        openLinkRequest: d.openLinkRequest,
        canUnlink: d.canUnlink,
      };
    },
  ),
  launch.post(
    '/companies/:companyId/launch',
    'company.launch',
    'Launch into a company: a short-lived, audited session acting as its Administrator',
    { status: 201, body: z.object({ reason: z.string().max(500).optional() }).default({}) },
    (ctx, { accountId, params, body }) => launchCompany(ctx, { mspId: accountId, companyId: params.companyId!, reason: body.reason }),
  ),
  launch.delete('/launches/:launchId', 'launch.end', 'End a launch session', { status: 204 }, (ctx, { accountId, params }) =>
    noContent(endLaunch(ctx, { mspId: accountId, launchId: params.launchId! })),
  ),
  companies.post(
    '/companies/:companyId/unlink',
    'company.unlink',
    "Unlink a company (needs an Owner of the company's own who accepted); it then has a 14-day trial",
    (ctx, { accountId, params }) => unlinkCompany(ctx, { mspId: accountId, companyId: params.companyId! }),
  ),
  companies.post(
    '/links',
    'link.request',
    "Link an existing account (or take over a transfer): same region, approved by the account's Owner",
    { status: 202, body: z.object({ accountId: z.string().trim().min(1).max(64) }) },
    async (ctx, { accountId, body }) => linkOut(await requestLink(ctx, { mspId: accountId, accountId: body.accountId })),
  ),
  companies.get(
    '/links/:requestId',
    'link.read',
    'A link request: pending, awaiting_approval, linked, rejected (with reason) or expired',
    async (ctx, { accountId, params }) => linkOut(await showLink(ctx, { mspId: accountId, requestId: params.requestId! })),
  ),
  technicians.get('/technicians', 'staff.list', "The MSP's staff who may act in its companies (Owners, Administrators, MSP Technicians)", inAccount(listStaff)),
  technicians.post(
    '/technicians',
    'technicians.manage',
    'Make someone an MSP Technician (an existing member, or a new person invited)',
    { status: 201, body: z.object({ email: z.email().max(320) }) },
    (ctx, { accountId, body }) => addTechnician(ctx, { mspId: accountId, email: body.email }),
  ),
  technicians.delete(
    '/technicians/:memberId',
    'technicians.manage',
    'Take the MSP Technician role given by hand (an IdP-pushed role stays until the IdP removes it)',
    (ctx, { accountId, params }) => removeTechnician(ctx, { mspId: accountId, memberId: params.memberId! }),
  ),
  apiTokens.get('/api-tokens', 'api_tokens.manage', 'API tokens of the MSP (never their secrets)', inAccount(listTokensOfMsp)),
  apiTokens.post(
    '/api-tokens',
    'api_tokens.manage',
    'Create an API token (shown once) acting as you',
    { status: 201, body: z.object({ label: z.string().max(200).optional() }).default({}) },
    (ctx, { accountId, body }) => createApiToken(ctx, { mspId: accountId, label: body.label }),
  ),
  apiTokens.delete('/api-tokens/:tokenId', 'api_tokens.manage', 'Revoke an API token', { status: 204 }, (ctx, { accountId, params }) =>
    noContent(revokeApiToken(ctx, { mspId: accountId, tokenId: params.tokenId! })),
  ),
  routesOf('msp', 'Audit').get(
    '/audit',
    'msp.audit',
    'Audit log of the MSP and every company it managed at the time (filters; CSV with ?format=csv)',
    { query: auditQuery, csv: auditCsv },
    (ctx, { accountId, query }) => auditLog(ctx, accountId, query, true),
  ),
  routesOf('msp', 'Jobs').get(
    '/jobs',
    'msp.jobs',
    "Background jobs of the MSP's own tenants (itself and its companies), newest first; no payloads",
    { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.coerce.number().int().min(1).optional() }) },
    (ctx, { accountId, query }) => tenantJobs(ctx, accountId, { limit: query.limit, beforeId: query.before }),
  ),
];
