// What each /api/v1 route answers, as zod schemas keyed like the route table ("GET /path"): the
// OpenAPI document publishes them, the console's client is typed from that document, and the
// browser and API tests check real answers against them.
import { z } from 'zod';

import { INSIGHT_RESPONSES } from './responses.insight';
import { id, optTime, time } from './responseParts';
const status = z.enum(['setup', 'active', 'pending_link', 'frozen', 'trial']);
const memberState = z.enum(['invited', 'active', 'suspended', 'removed']);
const linkStatus = z.enum(['pending', 'awaiting_approval', 'linked', 'rejected', 'expired']);
const recoveryStatus = z.enum(['pending', 'credentials_set', 'completed', 'expired', 'cancelled']);
const roleChange = z.object({
  memberId: id,
  groupId: id,
  group: z.string(),
  change: z.enum(['gain', 'lose', 'held', 'released', 'needs_owner']),
  email: z.string().nullable(),
  userName: z.string().nullable(),
});
const held = z.object({ kind: z.string(), group: z.string().nullable(), since: time, reason: z.enum(['last_owner', 'breaker']) });
const heldRemoval = z.object({
  id,
  kind: z.enum(['remove_role', 'suspend', 'remove']),
  scimId: id,
  memberId: id,
  userName: z.string().nullable(),
  email: z.string().nullable(),
  group: z.string().nullable(),
  heldAt: time,
});
const settings = z.object({
  scimDeleteMode: z.enum(['suspend', 'remove']).optional(),
  adoptExistingMembers: z.boolean().optional(),
  unmappedGroupsAsCustom: z.boolean().optional(),
  technicianSelfAccess: z.boolean().optional(),
  policies: z.object({ passwordMinLength: z.number().optional(), requireTwoFactor: z.boolean().optional() }).optional(),
  recoveryPlan: z.object({ allowAdministrators: z.boolean().optional(), allowTechnicians: z.boolean().optional() }).optional(),
  technicianScope: z.enum(['all', 'assigned']).optional(),
  deprovisionLimit: z.number().optional(),
});
const company = z.object({
  id,
  name: z.string(),
  status,
  region: z.string(),
  seatsFilled: z.number(),
  seatsTotal: z.number(),
  seatsCapped: z.boolean().describe('the allowance is a hard cap (set explicitly); a default allowance is not'),
  atSeatCap: z.boolean().describe('capped and every seat filled: new people are refused'),
});
const seatStatus = z.object({ seatsTotal: z.number(), seatsFilled: z.number(), seatsCapped: z.boolean(), atCap: z.boolean() });
const assignment = z.object({ memberId: id, companyId: id, assigned: z.boolean(), changed: z.boolean() });
const link = z.object({ requestId: id, status: linkStatus, reason: z.string().nullable(), expiresAt: time });
const staff = z.object({
  memberId: id,
  email: z.string().nullable(),
  state: z.string(),
  roles: z.array(z.string()),
  source: z.array(z.enum(['manual', 'idp'])),
});
const apiToken = z.object({
  id,
  accountId: id,
  memberId: id,
  prefix: z.string(),
  label: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: time,
  lastUsedAt: optTime,
  revokedAt: optTime,
});
const auditEvent = z.object({
  id: z.number(),
  accountId: id,
  mspId: id.nullable(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: time,
});
const vault = z.object({ id, name: z.string(), description: z.string().nullable(), items: z.number(), access: z.boolean(), createdAt: time });
const item = z.object({ id, title: z.string(), category: z.string(), metadata: z.record(z.string(), z.unknown()), updatedAt: time });
const access = z.object({
  memberId: id,
  email: z.string().nullable(),
  via: z.enum(['grant', 'technician_self']),
  actingForMsp: z.string().nullable(),
  grantedBy: z.string().nullable(),
  since: time,
});
const recovery = z.object({
  id,
  accountId: id,
  memberId: id,
  status: recoveryStatus,
  createdAt: time,
  expiresAt: time,
  credentialsSetAt: optTime,
  completedAt: optTime,
  completedBy: z.string().nullable(),
});
const scimToken = z.object({
  id,
  prefix: z.string(),
  label: z.string().nullable(),
  createdBy: z.string().nullable(),
  authority: z.string(),
  createdAt: time,
  lastUsedAt: optTime,
  expiresAt: optTime,
  revokedAt: optTime,
});
const oauthClient = z.object({
  id,
  clientId: z.string(),
  label: z.string().nullable(),
  authority: z.string(),
  createdAt: time,
  rotatedAt: optTime,
  lastUsedAt: optTime,
  revokedAt: optTime,
});
const mapping = z.object({
  id,
  idpGroupId: z.string().nullable(),
  idpExternalId: z.string().nullable(),
  idpDisplayName: z.string().nullable(),
  group: z.string(),
  groupId: id,
  automatic: z.boolean(),
});
const mappingResult = z.object({ dryRun: z.boolean(), mapping: mapping.nullable(), changes: z.array(roleChange) });
const secret = z.object({ clientId: z.string(), clientSecret: z.string() });

const contact = z.object({ id, email: z.string(), language: z.enum(['en', 'de']).nullable(), createdAt: time });
const webhook = z.object({ id, url: z.string(), events: z.array(z.string()).nullable(), createdAt: time });
const webhookDelivery = z.object({
  id,
  webhookId: id,
  eventId: id,
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: optTime,
  nextAttemptAt: optTime,
  createdAt: time,
  finishedAt: optTime,
});

export const RESPONSES: Record<string, z.ZodType> = {
  'GET /me': z.object({
    accountId: id,
    accountKind: z.enum(['msp', 'company']),
    accountName: z.string(),
    memberId: id,
    email: z.string().nullable(),
    roles: z.array(z.string()),
    via: z.enum(['api_token', 'session']),
  }),
  'GET /companies': z.object({ total: z.number(), limit: z.number(), offset: z.number(), items: z.array(company) }),
  'POST /companies': z.object({ id, region: z.string(), status }),
  'GET /companies/:companyId': company.extend({
    website: z.string().nullable(),
    country: z.string().nullable(),
    address: z.string().nullable(),
    trialEndsAt: optTime,
    owners: z.object({ total: z.number(), accepted: z.number() }),
    members: z.number(),
    scimTokens: z.number(),
    openLinkRequest: z.string().nullable(),
    canUnlink: z.boolean(),
  }),
  'POST /companies/:companyId/launch': z.object({ launchId: id, token: z.string(), companyId: id, expiresAt: time }),
  'POST /companies/:companyId/unlink': z.object({ status: z.literal('trial'), trialEndsAt: time }),
  'POST /links': link.extend({ kind: z.enum(['link', 'transfer']), accountId: id }),
  'GET /links/:requestId': link.extend({ kind: z.enum(['link', 'transfer']), accountId: id }),
  'GET /technicians': z.array(staff),
  'PATCH /companies/:companyId': seatStatus.extend({ id }),
  'GET /technician-assignments': z.array(
    z.object({ memberId: id, email: z.string().nullable(), companyId: id, companyName: z.string(), assignedAt: time, assignedBy: z.string() }),
  ),
  'PUT /technicians/:memberId/companies/:companyId': assignment,
  'DELETE /technicians/:memberId/companies/:companyId': assignment,
  'POST /technicians': z.object({ memberId: id, invited: z.boolean() }),
  'DELETE /technicians/:memberId': z.object({ stillTechnician: z.boolean() }),
  'GET /api-tokens': z.array(apiToken),
  'POST /api-tokens': z.object({ id, token: z.string(), prefix: z.string() }),
  'GET /notifications/contacts': z.array(contact),
  'POST /notifications/contacts': contact,
  'GET /webhooks': z.array(webhook),
  'POST /webhooks': z.object({ id, secret: z.string() }),
  'GET /webhook-deliveries': z.array(webhookDelivery),
  'GET /audit': z.array(auditEvent),
  ...INSIGHT_RESPONSES,
  'GET /jobs': z.array(
    z.object({
      id: z.number(),
      accountId: id,
      accountName: z.string(),
      queue: z.string(),
      name: z.string(),
      state: z.enum(['waiting', 'relayed', 'done']),
      createdAt: time,
      availableAt: time,
      doneAt: optTime,
    }),
  ),
  'GET /accounts/:accountId': z.object({
    id,
    kind: z.enum(['msp', 'company']),
    name: z.string(),
    region: z.string(),
    status,
    mspId: id.nullable(),
    seatsFilled: z.number(),
    seatsTotal: z.number(),
    seatsCapped: z.boolean(),
    atSeatCap: z.boolean().describe('capped and every seat filled: the console shows a banner'),
    trialEndsAt: optTime,
    defaultLanguage: z.string(),
    settings,
  }),
  'GET /accounts/:accountId/members': z.array(
    z.object({
      id,
      email: z.string().nullable(),
      userName: z.string(),
      state: memberState,
      provisionedBy: z.string(),
      scimManaged: z.boolean(),
      groups: z.array(z.string()),
      held: z.array(held),
    }),
  ),
  'POST /accounts/:accountId/members': z.object({ id, state: memberState, invitationId: id, expiresAt: time }),
  'POST /accounts/:accountId/members/:memberId/resend-invitation': z.object({ invitationId: id, expiresAt: time }),
  'PUT /accounts/:accountId/members/:memberId/groups/:group': z.object({ group: z.string(), effective: z.boolean() }),
  'DELETE /accounts/:accountId/members/:memberId/groups/:group': z.object({ group: z.string(), effective: z.boolean() }),
  'GET /accounts/:accountId/groups': z.array(
    z.object({ id, name: z.string(), kind: z.enum(['owners', 'administrators', 'msp_technicians', 'custom']), description: z.string().nullable() }),
  ),
  'POST /accounts/:accountId/groups': z.object({ id, name: z.string(), kind: z.string() }),
  'PATCH /accounts/:accountId/settings': settings.extend({ defaultLanguage: z.string() }),
  'POST /accounts/:accountId/subscribe': z.object({ id, status }),
  'GET /accounts/:accountId/msp-staff': z.object({ mspId: id.nullable(), staff: z.array(staff) }),
  'GET /accounts/:accountId/vaults': z.array(vault),
  'POST /accounts/:accountId/vaults': vault,
  'POST /accounts/:accountId/vaults/:vaultId/self-access': access,
  'GET /accounts/:accountId/vaults/:vaultId/access': z.array(access),
  'POST /accounts/:accountId/vaults/:vaultId/access': z.object({ vaultId: id, memberId: id, access: z.literal(true) }),
  'GET /accounts/:accountId/vaults/:vaultId/items': z.array(item),
  'POST /accounts/:accountId/vaults/:vaultId/items': item,
  'GET /accounts/:accountId/recoveries': z.array(recovery),
  'POST /accounts/:accountId/recoveries': recovery,
  'POST /accounts/:accountId/recoveries/:requestId/complete': recovery,
  'GET /accounts/:accountId/scim': z.object({ baseUrl: z.string(), tokens: z.array(scimToken) }),
  'POST /accounts/:accountId/scim/tokens': z.object({ id, token: z.string(), baseUrl: z.string() }),
  'GET /accounts/:accountId/scim/clients': z.array(oauthClient),
  'POST /accounts/:accountId/scim/clients': secret.extend({ tokenUrl: z.string(), scimBaseUrl: z.string() }),
  'POST /accounts/:accountId/scim/clients/:clientId/rotate': secret,
  'GET /accounts/:accountId/scim/requests': z.array(
    z.object({
      id: z.number(),
      method: z.string(),
      path: z.string(),
      status: z.number(),
      latencyMs: z.number(),
      idp: z.string().nullable(),
      scimType: z.string().nullable(),
      detail: z.string().nullable(),
      body: z.unknown(),
      requestId: z.string().nullable().optional(),
      createdAt: time,
    }),
  ),
  'GET /accounts/:accountId/mappings': z.array(mapping),
  'POST /accounts/:accountId/mappings': mappingResult,
  'DELETE /accounts/:accountId/mappings/:mappingId': mappingResult,
  'GET /accounts/:accountId/mappings/drift': z.object({
    drift: z.array(z.object({ memberId: id, email: z.string().nullable(), group: z.string(), expected: z.boolean(), actual: z.boolean() })),
    held: z.array(z.object({ id, memberId: id, email: z.string().nullable(), kind: z.string(), group: z.string().nullable(), since: time })),
    unmappedGroups: z.array(z.object({ id, displayName: z.string(), members: z.number() })),
    pendingMappings: z.array(mapping),
  }),
  'POST /accounts/:accountId/mappings/resync': mappingResult,
  'GET /accounts/:accountId/provisioning/held': z.object({ accountId: id, limit: z.number(), tripStartedAt: time.nullable(), held: z.array(heldRemoval) }),
  'POST /accounts/:accountId/provisioning/held/release': z.object({
    released: z.array(heldRemoval.extend({ outcome: z.enum(['applied', 'held_last_owner', 'needs_owner']) })),
    remaining: z.number(),
  }),
  'POST /accounts/:accountId/provisioning/held/discard': z.object({ discarded: z.array(heldRemoval) }),
  'GET /accounts/:accountId/audit': z.array(auditEvent),
  // ---- console views (routes/console.ts) ----
  'GET /me/profile': z.object({ name: z.string().nullable(), email: z.string().nullable(), hasPassword: z.boolean(), language: z.string().nullable() }),
  'POST /me/password': z.object({ passwordSet: z.literal(true) }),
  'GET /accounts/:accountId/people': z.object({
    items: z.array(
      z.object({
        id,
        email: z.string().nullable(),
        userName: z.string(),
        name: z.string().nullable(),
        state: memberState,
        scimManaged: z.boolean(),
        provisionedBy: z.string(),
        groups: z.array(
          z.object({ name: z.string(), kind: z.enum(['owners', 'administrators', 'msp_technicians', 'custom']), manual: z.boolean(), idp: z.boolean() }),
        ),
        held: z.array(held),
      }),
    ),
    may: z.object({
      invite: z.boolean(),
      changeRoles: z.boolean(),
      changeOwners: z.boolean(),
      remove: z.boolean(),
      recover: z.boolean(),
      governSettings: z.boolean(),
      createLinkCode: z.boolean(),
    }),
  }),
  'DELETE /accounts/:accountId/members/:memberId': z.object({ id, state: z.literal('removed') }),
  'GET /accounts/:accountId/idp-groups': z.array(
    z.object({ id, externalId: z.string().nullable(), displayName: z.string(), members: z.number(), mappedTo: z.array(z.string()) }),
  ),
  'GET /accounts/:accountId/setup': z.object({
    steps: z.array(z.object({ step: z.enum(['policies', 'groups', 'vaults', 'recoveryPlan', 'invite', 'provisioning']), done: z.boolean() })),
    done: z.number(),
    total: z.number(),
  }),
  'POST /accounts/:accountId/link-codes': z.object({ code: z.string(), expiresAt: time }),
  'POST /links/by-code': link,
  'GET /activity': z.array(auditEvent.extend({ accountName: z.string().nullable(), targetName: z.string().nullable(), targetEmail: z.string().nullable() })),
  'GET /accounts/:accountId/activity': z.array(
    auditEvent.extend({ accountName: z.string().nullable(), targetName: z.string().nullable(), targetEmail: z.string().nullable() }),
  ),
};

export const routeKey = (r: { method: string; path: string }): string => `${r.method.toUpperCase()} ${r.path}`;
