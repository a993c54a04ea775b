// Endpoints the console needs beyond the plain lists: people with names and role sources, member
// removal, the IdP's pushed groups for a picker, the setup checklist, link codes, the audit log
// with names, and a person's own profile and password.
import { z } from 'zod';
import { ownProfile } from '../../domain/access';
import { namedAuditLog } from '../../domain/activity';
import { createLinkCode, requestLinkByCode } from '../../domain/linkCodes';
import { removeMember } from '../../domain/memberRemoval';
import { setOwnPassword } from '../../domain/ownPassword';
import { peopleOf } from '../../domain/people';
import { listPushedGroups } from '../../domain/pushedGroups';
import { setupChecklist } from '../../domain/setupChecklist';
import { auditQuery } from '../views';
import { route } from '../route';

const activityQuery = auditQuery.omit({ format: true });

export const consoleRoutes = [
  route({
    method: 'get',
    path: '/me/profile',
    summary: 'The signed-in person: name, email, whether a password is set, language',
    tag: 'Session',
    scope: 'me',
    action: 'account.read',
    async handle(ctx) {
      return ownProfile(ctx);
    },
  }),
  route({
    method: 'post',
    path: '/me/password',
    summary: 'Set your own password (changing one needs the current password); console sessions only',
    tag: 'Session',
    scope: 'me',
    action: 'profile.password',
    body: z.object({ current: z.string().max(1024).optional(), password: z.string().min(1).max(1024) }),
    async handle(ctx, { body }) {
      return setOwnPassword(ctx, body);
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/people',
    summary: 'People with names, where each role comes from (by hand or from the IdP), and what the caller may change',
    tag: 'Members',
    scope: 'account',
    action: 'members.list',
    async handle(ctx, { accountId }) {
      return peopleOf(ctx, accountId);
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/members/:memberId',
    summary: 'Remove a person added by hand (Owners only by Owners; never the last Owner; IdP people in the IdP)',
    tag: 'Members',
    scope: 'account',
    action: 'members.remove',
    async handle(ctx, { accountId, params }) {
      return removeMember(ctx, { accountId, memberId: params.memberId! });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/idp-groups',
    summary: 'Groups the IdP pushed (by display name, with SCIM id and externalId) and what they map to',
    tag: 'Provisioning',
    scope: 'account',
    action: 'mappings.read',
    async handle(ctx, { accountId }) {
      return listPushedGroups(ctx, accountId);
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/setup',
    summary: 'Setup checklist: policies, groups, vaults, recovery plan, invitations, provisioning',
    tag: 'Accounts',
    scope: 'account',
    action: 'setup.read',
    async handle(ctx, { accountId }) {
      return setupChecklist(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/link-codes',
    summary: "A link code (shown once) the company's Owner gives the MSP that should manage it",
    tag: 'Accounts',
    scope: 'account',
    action: 'link_code.create',
    status: 201,
    async handle(ctx, { accountId }) {
      return createLinkCode(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/links/by-code',
    summary: "Link the account a link code names; region checks and the Owner's approval follow",
    tag: 'Companies',
    scope: 'msp',
    action: 'link.request',
    status: 202,
    body: z.object({ code: z.string().trim().min(1).max(64) }),
    async handle(ctx, { accountId, body }) {
      return requestLinkByCode(ctx, { mspId: accountId, code: body.code });
    },
  }),
  route({
    method: 'get',
    path: '/activity',
    summary: 'The MSP audit roll-up with account and target names',
    tag: 'Audit',
    scope: 'msp',
    action: 'msp.audit',
    query: activityQuery,
    async handle(ctx, { accountId, query }) {
      return namedAuditLog(ctx, accountId, query, true);
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/activity',
    summary: "The account's audit log with target names",
    tag: 'Audit',
    scope: 'account',
    action: 'account.audit',
    query: activityQuery,
    async handle(ctx, { accountId, query }) {
      return namedAuditLog(ctx, accountId, query, false);
    },
  }),
];
