// Endpoints inside one account (a company, or the MSP's own): its people, groups, settings,
// vaults, recovery, SCIM connection, group mappings and audit. An MSP person reaches a managed
// company only through a launch session ("launched"), acting as one of its Administrators.
import { z } from 'zod';
import { auditLog } from '../../domain/audit';
import { createCustomGroup, groupsOf, setManualMembership } from '../../domain/groups';
import { inviteByEmail, resendInvitation } from '../../domain/invitations';
import { subscribeAccount } from '../../domain/lifecycle';
import { driftReport, listMappings, removeMapping, resync, setMapping } from '../../domain/mapping';
import { listMembersWithGroups } from '../../domain/members';
import { scimRequestLog } from '../../domain/provisioningLog';
import { createOAuthClient, listOAuthClients, revokeOAuthClient, rotateOAuthClient } from '../../domain/oauthClients';
import { completeRecovery, recoveriesOf, startRecovery } from '../../domain/recovery';
import { createScimToken, listTokens, revokeScimToken } from '../../domain/scimTokens';
import { updateSettings } from '../../domain/settings';
import { staffActingFor } from '../../domain/technicians';
import { accountOverview } from '../../domain/accounts';
import { createItem, createVault, grantAccess, grantSelfAccess, listItems, listVaults, revokeAccess, vaultAccessList } from '../../domain/vaults';
import { auditCsv, auditQuery } from '../views';
import { route } from '../route';

const dryRun = z.object({ dryRun: z.enum(['true', 'false']).optional() });

