// MSP-side endpoints: managed companies, links, launches, technicians, API tokens, the audit roll-up.
import { z } from 'zod';
import { createApiToken, endLaunch, launchCompany, listTokensOfMsp, revokeApiToken } from '../../domain/access';
import { auditLog } from '../../domain/audit';
import { addCompany, companyDetail, companySummary, listCompanies } from '../../domain/companies';
import { requestLink, showLink, unlinkCompany } from '../../domain/links';
import { addTechnician, listStaff, removeTechnician } from '../../domain/technicians';
import { tenantJobs } from '../../domain/tenantJobs';
import { auditCsv, auditQuery, linkOut } from '../views';
import { route } from '../route';

export const mspRoutes = [
  route({
    method: 'get',
    path: '/companies',
    summary: 'Managed companies: search by name, sort by status or filled seats, filter by status, page',
    tag: 'Companies',
    scope: 'msp',
    action: 'companies.list',
    query: z.object({
      search: z.string().max(200).optional(),
      sort: z.enum(['name', 'status', 'seats']).optional(),
      order: z.enum(['asc', 'desc']).optional(),
      status: z.enum(['setup', 'active', 'pending_link', 'frozen', 'trial']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    async handle(ctx, { accountId, query }) {
      const page = await listCompanies(ctx, accountId, query);
      return { total: page.total, limit: query.limit, offset: query.offset, items: page.items.map(companySummary) };
    },
  }),
  route({
    method: 'post',
    path: '/companies',
    summary: "Add a new company (in the MSP's data region)",
    tag: 'Companies',
    scope: 'msp',
    action: 'company.add',
    status: 201,
    body: z.object({
      name: z.string().trim().min(1).max(200),
      country: z.string().trim().min(1).max(64),
      website: z.string().trim().max(300).optional(),
      address: z.string().trim().max(1000).optional(),
      seats: z.number().int().min(0).max(1_000_000).optional(),
    }),
    async handle(ctx, { accountId, body }) {
      const c = await addCompany(ctx, { mspId: accountId, ...body });
      return { id: c.id, region: c.region, status: c.status };
    },
  }),
  route({
    method: 'get',
    path: '/companies/:companyId',
    summary: 'One managed company: status, seats, Owners, SCIM tokens, open link request',
    tag: 'Companies',
    scope: 'msp',
    action: 'company.read',
    async handle(ctx, { accountId, params }) {
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
  }),
  route({
    method: 'post',
    path: '/companies/:companyId/launch',
    summary: 'Launch into a company: a short-lived, audited session acting as its Administrator',
    tag: 'Launch',
    scope: 'msp',
    action: 'company.launch',
    status: 201,
    body: z.object({ reason: z.string().max(500).optional() }).default({}),
    async handle(ctx, { accountId, params, body }) {
      return launchCompany(ctx, { mspId: accountId, companyId: params.companyId!, reason: body.reason });
    },
  }),
  route({
    method: 'delete',
    path: '/launches/:launchId',
    summary: 'End a launch session',
    tag: 'Launch',
    scope: 'msp',
    action: 'launch.end',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await endLaunch(ctx, { mspId: accountId, launchId: params.launchId! });
      return undefined;
    },
  }),
  route({
    method: 'post',
    path: '/companies/:companyId/unlink',
    summary: "Unlink a company (needs an Owner of the company's own who accepted); it then has a 14-day trial",
    tag: 'Companies',
    scope: 'msp',
    action: 'company.unlink',
    async handle(ctx, { accountId, params }) {
      return unlinkCompany(ctx, { mspId: accountId, companyId: params.companyId! });
    },
  }),
  route({
    method: 'post',
    path: '/links',
    summary: "Link an existing account (or take over a transfer): same region, approved by the account's Owner",
    tag: 'Companies',
    scope: 'msp',
    action: 'link.request',
    status: 202,
    body: z.object({ accountId: z.string().trim().min(1).max(64) }),
    async handle(ctx, { accountId, body }) {
      return linkOut(await requestLink(ctx, { mspId: accountId, accountId: body.accountId }));
    },
  }),
  route({
    method: 'get',
    path: '/links/:requestId',
    summary: 'A link request: pending, awaiting_approval, linked, rejected (with reason) or expired',
    tag: 'Companies',
    scope: 'msp',
    action: 'link.read',
    async handle(ctx, { accountId, params }) {
      return linkOut(await showLink(ctx, { mspId: accountId, requestId: params.requestId! }));
    },
  }),
  route({
    method: 'get',
    path: '/technicians',
    summary: "The MSP's staff who may act in its companies (Owners, Administrators, MSP Technicians)",
    tag: 'Technicians',
    scope: 'msp',
    action: 'staff.list',
    async handle(ctx, { accountId }) {
      return listStaff(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/technicians',
    summary: 'Make someone an MSP Technician (an existing member, or a new person invited)',
    tag: 'Technicians',
    scope: 'msp',
    action: 'technicians.manage',
    status: 201,
    body: z.object({ email: z.email().max(320) }),
    async handle(ctx, { accountId, body }) {
      return addTechnician(ctx, { mspId: accountId, email: body.email });
    },
  }),
  route({
    method: 'delete',
    path: '/technicians/:memberId',
    summary: 'Take the MSP Technician role given by hand (an IdP-pushed role stays until the IdP removes it)',
    tag: 'Technicians',
    scope: 'msp',
    action: 'technicians.manage',
    async handle(ctx, { accountId, params }) {
      return removeTechnician(ctx, { mspId: accountId, memberId: params.memberId! });
    },
  }),
  route({
    method: 'get',
    path: '/api-tokens',
    summary: 'API tokens of the MSP (never their secrets)',
    tag: 'API tokens',
    scope: 'msp',
    action: 'api_tokens.manage',
    async handle(ctx, { accountId }) {
      return listTokensOfMsp(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/api-tokens',
    summary: 'Create an API token (shown once) acting as you',
    tag: 'API tokens',
    scope: 'msp',
    action: 'api_tokens.manage',
    status: 201,
    body: z.object({ label: z.string().max(200).optional() }).default({}),
    async handle(ctx, { accountId, body }) {
      return createApiToken(ctx, { mspId: accountId, label: body.label });
    },
  }),
  route({
    method: 'delete',
    path: '/api-tokens/:tokenId',
    summary: 'Revoke an API token',
    tag: 'API tokens',
    scope: 'msp',
    action: 'api_tokens.manage',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await revokeApiToken(ctx, { mspId: accountId, tokenId: params.tokenId! });
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/audit',
    summary: 'Audit log of the MSP and every company it managed at the time (filters; CSV with ?format=csv)',
    tag: 'Audit',
    scope: 'msp',
    action: 'msp.audit',
    query: auditQuery,
    csv: auditCsv,
    async handle(ctx, { accountId, query }) {
      return auditLog(ctx, accountId, query, true);
    },
  }),
  route({
    method: 'get',
    path: '/jobs',
    summary: "Background jobs of the MSP's own tenants (itself and its companies), newest first; no payloads",
    tag: 'Jobs',
    scope: 'msp',
    action: 'msp.jobs',
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.coerce.number().int().min(1).optional() }),
    async handle(ctx, { accountId, query }) {
      return tenantJobs(ctx, accountId, { limit: query.limit, beforeId: query.before });
    },
  }),
];
