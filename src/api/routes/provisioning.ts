// Endpoints for connecting an account's IdP: SCIM tokens and OAuth clients, group mappings with
// their previews, drift and resync, and the SCIM request log.
import { z } from 'zod';
import { driftReport, listMappings, removeMapping, resync, setMapping } from '../../domain/mapping';
import { scimRequestLog } from '../../domain/provisioningLog';
import { createOAuthClient, listOAuthClients, revokeOAuthClient, rotateOAuthClient } from '../../domain/oauthClients';
import { createScimToken, listTokens, revokeScimToken } from '../../domain/scimTokens';
import { route } from '../route';

const dryRun = z.object({ dryRun: z.enum(['true', 'false']).optional() });

export const provisioningRoutes = [
  route({
    method: 'get',
    path: '/accounts/:accountId/scim',
    summary: "Connecting the account's IdP: the SCIM base URL and its tokens (never their secrets)",
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.read',
    async handle(ctx, { accountId, rt }) {
      return { baseUrl: `${rt.config.publicUrl}/scim/v2`, tokens: await listTokens(ctx, accountId) };
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/scim/tokens',
    summary: 'Create a SCIM token (shown once)',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.manage',
    status: 201,
    body: z.object({ label: z.string().max(200).optional() }).default({}),
    async handle(ctx, { accountId, body, rt }) {
      const t = await createScimToken(ctx, accountId, body.label);
      return { id: t.id, token: t.token, baseUrl: `${rt.config.publicUrl}/scim/v2` };
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/scim/tokens/:tokenId',
    summary: 'Revoke a SCIM token',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.manage',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await revokeScimToken(ctx, accountId, params.tokenId!);
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/scim/clients',
    summary: 'OAuth 2.0 clients for SCIM (client credentials), never their secrets',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.read',
    async handle(ctx, { accountId }) {
      return listOAuthClients(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/scim/clients',
    summary: 'Create an OAuth 2.0 client for SCIM (the secret is shown once)',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.manage',
    status: 201,
    body: z.object({ label: z.string().max(200).optional() }).default({}),
    async handle(ctx, { accountId, body, rt }) {
      const c = await createOAuthClient(ctx, { accountId, label: body.label });
      return { ...c, tokenUrl: `${rt.config.publicUrl}/oauth/token`, scimBaseUrl: `${rt.config.publicUrl}/scim/v2` };
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/scim/clients/:clientId/rotate',
    summary: 'Rotate the secret of an OAuth 2.0 client',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.manage',
    async handle(ctx, { accountId, params }) {
      return rotateOAuthClient(ctx, { accountId, clientId: params.clientId! });
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/scim/clients/:clientId',
    summary: 'Revoke an OAuth 2.0 client (its access tokens stop working)',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.credentials.manage',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await revokeOAuthClient(ctx, { accountId, clientId: params.clientId! });
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/scim/requests',
    summary: 'Recent SCIM requests from the IdP (bodies redacted), newest first',
    tag: 'Provisioning',
    scope: 'account',
    action: 'scim.log.read',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      beforeId: z.coerce.number().int().min(1).optional(),
      errors: z.enum(['true', 'false']).optional(),
    }),
    async handle(ctx, { accountId, query }) {
      return scimRequestLog(ctx, accountId, { limit: query.limit, beforeId: query.beforeId, errorsOnly: query.errors === 'true' });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/mappings',
    summary: 'IdP group -> role mappings',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.read',
    async handle(ctx, { accountId }) {
      return listMappings(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/mappings',
    summary: 'Map a pushed IdP group (SCIM id or externalId) to Owners, Administrators, MSP Technicians or a custom group; dryRun previews',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.change',
    body: z.object({ scimGroup: z.string().trim().min(1).max(255), group: z.string().trim().min(1).max(255), dryRun: z.boolean().optional() }),
    async handle(ctx, { accountId, body }) {
      return setMapping(ctx, { accountId, scimGroup: body.scimGroup, group: body.group }, { dryRun: body.dryRun });
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/mappings/:mappingId',
    summary: 'Remove a mapping (?dryRun=true previews)',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.change',
    query: dryRun,
    async handle(ctx, { accountId, params, query }) {
      return removeMapping(ctx, { accountId, mappingId: params.mappingId }, { dryRun: query.dryRun === 'true' });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/mappings/drift',
    summary: 'Mirror vs effective roles, held changes, unmapped IdP groups',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.read',
    async handle(ctx, { accountId }) {
      return driftReport(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/mappings/resync',
    summary: 'Recompute every IdP-sourced role from the mirror (?dryRun=true previews)',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.change',
    query: dryRun,
    async handle(ctx, { accountId, query }) {
      return resync(ctx, accountId, { dryRun: query.dryRun === 'true' });
    },
  }),
];