export const accountRoutes = [
  route({
    method: 'get',
    path: '/accounts/:accountId',
    summary: 'The account: name, kind, region, status, seats, settings',
    tag: 'Accounts',
    scope: 'account',
    action: 'account.read',
    async handle(ctx, { accountId }) {
      const a = await accountOverview(ctx, accountId);
      return { id: a.id, kind: a.kind, name: a.name, region: a.region, status: a.status, mspId: a.mspId, seatsFilled: a.seatsFilled, seatsTotal: a.seatsTotal, trialEndsAt: a.trialEndsAt, defaultLanguage: a.defaultLanguage, settings: a.settings };
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/members',
    summary: 'People of the account with their state, groups and held changes',
    tag: 'Members',
    scope: 'account',
    action: 'members.list',
    async handle(ctx, { accountId }) {
      return listMembersWithGroups(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/members',
    summary: 'Invite a member (optionally into a group); the email goes out through the workers',
    tag: 'Members',
    scope: 'account',
    action: 'members.invite',
    status: 201,
    body: z.object({ email: z.email().max(320), group: z.string().max(255).optional() }),
    async handle(ctx, { accountId, body }) {
      const r = await inviteByEmail(ctx, { accountId, email: body.email, group: body.group });
      return { id: r.member.id, state: r.member.state, invitationId: r.invitation.id, expiresAt: r.invitation.expiresAt };
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/members/:memberId/resend-invitation',
    summary: 'Send the invitation again with a new link',
    tag: 'Members',
    scope: 'account',
    action: 'members.invite',
    async handle(ctx, { accountId, params }) {
      const inv = await resendInvitation(ctx, accountId, params.memberId!);
      return { invitationId: inv.id, expiresAt: inv.expiresAt };
    },
  }),
  route({
    method: 'put',
    path: '/accounts/:accountId/members/:memberId/groups/:group',
    summary: 'Add a member to a group by hand (co-own: Owners, co-manage: Administrators, or a custom group)',
    tag: 'Members',
    scope: 'account',
    action: 'roles.change',
    async handle(ctx, { accountId, params }) {
      return setManualMembership(ctx, { accountId, memberId: params.memberId!, group: params.group!, member: true });
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/members/:memberId/groups/:group',
    summary: 'Take a group given by hand (the last Owner is refused)',
    tag: 'Members',
    scope: 'account',
    action: 'roles.change',
    async handle(ctx, { accountId, params }) {
      return setManualMembership(ctx, { accountId, memberId: params.memberId!, group: params.group!, member: false });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/groups',
    summary: 'Built-in and custom groups',
    tag: 'Groups',
    scope: 'account',
    action: 'groups.list',
    async handle(ctx, { accountId }) {
      return (await groupsOf(ctx, accountId)).map((g) => ({ id: g.id, name: g.name, kind: g.kind, description: g.description }));
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/groups',
    summary: 'Create a custom group',
    tag: 'Groups',
    scope: 'account',
    action: 'groups.create',
    status: 201,
    body: z.object({ name: z.string().trim().min(1).max(255), description: z.string().max(1000).optional() }),
    async handle(ctx, { accountId, body }) {
      const g = await createCustomGroup(ctx, accountId, body.name, body.description);
      return { id: g.id, name: g.name, kind: g.kind };
    },
  }),
  route({
    method: 'patch',
    path: '/accounts/:accountId/settings',
    summary: 'Settings and team policies (technician self-access and the technicians part of the recovery plan: Owners only)',
    tag: 'Accounts',
    scope: 'account',
    action: 'settings.update',
    body: z.object({
      scimDeleteMode: z.enum(['suspend', 'remove']).optional(),
      adoptExistingMembers: z.boolean().optional(),
      unmappedGroupsAsCustom: z.boolean().optional(),
      technicianSelfAccess: z.boolean().optional(),
      defaultLanguage: z.enum(['en', 'de']).optional(),
      policies: z.object({ passwordMinLength: z.number().int().min(8).max(128).optional(), requireTwoFactor: z.boolean().optional() }).optional(),
      recoveryPlan: z.object({ allowAdministrators: z.boolean().optional(), allowTechnicians: z.boolean().optional() }).optional(),
    }),
    async handle(ctx, { accountId, body }) {
      return updateSettings(ctx, accountId, body);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/subscribe',
    summary: 'A company on trial (or frozen) subscribes and becomes active without an MSP',
    tag: 'Accounts',
    scope: 'account',
    action: 'account.subscribe',
    async handle(ctx, { accountId }) {
      const a = await subscribeAccount(ctx, accountId);
      return { id: a.id, status: a.status };
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/msp-staff',
    summary: 'Who may act in this company for its MSP',
    tag: 'Accounts',
    scope: 'account',
    action: 'msp_staff.read',
    async handle(ctx, { accountId }) {
      return staffActingFor(ctx, accountId);
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults',
    summary: 'Shared vaults (administrators and launched technicians see all; members those they can open)',
    tag: 'Vaults',
    scope: 'account',
    action: 'vaults.list',
    async handle(ctx, { accountId }) {
      return listVaults(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults',
    summary: 'Create a shared vault',
    tag: 'Vaults',
    scope: 'account',
    action: 'vaults.create',
    status: 201,
    body: z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() }),
    async handle(ctx, { accountId, body }) {
      return createVault(ctx, { accountId, ...body });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/self-access',
    summary: 'A launched technician gives themself access to a vault (audited; the company can turn it off)',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.self_access',
    status: 201,
    async handle(ctx, { accountId, params }) {
      return grantSelfAccess(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults/:vaultId/access',
    summary: 'Who can open the vault, technicians acting for the MSP included',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.read',
    async handle(ctx, { accountId, params }) {
      return vaultAccessList(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/access',
    summary: 'Give a member access to the vault',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.change',
    status: 201,
    body: z.object({ memberId: z.string().min(1).max(64) }),
    async handle(ctx, { accountId, params, body }) {
      await grantAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: body.memberId });
      return { vaultId: params.vaultId, memberId: body.memberId, access: true };
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/vaults/:vaultId/access/:memberId',
    summary: "Take someone's access to the vault (including a technician's self-access)",
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.change',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await revokeAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: params.memberId! });
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults/:vaultId/items',
    summary: 'Items of a vault (metadata; you need access)',
    tag: 'Vaults',
    scope: 'account',
    action: 'items.list',
    async handle(ctx, { accountId, params }) {
      return listItems(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/items',
    summary: 'Add an item (metadata plus an opaque, client-encrypted payload in base64)',
    tag: 'Vaults',
    scope: 'account',
    action: 'items.create',
    status: 201,
    body: z.object({
      title: z.string().trim().min(1).max(300),
      category: z.string().trim().min(1).max(64).default('login'),
      metadata: z.record(z.string(), z.unknown()).optional(),
      payload: z.base64().max(1_000_000).optional(),
    }),
    async handle(ctx, { accountId, params, body }) {
      return createItem(ctx, { accountId, vaultId: params.vaultId!, ...body });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/recoveries',
    summary: 'Recovery requests',
    tag: 'Recovery',
    scope: 'account',
    action: 'recovery.list',
    async handle(ctx, { accountId }) {
      return recoveriesOf(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/recoveries',
    summary: 'Start recovering a member who lost access (never yourself; never someone of a higher role)',
    tag: 'Recovery',
    scope: 'account',
    action: 'recovery.start',
    status: 201,
    body: z.object({ memberId: z.string().min(1).max(64) }),
    async handle(ctx, { accountId, body }) {
      return startRecovery(ctx, { accountId, memberId: body.memberId });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/recoveries/:requestId/complete',
    summary: 'Complete a recovery once the member chose new credentials',
    tag: 'Recovery',
    scope: 'account',
    action: 'recovery.complete',
    async handle(ctx, { accountId, params }) {
      return completeRecovery(ctx, { accountId, requestId: params.requestId! });
    },
  }),
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
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), beforeId: z.coerce.number().int().min(1).optional(), errors: z.enum(['true', 'false']).optional() }),
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
  route({
    method: 'get',
    path: '/accounts/:accountId/audit',
    summary: "The account's audit log (filters; CSV with ?format=csv)",
    tag: 'Audit',
    scope: 'account',
    action: 'account.audit',
    query: auditQuery,
    csv: auditCsv,
    async handle(ctx, { accountId, query }) {
      return auditLog(ctx, accountId, query);
    },
  }),
];
