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
import { atSeatCap } from '../../domain/seatCaps';
import { auditCsv, auditQuery } from '../views';
import { inAccount, routesOf } from '../route';

const accounts = routesOf('account', 'Accounts');
const members = routesOf('account', 'Members');
const groups = routesOf('account', 'Groups');
const recovery = routesOf('account', 'Recovery');

const settingsBody = z.object({
  scimDeleteMode: z.enum(['suspend', 'remove']).optional(),
  adoptExistingMembers: z.boolean().optional(),
  unmappedGroupsAsCustom: z.boolean().optional(),
  technicianSelfAccess: z.boolean().optional(),
  defaultLanguage: z.enum(['en', 'de']).optional(),
  policies: z.object({ passwordMinLength: z.number().int().min(8).max(128).optional(), requireTwoFactor: z.boolean().optional() }).optional(),
  recoveryPlan: z.object({ allowAdministrators: z.boolean().optional(), allowTechnicians: z.boolean().optional() }).optional(),
  technicianScope: z.enum(['all', 'assigned']).optional(),
  deprovisionLimit: z.number().int().min(0).max(100_000).optional(),
});

export const accountRoutes = [
  accounts.get('', 'account.read', 'The account: name, kind, region, status, seats, settings', async (ctx, { accountId }) => {
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
      seatsCapped: a.seatsCapped,
      atSeatCap: atSeatCap(a),
      trialEndsAt: a.trialEndsAt,
      defaultLanguage: a.defaultLanguage,
      settings: a.settings,
    };
  }),
  members.get('/members', 'members.list', 'People of the account with their state, groups and held changes', inAccount(listMembersWithGroups)),
  members.post(
    '/members',
    'members.invite',
    'Invite a member (optionally into a group); the email goes out through the workers',
    { status: 201, body: z.object({ email: z.email().max(320), group: z.string().max(255).optional() }) },
    async (ctx, { accountId, body }) => {
      const r = await inviteByEmail(ctx, { accountId, email: body.email, group: body.group });
      return { id: r.member.id, state: r.member.state, invitationId: r.invitation.id, expiresAt: r.invitation.expiresAt };
    },
  ),
  members.post('/members/:memberId/resend-invitation', 'members.invite', 'Send the invitation again with a new link', async (ctx, { accountId, params }) => {
    const inv = await resendInvitation(ctx, accountId, params.memberId!);
    return { invitationId: inv.id, expiresAt: inv.expiresAt };
  }),
  members.put(
    '/members/:memberId/groups/:group',
    'roles.change',
    'Add a member to a group by hand (co-own: Owners, co-manage: Administrators, or a custom group)',
    (ctx, { accountId, params }) => setManualMembership(ctx, { accountId, memberId: params.memberId!, group: params.group!, member: true }),
  ),
  members.delete('/members/:memberId/groups/:group', 'roles.change', 'Take a group given by hand (the last Owner is refused)', (ctx, { accountId, params }) =>
    setManualMembership(ctx, { accountId, memberId: params.memberId!, group: params.group!, member: false }),
  ),
  groups.get('/groups', 'groups.list', 'Built-in and custom groups', async (ctx, { accountId }) =>
    (await groupsOf(ctx, accountId)).map((g) => ({ id: g.id, name: g.name, kind: g.kind, description: g.description })),
  ),
  groups.post(
    '/groups',
    'groups.create',
    'Create a custom group',
    { status: 201, body: z.object({ name: z.string().trim().min(1).max(255), description: z.string().max(1000).optional() }) },
    async (ctx, { accountId, body }) => {
      const g = await createCustomGroup(ctx, accountId, body.name, body.description);
      return { id: g.id, name: g.name, kind: g.kind };
    },
  ),
  accounts.patch(
    '/settings',
    'settings.update',
    'Settings and team policies (technician self-access and the technicians part of the recovery plan: Owners only)',
    { body: settingsBody },
    (ctx, { accountId, body }) => updateSettings(ctx, accountId, body),
  ),
  accounts.post(
    '/subscribe',
    'account.subscribe',
    'A company on trial (or frozen) subscribes and becomes active without an MSP',
    async (ctx, { accountId }) => {
      const a = await subscribeAccount(ctx, accountId);
      return { id: a.id, status: a.status };
    },
  ),
  accounts.get('/msp-staff', 'msp_staff.read', 'Who may act in this company for its MSP', inAccount(staffActingFor)),
  recovery.get('/recoveries', 'recovery.list', 'Recovery requests', inAccount(recoveriesOf)),
  recovery.post(
    '/recoveries',
    'recovery.start',
    'Start recovering a member who lost access (never yourself; never someone of a higher role)',
    { status: 201, body: z.object({ memberId: z.string().min(1).max(64) }) },
    (ctx, { accountId, body }) => startRecovery(ctx, { accountId, memberId: body.memberId }),
  ),
  recovery.post(
    '/recoveries/:requestId/complete',
    'recovery.complete',
    'Complete a recovery once the member chose new credentials',
    (ctx, { accountId, params }) => completeRecovery(ctx, { accountId, requestId: params.requestId! }),
  ),
  routesOf('account', 'Audit').get(
    '/audit',
    'account.audit',
    "The account's audit log (filters; CSV with ?format=csv)",
    { query: auditQuery, csv: auditCsv },
    (ctx, { accountId, query }) => auditLog(ctx, accountId, query),
  ),
];
