// The generated authorization matrix: every REST route × every kind of principal × the resource
// states the policy names, on SQLite and PostgreSQL. Each case runs the real route (launch
// resolution, policy, validation, use case) in a transaction that is rolled back, so allowed
// writes change nothing for the next case. The expected outcome is read from the policy table
// (decide) with hand-written standings; the CLI's operator and the SCIM credential are checked
// against the same table through the domain use cases.
import { ROUTES } from '../../../src/api/router';
import { runRoute } from '../../../src/api/dispatch';
import { HttpProblem } from '../../../src/api/errors';
import type { Tx } from '../../../src/db/knex';
import { unitOfWork } from '../../../src/db/unitOfWork';
import { isDomainError } from '../../../src/domain/errors';
import { ACTIONS, POLICY, type State, decide, type Standing } from '../../../src/domain/policy';
import type { Principal } from '../../../src/domain/principal';
import { startTestApp, type TestApp } from '../../helpers/app';
import { DIALECTS } from '../../helpers/db';
import { IDENTITIES, type Identity, type RouteFixture, STANDINGS, buildRouteFixture, pathParams, sampleBody } from '../../helpers/routeFixture';

/** Errors only the policy (or the launch resolution in front of it) produces. */
const POLICY_CODES = new Set([
  'role.required',
  'role.owner_required',
  'account.frozen',
  'account.not_found',
  'msp.not_found',
  'recovery.plan',
  'recovery.self',
  'recovery.role',
  'vault.self_access.off',
  'forbidden',
]);

interface Variant {
  name: string;
  states: State[];
  /** States of MSP A's companies as its people's MSP routes see them (technician scope). */
  mspStates?: State[];
  /** Codes that are the policy's answer in this state for this caller (besides POLICY_CODES). */
  policyCodes?: (who: Identity) => string[];
  /** Puts company C into the state, inside the case's transaction. */
  apply(tx: Tx, f: RouteFixture): Promise<void>;
  /** What the company's people are in this state (hand-written). */
  standings(who: Identity): Standing[];
}

const asIs = (who: Identity) => STANDINGS[who].account;

const VARIANTS: Variant[] = [
  { name: 'managed', states: [], apply: async () => undefined, standings: asIs },
  {
    name: 'frozen',
    states: ['frozen'],
    apply: async (tx, f) => {
      await tx('accounts').where({ id: f.companyId }).update({ status: 'frozen' });
    },
    standings: asIs,
  },
  {
    name: 'ownerless (being set up)',
    states: ['ownerless'],
    apply: async (tx, f) => {
      const owners = tx('groups').where({ account_id: f.companyId, kind: 'owners' }).first('id');
      await tx('memberships').where({ account_id: f.companyId }).where('group_id', owners).del();
    },
    standings: (who) => (who === 'company owner' ? ['member'] : STANDINGS[who].account),
  },
  {
    name: 'locked down by its Owners',
    states: ['self_access.off', 'plan.no_admins', 'plan.no_technicians'],
    apply: async (tx, f) => {
      const settings = JSON.stringify({ technicianSelfAccess: false, recoveryPlan: { allowAdministrators: false, allowTechnicians: false } });
      await tx('accounts').where({ id: f.companyId }).update({ settings });
    },
    standings: asIs,
  },
  {
    // MSP A scopes its technicians to assigned companies and C is not assigned to its technician:
    // C is absent for them (launch: 403) and their launch into it no longer works.
    name: 'technician scope: C not assigned',
    states: [],
    mspStates: ['scope.unassigned'],
    apply: async (tx, f) => {
      await tx('accounts')
        .where({ id: f.mspId })
        .update({ settings: JSON.stringify({ technicianScope: 'assigned' }) });
    },
    standings: (who) => (who === 'launched technician' ? [] : STANDINGS[who].account),
    // "No such company" is the policy's answer to A's technician; to B's Owner C is simply not B's.
    policyCodes: (who) => (who === 'other msp owner' ? ['technician.scope'] : ['technician.scope', 'company.not_found']),
  },
  {
    name: 'technician scope: C assigned',
    states: [],
    apply: async (tx, f) => {
      await tx('accounts')
        .where({ id: f.mspId })
        .update({ settings: JSON.stringify({ technicianScope: 'assigned' }) });
      const tech = f.people['msp technician'];
      await tx('technician_assignments').insert({
        msp_id: f.mspId,
        company_id: f.companyId,
        member_id: tech.memberId,
        created_by: 'matrix',
        created_at: new Date().toISOString(),
      });
    },
    standings: asIs,
  },
];

class Rollback extends Error {}

