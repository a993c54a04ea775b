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
import { inAccount, routesOf } from '../route';

const activityQuery = auditQuery.omit({ format: true });
const session = routesOf('me', 'Session');

export const consoleRoutes = [
  session.get('/me/profile', 'account.read', 'The signed-in person: name, email, whether a password is set, language', (ctx) => ownProfile(ctx)),
  session.post(
    '/me/password',
    'profile.password',
    'Set your own password (changing one needs the current password); console sessions only',
    { body: z.object({ current: z.string().max(1024).optional(), password: z.string().min(1).max(1024) }) },
    (ctx, { body }) => setOwnPassword(ctx, body),
  ),
  routesOf('account', 'Members').get(
    '/people',
    'members.list',
    'People with names, where each role comes from (by hand or from the IdP), and what the caller may change',
    inAccount(peopleOf),
  ),
  routesOf('account', 'Members').delete(
    '/members/:memberId',
    'members.remove',
    'Remove a person added by hand (Owners only by Owners; never the last Owner; IdP people in the IdP)',
    (ctx, { accountId, params }) => removeMember(ctx, { accountId, memberId: params.memberId! }),
  ),
  routesOf('account', 'Provisioning').get(
    '/idp-groups',
    'mappings.read',
    'Groups the IdP pushed (by display name, with SCIM id and externalId) and what they map to',
    inAccount(listPushedGroups),
  ),
  routesOf('account', 'Accounts').get(
    '/setup',
    'setup.read',
    'Setup checklist: policies, groups, vaults, recovery plan, invitations, provisioning',
    inAccount(setupChecklist),
  ),
  routesOf('account', 'Accounts').post(
    '/link-codes',
    'link_code.create',
    "A link code (shown once) the company's Owner gives the MSP that should manage it",
    { status: 201 },
    inAccount(createLinkCode),
  ),
  routesOf('msp', 'Companies').post(
    '/links/by-code',
    'link.request',
    "Link the account a link code names; region checks and the Owner's approval follow",
    { status: 202, body: z.object({ code: z.string().trim().min(1).max(64) }) },
    (ctx, { accountId, body }) => requestLinkByCode(ctx, { mspId: accountId, code: body.code }),
  ),
  routesOf('msp', 'Audit').get(
    '/activity',
    'msp.audit',
    'The MSP audit roll-up with account and target names',
    { query: activityQuery },
    (ctx, { accountId, query }) => namedAuditLog(ctx, accountId, query, true),
  ),
  routesOf('account', 'Audit').get(
    '/activity',
    'account.audit',
    "The account's audit log with target names",
    { query: activityQuery },
    (ctx, { accountId, query }) => namedAuditLog(ctx, accountId, query, false),
  ),
];
