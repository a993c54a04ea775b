// Endpoints for connecting an account's IdP: SCIM tokens and OAuth clients, group mappings with
// their previews, drift and resync, and the SCIM request log.
import { z } from 'zod';
import { discardHeldRemovals, listHeldRemovals, releaseHeldRemovals } from '../../domain/heldRemovals';
import { driftReport, listMappings, removeMapping, resync, setMapping } from '../../domain/mapping';
import { scimRequestLog } from '../../domain/provisioningLog';
import { createOAuthClient, listOAuthClients, revokeOAuthClient, rotateOAuthClient } from '../../domain/oauthClients';
import { createScimToken, listTokens, revokeScimToken } from '../../domain/scimTokens';
import type { Runtime } from '../../runtime';
import { inAccount, noContent, routesOf } from '../route';

const provisioning = routesOf('account', 'Provisioning');

const dryRun = z.object({ dryRun: z.enum(['true', 'false']).optional() });
const label = z.object({ label: z.string().max(200).optional() }).default({});
const scimBaseUrl = (rt: Runtime) => `${rt.config.publicUrl}/scim/v2`;

const requestLogQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  beforeId: z.coerce.number().int().min(1).optional(),
  errors: z.enum(['true', 'false']).optional(),
});

const newMapping = z.object({ scimGroup: z.string().trim().min(1).max(255), group: z.string().trim().min(1).max(255), dryRun: z.boolean().optional() });

export const provisioningRoutes = [
  provisioning.get(
    '/scim',
    'scim.credentials.read',
    "Connecting the account's IdP: the SCIM base URL and its tokens (never their secrets)",
    async (ctx, { accountId, rt }) => ({ baseUrl: scimBaseUrl(rt), tokens: await listTokens(ctx, accountId) }),
  ),
  provisioning.post(
    '/scim/tokens',
    'scim.credentials.manage',
    'Create a SCIM token (shown once)',
    { status: 201, body: label },
    async (ctx, { accountId, body, rt }) => {
      const t = await createScimToken(ctx, accountId, body.label);
      return { id: t.id, token: t.token, baseUrl: scimBaseUrl(rt) };
    },
  ),
  provisioning.delete('/scim/tokens/:tokenId', 'scim.credentials.manage', 'Revoke a SCIM token', { status: 204 }, (ctx, { accountId, params }) =>
    noContent(revokeScimToken(ctx, accountId, params.tokenId!)),
  ),
  provisioning.get(
    '/scim/clients',
    'scim.credentials.read',
    'OAuth 2.0 clients for SCIM (client credentials), never their secrets',
    inAccount(listOAuthClients),
  ),
  provisioning.post(
    '/scim/clients',
    'scim.credentials.manage',
    'Create an OAuth 2.0 client for SCIM (the secret is shown once)',
    { status: 201, body: label },
    async (ctx, { accountId, body, rt }) => {
      const c = await createOAuthClient(ctx, { accountId, label: body.label });
      return { ...c, tokenUrl: `${rt.config.publicUrl}/oauth/token`, scimBaseUrl: scimBaseUrl(rt) };
    },
  ),
  provisioning.post('/scim/clients/:clientId/rotate', 'scim.credentials.manage', 'Rotate the secret of an OAuth 2.0 client', (ctx, { accountId, params }) =>
    rotateOAuthClient(ctx, { accountId, clientId: params.clientId! }),
  ),
  provisioning.delete(
    '/scim/clients/:clientId',
    'scim.credentials.manage',
    'Revoke an OAuth 2.0 client (its access tokens stop working)',
    { status: 204 },
    (ctx, { accountId, params }) => noContent(revokeOAuthClient(ctx, { accountId, clientId: params.clientId! })),
  ),
  provisioning.get(
    '/scim/requests',
    'scim.log.read',
    'Recent SCIM requests from the IdP (bodies redacted), newest first',
    { query: requestLogQuery },
    (ctx, { accountId, query }) => scimRequestLog(ctx, accountId, { limit: query.limit, beforeId: query.beforeId, errorsOnly: query.errors === 'true' }),
  ),
  provisioning.get('/mappings', 'mappings.read', 'IdP group -> role mappings', inAccount(listMappings)),
  provisioning.post(
    '/mappings',
    'mappings.change',
    'Map a pushed IdP group (SCIM id or externalId) to Owners, Administrators, MSP Technicians or a custom group; dryRun previews',
    { body: newMapping },
    (ctx, { accountId, body }) => setMapping(ctx, { accountId, scimGroup: body.scimGroup, group: body.group }, { dryRun: body.dryRun }),
  ),
  provisioning.delete(
    '/mappings/:mappingId',
    'mappings.change',
    'Remove a mapping (?dryRun=true previews)',
    { query: dryRun },
    (ctx, { accountId, params, query }) => removeMapping(ctx, { accountId, mappingId: params.mappingId }, { dryRun: query.dryRun === 'true' }),
  ),
  provisioning.get('/mappings/drift', 'mappings.read', 'Mirror vs effective roles, held changes, unmapped IdP groups', inAccount(driftReport)),
  provisioning.post(
    '/mappings/resync',
    'mappings.change',
    'Recompute every IdP-sourced role from the mirror (?dryRun=true previews)',
    { query: dryRun },
    (ctx, { accountId, query }) => resync(ctx, accountId, { dryRun: query.dryRun === 'true' }),
  ),
  provisioning.get(
    '/provisioning/held',
    'provisioning.held.read',
    'SCIM removals the deprovisioning breaker holds (beyond the hourly limit), oldest first',
    inAccount(listHeldRemovals),
  ),
  provisioning.post(
    '/provisioning/held/release',
    'provisioning.held.resolve',
    'Apply the held removals, oldest first (the last-Owner guard still applies; Owner removals need an Owner)',
    inAccount(releaseHeldRemovals),
  ),
  provisioning.post(
    '/provisioning/held/discard',
    'provisioning.held.resolve',
    "Drop the held removals without applying them (the IdP's next full sync re-sends what is still true)",
    inAccount(discardHeldRemovals),
  ),
];