describe.each(DIALECTS)('the authorization matrix [%s]', (dialect) => {
  let app: TestApp;
  let f: RouteFixture;

  beforeAll(async () => {
    app = await startTestApp(dialect);
    f = await buildRouteFixture(app.rt.db);
  });
  afterAll(() => app.close());

  /** Runs one route as one principal in one state; 'allowed' unless the policy refused. */
  async function attempt(variant: Variant, def: (typeof ROUTES)[number], who: Identity, principal: Principal): Promise<{ allowed: boolean; detail: string }> {
    let outcome: { allowed: boolean; detail: string } = { allowed: true, detail: 'ok' };
    await unitOfWork(app.rt.db, async (tx) => {
      await variant.apply(tx, f);
      try {
        await runRoute(app.rt, tx, def, principal, {
          params: pathParams(f, def.path, who),
          body: sampleBody(f, def.method, def.path),
          query: {},
          launchToken: who === 'launched technician' ? f.launchToken : undefined,
        });
      } catch (err) {
        const code = isDomainError(err) ? err.code : err instanceof HttpProblem ? err.code : undefined;
        if (code && (POLICY_CODES.has(code) || variant.policyCodes?.(who).includes(code))) outcome = { allowed: false, detail: code };
        else if (!isDomainError(err) && !(err instanceof HttpProblem) && (err as Error).name !== 'ZodError') throw err;
        else outcome = { allowed: true, detail: `past the policy (${code ?? 'invalid input'})` };
      }
      throw new Rollback();
    }).catch((err) => {
      if (!(err instanceof Rollback)) throw err;
    });
    return outcome;
  }

  it('lets exactly what the policy table allows, in every state', async () => {
    const wrong: string[] = [];
    let allowed = 0;
    let denied = 0;
    for (const variant of VARIANTS) {
      for (const def of ROUTES) {
        for (const who of IDENTITIES) {
          const standings = def.scope === 'account' ? variant.standings(who) : STANDINGS[who].msp;
          let expected: boolean;
          if (def.scope === 'me') expected = true;
          else if (def.scope === 'account' && /:companyId|:accountId/.test(def.path) && standings.length === 0) expected = false;
          else expected = decide(def.action, new Set(standings), new Set(def.scope === 'account' ? variant.states : (variant.mspStates ?? []))).allowed;
          const got = await attempt(variant, def, who, f.principal(who));
          if (got.allowed !== expected)
            wrong.push(`[${variant.name}] ${def.method.toUpperCase()} ${def.path} as ${who}: expected ${expected ? 'allowed' : 'refused'}, got ${got.detail}`);
          if (got.allowed) allowed++;
          else denied++;
        }
      }
    }
    const size = VARIANTS.length * ROUTES.length * IDENTITIES.length;
    console.log(
      `authorization matrix [${dialect}]: ${ROUTES.length} routes x ${IDENTITIES.length} principals x ${VARIANTS.length} states = ${size} cases, ${allowed} allowed, ${denied} denied`,
    );
    expect(wrong).toEqual([]);
    expect(allowed + denied).toBe(size);
    expect(allowed).toBeGreaterThan(100);
    expect(denied).toBeGreaterThan(size / 2);
  }, 300_000);

  it('names a policy action that exists for every route, and every action has a rule', () => {
    for (const def of ROUTES) expect(ACTIONS).toContain(def.action);
    for (const action of ACTIONS) expect(POLICY[action].allow.length).toBeGreaterThan(0);
  });

  it('lets the operator (CLI) and the workers do every account action, and a SCIM credential only provisioning', () => {
    // Self-access is a technician's own act inside a launch; everything else the operator may do.
    expect(ACTIONS.filter((a) => POLICY[a].scope !== 'deployment' && !(POLICY[a].allow as readonly Standing[]).includes('operator'))).toEqual([
      'vault.self_access',
    ]);
    for (const action of ACTIONS) {
      const rule = POLICY[action];
      const allow = rule.allow as readonly Standing[];
      if (rule.scope !== 'deployment') {
        expect([action, decide(action, new Set(['operator']), new Set(['frozen'])).allowed]).toEqual([action, allow.includes('operator')]);
        expect([action, decide(action, new Set(['system']), new Set()).allowed]).toEqual([action, allow.includes('system')]);
      }
      const scimMay = decide(action, new Set(['scim']), new Set()).allowed;
      expect([action, scimMay]).toEqual([action, action === 'scim.provision']);
      // An Owner's credential may change Owners as well; nothing else.
      const ownerCred = decide(action, new Set(['scim', 'scim_owner']), new Set()).allowed;
      expect([action, ownerCred]).toEqual([action, ['scim.provision', 'scim.owner.manage', 'owners.change'].includes(action)]);
    }
    expect(decide('deployment.jobs', new Set(['owner', 'admin', 'technician', 'member']), new Set()).allowed).toBe(false);
    expect(decide('owners.change', new Set(['admin', 'launched']), new Set()).allowed).toBe(false);
    expect(decide('owners.change', new Set(['launched']), new Set(['ownerless'])).allowed).toBe(true);
  });
});
