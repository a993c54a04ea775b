// The fixture both route matrices use: MSP A managing company C (with an Owner, an Administrator,
// a member, a vault and a target person), MSP B, a launched technician of A, sample bodies and
// path parameters for every route, and what each identity is (hand-written, never computed).
import type { Db } from '../../src/db/knex';
import { launchCompany } from '../../src/domain/access';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { addManualMember } from '../../src/domain/members';
import type { Standing } from '../../src/domain/policy';
import type { Principal } from '../../src/domain/principal';
import { createVault } from '../../src/domain/vaults';
import { asActor, asOp } from './ctx';

export const IDENTITIES = [
  'msp owner',
  'msp admin',
  'msp technician',
  'msp member',
  'company owner',
  'company admin',
  'company member',
  'launched technician',
  'other msp owner',
] as const;
export type Identity = (typeof IDENTITIES)[number];

/** What each identity is in MSP A and in company C. */
export const STANDINGS: Record<Identity, { msp: Standing[]; account: Standing[] }> = {
  'msp owner': { msp: ['owner', 'member'], account: [] },
  'msp admin': { msp: ['admin', 'member'], account: [] },
  'msp technician': { msp: ['technician', 'member'], account: [] },
  'msp member': { msp: ['member'], account: [] },
  'company owner': { msp: [], account: ['owner', 'member'] },
  'company admin': { msp: [], account: ['admin', 'member'] },
  'company member': { msp: [], account: ['member'] },
  'launched technician': { msp: ['technician', 'member'], account: ['launched'] },
  'other msp owner': { msp: ['owner', 'member'], account: [] },
};

export interface RouteFixture {
  mspId: string;
  otherMspId: string;
  companyId: string;
  vaultId: string;
  targetId: string;
  people: Record<Exclude<Identity, 'launched technician'>, { accountId: string; memberId: string }>;
  launchToken: string;
  /** The principal of each identity (the launched technician as its launch makes it). */
  principal(who: Identity): Principal;
}

export async function buildRouteFixture(db: Db): Promise<RouteFixture> {
  const a = await asOp(db, (ctx) => createMsp(ctx, { name: 'MSP A', region: 'us', ownerEmail: 'owner@a.example' }, ['us']));
  const b = await asOp(db, (ctx) => createMsp(ctx, { name: 'MSP B', region: 'us', ownerEmail: 'owner@b.example' }, ['us']));
  const c = await asOp(db, (ctx) => addCompany(ctx, { mspId: a.account.id, name: 'Company C', country: 'US' }));
  const person = async (accountId: string, email: string, group?: string) => ({
    accountId,
    memberId: (await asOp(db, (ctx) => addManualMember(ctx, { accountId, email, group, state: 'active' }))).id,
  });
  const people = {
    'msp owner': { accountId: a.account.id, memberId: a.ownerId },
    'msp admin': await person(a.account.id, 'admin@a.example', 'Administrators'),
    'msp technician': await person(a.account.id, 'tech@a.example', 'MSP Technicians'),
    'msp member': await person(a.account.id, 'plain@a.example'),
    'company owner': await person(c.id, 'owner@c.example', 'Owners'),
    'company admin': await person(c.id, 'admin@c.example', 'Administrators'),
    'company member': await person(c.id, 'member@c.example'),
    'other msp owner': { accountId: b.account.id, memberId: b.ownerId },
  };
  // Routes that change a person aim at someone who is none of the callers.
  const targetId = (await person(c.id, 'target@c.example')).memberId;
  const vaultId = (await asOp(db, (ctx) => createVault(ctx, { accountId: c.id, name: 'V' }))).id;
  const tech = people['msp technician'];
  const techPrincipal: Principal = { kind: 'member', accountId: tech.accountId, memberId: tech.memberId, label: 'tech@a.example' };
  const launch = await asActor(db, techPrincipal, (ctx) => launchCompany(ctx, { mspId: a.account.id, companyId: c.id }));
  return {
    mspId: a.account.id,
    otherMspId: b.account.id,
    companyId: c.id,
    vaultId,
    targetId,
    people,
    launchToken: launch.token,
    principal(who) {
      const p = people[who === 'launched technician' ? 'msp technician' : who];
      return { kind: 'member', accountId: p.accountId, memberId: p.memberId, label: who };
    },
  };
}

let n = 0;

/** A body each route accepts (names made unique so repeated calls do not conflict). */
export function sampleBody(f: RouteFixture, method: string, path: string): unknown {
  const bodies: Record<string, unknown> = {
    'POST /companies': { name: `RBAC Co ${n++}`, country: 'US' },
    'POST /companies/:companyId/launch': {},
    'PATCH /companies/:companyId': { seats: 1000 },
    'POST /links': { accountId: '00000000-0000-4000-8000-000000000001' },
    'POST /technicians': { email: `t${n++}@rbac.example` },
    'POST /api-tokens': { label: 'rbac' },
    'POST /notifications/contacts': { email: `c${n++}@rbac.example`, language: 'de' },
    // An address literal: no DNS needed, and public, so the SSRF check lets it through.
    'POST /webhooks': { url: `https://93.184.215.14/hook/${n++}`, events: ['scim.errors'] },
    'POST /accounts/:accountId/members': { email: `m${n++}@rbac.example` },
    'POST /accounts/:accountId/groups': { name: `G${n++}` },
    'PATCH /accounts/:accountId/settings': { policies: { passwordMinLength: 12 } },
    'POST /accounts/:accountId/vaults': { name: `V${n++}` },
    'POST /accounts/:accountId/vaults/:vaultId/access': { memberId: f.targetId },
    'POST /accounts/:accountId/vaults/:vaultId/items': { title: 'x', category: 'login' },
    'POST /accounts/:accountId/recoveries': { memberId: f.targetId },
    'POST /accounts/:accountId/scim/tokens': {},
    'POST /accounts/:accountId/mappings': { scimGroup: 'nope', group: 'Administrators', dryRun: true },
    'POST /links/by-code': { code: 'AAAA-BBBB-CCCC-DDDD' },
    'POST /me/password': { password: 'matrix password 1' },
    'POST /templates': { fromCompanyId: f.companyId, name: `T${n++}` },
    'POST /templates/:templateId/apply': { companyId: f.companyId, dryRun: true },
  };
  return bodies[`${method.toUpperCase()} ${path}`] ?? (method === 'get' || method === 'delete' ? undefined : {});
}

/** Path parameters: company C, its vault and target person; unknown ids elsewhere. */
export function pathParams(f: RouteFixture, path: string, who: Identity, opts: { destructive?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name] of path.matchAll(/:(\w+)/g)) {
    out[name!] =
      name === 'accountId'
        ? f.companyId
        : name === 'companyId'
          ? // Over HTTP destructive MSP routes aim at a company that does not exist, so they cannot change the fixture.
            opts.destructive && /unlink/.test(path)
            ? '00000000-0000-4000-8000-00000000dead'
            : f.companyId
          : name === 'memberId'
            ? who === 'launched technician' || who.startsWith('company')
              ? f.targetId
              : '00000000-0000-4000-8000-000000000002'
            : name === 'vaultId'
              ? f.vaultId
              : name === 'group'
                ? 'Administrators'
                : '00000000-0000-4000-8000-000000000003';
  }
  return out;
}

export const fillPath = (path: string, params: Record<string, string>): string => path.replace(/:(\w+)/g, (_m, name: string) => params[name]!);
