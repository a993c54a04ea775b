// Endpoints inside one account (a company, or the MSP's own): its people, groups, settings,
// vaults, recovery, SCIM connection, group mappings and audit. An MSP person reaches a managed
// company only through a launch session ("launched"), acting as one of its Administrators.
import { z } from 'zod';
import { auditLog } from '../../domain/audit';
import { createCustomGroup, groupsOf, setManualMembership } from '../../domain/groups';
import { inviteByEmail, resendInvitation } from '../../domain/invitations';
import { subscribeAccount } from '../../domain/lifecycle';
import { listMembersWithGroups } from '../../domain/members';
import { completeRecovery, recoveriesOf, startRecovery } from '../../domain/recovery';
import { updateSettings } from '../../domain/settings';
import { staffActingFor } from '../../domain/technicians';
import { accountOverview } from '../../domain/accounts';
import { auditCsv, auditQuery } from '../views';
import { route } from '../route';

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
      return {
        id: a.id,
        kind: a.kind,
        name: a.name,
        region: a.region,
        status: a.status,
        mspId: a.mspId,
        seatsFilled: a.seatsFilled,
        seatsTotal: a.seatsTotal,
        trialEndsAt: a.trialEndsAt,
        defaultLanguage: a.defaultLanguage,
        settings: a.settings,
      };
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
