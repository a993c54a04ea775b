// Who may do what: ONE table of actions, each naming the standings allowed and the resource
// states that widen or narrow it. The REST router, the console, SCIM, the CLI and the workers all
// ask `authorize` (or `permits`); nothing else decides access.
import { type Account, getAccount } from '../db/accounts.repo';
import type { CredentialAuthority } from '../db/credentials.repo';
import type { Tx } from '../db/knex';
import type { Ctx } from './context';
import { countActiveOwners } from '../db/groups.repo';
import { Forbidden, NotFound } from './errors';
import { personOf, type Principal } from './principal';
import { isOperator } from '../db/operators.repo';
import { isAssigned } from '../db/technicianAssignments.repo';
import { isActing, rolesOf } from './roles';
import { dropHandedOver, handOver, rememberAllowed, takeHandedOver } from './policyHandOver';

/**
 * What a principal is in one account. `technician` is an MSP Technician in the MSP's own
 * account; `launched` an MSP person acting inside a company through a launch session (as an
 * Administrator, never as an Owner); `scim` a SCIM credential of the account, `scim_owner` one
 * an Owner (or the operator) created, which alone may change Owners.
 */
export type Standing = 'operator' | 'system' | 'owner' | 'admin' | 'technician' | 'member' | 'launched' | 'scim' | 'scim_owner';

export const STANDINGS: readonly Standing[] = ['operator', 'system', 'owner', 'admin', 'technician', 'member', 'launched', 'scim', 'scim_owner'];

/**
 * Resource states a rule can name. Account states come from the account itself; `target.*`
 * states describe the person acted on and are given by the use case.
 */
export type State =
  | 'frozen'
  /** No Owner of its own yet (a company being set up): its administrators name the first Owners. */
  | 'ownerless'
  /** The recovery plan lets only Owners recover. */
  | 'plan.no_admins'
  /** The recovery plan keeps the MSP's technicians out of recovery. */
  | 'plan.no_technicians'
  /** The Owners turned off technicians' self-access to vaults. */
  | 'self_access.off'
  | 'target.self'
  | 'target.owner'
  /**
   * The MSP scopes its technicians to assigned companies and the company acted on is not
   * assigned to the acting person: their technician standing does not reach it.
   */
  | 'scope.unassigned';

interface Denial {
  who: readonly Standing[];
  /** 404 when the thing must look absent (a company outside a technician's scope), else 403. */
  status?: 403 | 404;
  code: string;
  message: string;
}

export interface Rule {
  /**
   * msp: an MSP-side action, asked of the MSP account; account: inside the account acted on;
   * deployment: about the whole deployment (operators only).
   */
  scope: 'msp' | 'account' | 'deployment';
  allow: readonly Standing[];
  /** Standings allowed as well while the account is in a state. */
  alsoWhen?: Partial<Record<State, readonly Standing[]>>;
  /** Standings refused in a state, whatever `allow` says. */
  denyWhen?: Partial<Record<State, Denial>>;
  /** Changes the account: refused while it is frozen (read-only) unless `whileFrozen`. */
  writes?: boolean;
  whileFrozen?: boolean;
}

const OPS = ['operator', 'system'] as const;
const MSP_STAFF = [...OPS, 'owner', 'admin', 'technician'] as const;
const MSP_MANAGERS = [...OPS, 'owner', 'admin'] as const;
const ADMINS = [...OPS, 'owner', 'admin', 'launched'] as const;
const EVERYONE = [...ADMINS, 'member'] as const;
const OWNERS = [...OPS, 'owner'] as const;
/** While an account has no Owner of its own, its administrators (and the MSP setting it up) name the first. */
const FIRST_OWNER = { ownerless: ['admin', 'launched'] } as const;

const RECOVERY_DENIALS: Rule['denyWhen'] = {
  'target.self': { who: STANDINGS, code: 'recovery.self', message: 'Nobody can recover their own account.' },
  'target.owner': { who: ['admin', 'launched'], code: 'recovery.role', message: 'An Administrator cannot recover an Owner.' },
  'plan.no_admins': { who: ['admin'], code: 'recovery.plan', message: "The company's recovery plan lets only Owners recover accounts." },
  'plan.no_technicians': { who: ['launched'], code: 'recovery.plan', message: "The company's recovery plan does not let MSP technicians recover accounts." },
};

/** Company-scoped MSP actions: a technician outside their scope finds no such company (launch: 403). */
const OUT_OF_SCOPE: Denial = { who: ['technician'], status: 404, code: 'company.not_found', message: 'No such company.' };
const SCOPED = { denyWhen: { 'scope.unassigned': OUT_OF_SCOPE } } as const;

const msp = (allow: readonly Standing[], writes = false, extra: Partial<Rule> = {}): Rule => ({ scope: 'msp', allow, writes, ...extra });
const acct = (allow: readonly Standing[], extra: Partial<Rule> = {}): Rule => ({ scope: 'account', allow, ...extra });

/** The table. Action names are stable: routes, the CLI and tests refer to them. */
export const POLICY = {
  // ---- MSP side (asked of the MSP account) ----
  'companies.list': msp(MSP_STAFF),
  'company.add': msp(MSP_STAFF, true),
  'company.read': msp(MSP_STAFF, false, SCOPED),
  /** The seat allowance of a company (a cap): managing a company is the technicians' job too (DESIGN). */
  'company.update': msp(MSP_STAFF, true, SCOPED),
  'company.launch': msp(MSP_STAFF, true, {
    denyWhen: { 'scope.unassigned': { who: ['technician'], code: 'technician.scope', message: 'This company is not assigned to you.' } },
  }),
  'company.unlink': msp(MSP_STAFF, true, SCOPED),
  'link.request': msp(MSP_STAFF, true),
  'link.read': msp(MSP_STAFF),
  'launch.end': msp(MSP_STAFF, true),
  'staff.list': msp(MSP_STAFF),
  'technicians.manage': msp(MSP_MANAGERS, true),
  'api_tokens.manage': msp(MSP_MANAGERS, true),
  'msp.audit': msp(MSP_MANAGERS),
  'msp.jobs': msp(MSP_MANAGERS),
  /** The usage ledger (what the MSP bills its clients on): the MSP's Owners and Administrators. */
  'usage.read': msp(MSP_MANAGERS),
  /** Company templates: MSP staff see them and apply them (acting in the company as a launched technician would). */
  'templates.read': msp(MSP_STAFF),
  'templates.manage': msp(MSP_MANAGERS, true),
  /** Applying a template acts in the company: a technician outside their scope finds no such company. */
  'template.apply': msp(MSP_STAFF, true, SCOPED),
  /** A company's monthly report, read by its MSP (a technician within their scope). */
  'company.report': msp(MSP_STAFF, false, SCOPED),
  /**
   * Notification contacts, webhooks and their deliveries: MSP Owners and Administrators only
   * (events name every company of the MSP, beyond what a scoped technician may see).
   */
  'notifications.read': msp(MSP_MANAGERS),
  'notifications.manage': msp(MSP_MANAGERS, true),
  // ---- inside an account ----
  'account.read': acct(EVERYONE),
  'account.subscribe': acct(OWNERS, { writes: true, whileFrozen: true }),
  'account.audit': acct(ADMINS),
  /** The account's monthly report (joiners, leavers, offboarding proof, SCIM errors, held changes). */
  'account.report': acct(ADMINS),
  'settings.update': acct(ADMINS, { writes: true }),
  /** Settings that govern Owners and technicians: adoption by SCIM, technician self-access, the recovery plan. */
  'settings.update.governing': acct(OWNERS, { writes: true, alsoWhen: FIRST_OWNER }),
  'members.list': acct(ADMINS),
  'members.invite': acct(ADMINS, { writes: true }),
  /** Removing a person by hand; removing an Owner also needs owners.change. */
  'members.remove': acct(ADMINS, { writes: true }),
  /** The console's setup checklist of an account. */
  'setup.read': acct(ADMINS),
  /** A code the account's Owners share with the MSP that should manage it (never the MSP itself). */
  'link_code.create': acct(OWNERS, { writes: true }),
  /** A person sets their own password (kept while frozen: signing in is how one exports). */
  'profile.password': acct(EVERYONE, { writes: true, whileFrozen: true }),
  'groups.list': acct(ADMINS),
  'groups.create': acct(ADMINS, { writes: true }),
  /** Administrators, custom groups, MSP Technicians: given and taken by administrators. */
  'roles.change': acct(ADMINS, { writes: true }),
  /** Owners are made and unmade by Owners (directly, by invitation, by a mapping or an IdP push). */
  'owners.change': acct([...OWNERS, 'scim_owner'], { writes: true, alsoWhen: { ownerless: ['admin', 'launched', 'scim'] } }),
  'msp_staff.read': acct(EVERYONE),
  'vaults.list': acct(EVERYONE),
  'vaults.create': acct(ADMINS, { writes: true }),
  'vault.self_access': acct(['launched'], {
    writes: true,
    denyWhen: {
      'self_access.off': { who: ['launched'], code: 'vault.self_access.off', message: "The company's Owners turned off technician self-access to vaults." },
    },
  }),
  'vault.access.read': acct(ADMINS),
  'vault.access.change': acct(ADMINS, { writes: true }),
  'items.list': acct(EVERYONE),
  'items.create': acct(EVERYONE, { writes: true }),
  'recovery.list': acct(ADMINS),
  'recovery.start': acct(ADMINS, { writes: true, denyWhen: RECOVERY_DENIALS }),
  'recovery.complete': acct(ADMINS, { writes: true, denyWhen: RECOVERY_DENIALS }),
  'scim.credentials.read': acct(ADMINS),
  'scim.credentials.manage': acct(ADMINS, { writes: true }),
  'scim.log.read': acct(ADMINS),
  'mappings.read': acct(ADMINS),
  'mappings.change': acct(ADMINS, { writes: true }),
  /** What the deprovisioning breaker holds (SCIM removals beyond the hourly limit). */
  'provisioning.held.read': acct(ADMINS),
  /** Releasing or discarding held removals; releasing one that takes from an Owner also needs owners.change. */
  'provisioning.held.resolve': acct(ADMINS, { writes: true }),
  // ---- SCIM (the IdP, with a credential of the account) ----
  'scim.provision': acct([...OPS, 'scim'], { writes: true }),
  /** Adopting or suspending/removing an Owner over SCIM: only a credential an Owner created. */
  'scim.owner.manage': acct([...OPS, 'scim_owner'], { writes: true, alsoWhen: { ownerless: ['scim'] } }),
  // ---- the deployment ----
  'msp.create': { scope: 'deployment', allow: ['operator'] },
  /** Every tenant's jobs (bull-board): the deployment's operators, never MSP people. */
  'deployment.jobs': { scope: 'deployment', allow: ['operator'] },
  'operators.manage': { scope: 'deployment', allow: ['operator', 'system'] },
  /** Taking the day's usage snapshot (the lifecycle worker, or the operator by hand). */
  'usage.snapshot': { scope: 'deployment', allow: ['operator', 'system'] },
  /** Background jobs run as the system (the workers); nobody else runs them. */
  'jobs.run': { scope: 'deployment', allow: ['system'] },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

export type Decision = { allowed: true } | { allowed: false; status: 403 | 404; code: string; message: string };

const ownerOnly = (r: Rule) => !r.allow.some((s) => s === 'admin' || s === 'launched' || s === 'member' || s === 'technician');

/** The pure decision: what the table says for these standings in these states. */
export function decide(action: Action, standings: ReadonlySet<Standing>, states: ReadonlySet<State>): Decision {
  const rule: Rule = POLICY[action];
  if (standings.size === 0) {
    return {
      allowed: false,
      status: 404,
      code: rule.scope === 'msp' ? 'msp.not_found' : 'account.not_found',
      message: rule.scope === 'msp' ? 'No such MSP.' : 'No such account.',
    };
  }
  const allowed = new Set(rule.allow.filter((s) => standings.has(s)));
  for (const [state, extra] of Object.entries(rule.alsoWhen ?? {}) as Array<[State, readonly Standing[]]>) {
    if (states.has(state)) for (const s of extra) if (standings.has(s)) allowed.add(s);
  }
  let denial: Denial | undefined;
  for (const [state, d] of Object.entries(rule.denyWhen ?? {}) as Array<[State, Denial]>) {
    if (!states.has(state)) continue;
    for (const s of d.who) if (allowed.delete(s)) denial ??= d;
  }
  if (allowed.size === 0) {
    if (denial) return { allowed: false, status: denial.status ?? 403, code: denial.code, message: denial.message };
    return ownerOnly(rule)
      ? { allowed: false, status: 403, code: 'role.owner_required', message: 'This needs an Owner of the account.' }
      : {
          allowed: false,
          status: 403,
          code: 'role.required',
          message: `This needs one of: ${rule.allow.filter((s) => s !== 'operator' && s !== 'system').join(', ')}.`,
        };
  }
  if (rule.writes && !rule.whileFrozen && states.has('frozen') && !standings.has('operator') && !standings.has('system')) {
    return { allowed: false, status: 403, code: 'account.frozen', message: 'This account is frozen (read-only): subscribe or link it to an MSP to change it.' };
  }
  return { allowed: true };
}

/** What the principal is in an account (empty: a stranger, who learns nothing). */
export async function standingsOf(tx: Tx, actor: Principal, account: Pick<Account, 'id' | 'kind'>): Promise<Set<Standing>> {
  switch (actor.kind) {
    case 'operator':
      return new Set(['operator']);
    case 'system':
      return new Set(['system']);
    case 'scim':
      if (actor.accountId !== account.id) return new Set();
      return new Set(actor.authority === 'owner' ? ['scim', 'scim_owner'] : ['scim']);
    case 'technician':
      return actor.accountId === account.id ? new Set(['launched']) : new Set();
  }
  const person = personOf(actor);
  if (!person || person.accountId !== account.id || !(await isActing(tx, account.id, person.memberId))) return new Set();
  const out = new Set<Standing>(['member']);
  const roles = await rolesOf(tx, account.id, person.memberId);
  if (roles.has('owners')) out.add('owner');
  if (roles.has('administrators')) out.add('admin');
  if (account.kind === 'msp' && roles.has('msp_technicians')) out.add('technician');
  return out;
}

/** The account's states a rule names (an Owner count is only taken when the rule needs it). */
async function statesOf(tx: Tx, rule: Rule, account: Account, extra: readonly State[]): Promise<Set<State>> {
  const out = new Set<State>(extra);
  if (account.status === 'frozen') out.add('frozen');
  const plan = account.settings.recoveryPlan ?? {};
  if (plan.allowAdministrators === false) out.add('plan.no_admins');
  if (plan.allowTechnicians === false) out.add('plan.no_technicians');
  if (account.settings.technicianSelfAccess === false) out.add('self_access.off');
  if ((rule.alsoWhen && 'ownerless' in rule.alsoWhen) || (rule.denyWhen && 'ownerless' in rule.denyWhen)) {
    if ((await countActiveOwners(tx, account.id)) === 0) out.add('ownerless');
  }
  return out;
}

/** Asks the table; false instead of an error (for "may this person also …" questions). */
export async function permits(ctx: Ctx, action: Action, on: string | Account, targetStates: readonly State[] = []): Promise<boolean> {
  dropHandedOver(ctx);
  const account = typeof on === 'string' ? await getAccount(ctx.tx, on) : on;
  if (!account) return false;
  return (await decideFor(ctx, action, account, targetStates)).allowed;
}

async function decideFor(ctx: Ctx, action: Action, account: Account, targetStates: readonly State[]): Promise<Decision> {
  const rule: Rule = POLICY[action];
  if (rule.scope === 'msp' && account.kind !== 'msp') return decide(action, new Set(), new Set());
  const standings = await standingsOf(ctx.tx, ctx.actor, account);
  return decide(action, standings, await statesOf(ctx.tx, rule, account, targetStates));
}

/**
 * The one question every adapter and use case asks: may ctx.actor do `action` in this account
 * (an id, or the account already loaded)? A stranger gets NotFound (learns nothing), a member
 * without the role Forbidden. Returns the account.
 */
export async function authorize(ctx: Ctx, action: Action, on: string | Account, targetStates: readonly State[] = []): Promise<Account> {
  const states = targetStates.join();
  const handed = takeHandedOver(ctx);
  if (
    handed &&
    handed.action === action &&
    handed.actor === ctx.actor &&
    handed.states === states &&
    handed.account.id === (typeof on === 'string' ? on : on.id)
  ) {
    return handed.account;
  }
  const account = typeof on === 'string' ? await getAccount(ctx.tx, on) : on;
  const d = account ? await decideFor(ctx, action, account, targetStates) : decide(action, new Set(), new Set());
  if (!d.allowed) {
    if (d.status === 404) throw new NotFound(d.code, d.message);
    throw new Forbidden(d.code, d.message);
  }
  rememberAllowed(ctx, { action, account: account!, actor: ctx.actor, states });
  return account!;
}

/**
 * An adapter's check of a request (dispatch.ts), before it parses the input: the route's action
 * in the account (and, for an MSP route about one of its companies, with that company's states).
 * The use case then asks the same question first thing, in the same transaction with nothing run
 * in between: that first question, and only it, is answered by this decision instead of the same
 * reads again. Any other first question drops it; every later one reads the database.
 */
export async function authorizeRequest(ctx: Ctx, action: Action, accountId: string, companyId?: string): Promise<Account> {
  const account = companyId ? await authorizeCompany(ctx, action, accountId, companyId) : await authorize(ctx, action, accountId);
  handOver(ctx);
  return account;
}

/**
 * The authority a SCIM credential made now by ctx.actor carries: an Owner's (or the operator's)
 * lets the IdP change Owners, anyone else's does not. Never more than its creator has outside
 * the first-Owner grace of an account being set up.
 */
export async function credentialAuthority(ctx: Ctx, account: Account): Promise<CredentialAuthority> {
  dropHandedOver(ctx);
  return decide('owners.change', await standingsOf(ctx.tx, ctx.actor, account), new Set()).allowed ? 'owner' : 'admin';
}

/**
 * Deployment-wide actions: the operator at the command line, or a signed-in person the
 * deployment names as an operator (OPERATOR_EMAILS, `mspbridge operator add`).
 */
export async function authorizeDeployment(ctx: Ctx, action: Action): Promise<void> {
  if (POLICY[action].scope !== 'deployment') throw new Error(`${action} is not a deployment action`);
  dropHandedOver(ctx);
  const standings = new Set<Standing>();
  if (ctx.actor.kind === 'operator' || ctx.actor.kind === 'system') standings.add(ctx.actor.kind);
  const person = personOf(ctx.actor);
  if (
    person &&
    ctx.actor.kind === 'member' &&
    (await isActing(ctx.tx, person.accountId, person.memberId)) &&
    (await isOperator(ctx.tx, person.accountId, person.memberId))
  ) {
    standings.add('operator');
  }
  const d = decide(action, standings.size ? standings : new Set(['member']), new Set());
  if (!d.allowed) throw new NotFound('not_found', 'No such page.');
}

/** The target states of a person acted on: themself, an Owner. */
export async function targetStates(ctx: Ctx, accountId: string, memberId: string): Promise<State[]> {
  dropHandedOver(ctx);
  const out: State[] = [];
  const person = personOf(ctx.actor);
  if (person && person.accountId === accountId && person.memberId === memberId) out.push('target.self');
  if ((await rolesOf(ctx.tx, accountId, memberId)).has('owners')) out.push('target.owner');
  return out;
}

/**
 * The states of a managed company as the acting person's technician standing sees it: with the
 * MSP's technician scope `assigned`, a company not assigned to them is `scope.unassigned`.
 */
export async function companyStates(ctx: Ctx, msp: Account, companyId: string): Promise<State[]> {
  if (msp.settings.technicianScope !== 'assigned') return [];
  const person = personOf(ctx.actor);
  if (!person || person.accountId !== msp.id) return [];
  return (await isAssigned(ctx.tx, msp.id, person.memberId, companyId)) ? [] : ['scope.unassigned'];
}

/** authorize for an MSP action on one of its companies: the technician scope comes in as a state. */
export async function authorizeCompany(ctx: Ctx, action: Action, mspId: string, companyId: string): Promise<Account> {
  const msp = await getAccount(ctx.tx, mspId);
  return authorize(ctx, action, msp ?? mspId, msp ? await companyStates(ctx, msp, companyId) : []);
}

/**
 * The technician whose assigned companies are all a listing may show: the actor, when the policy
 * would not let them read a company outside their scope (undefined: the actor sees them all).
 */
export async function listingScope(ctx: Ctx, msp: Account): Promise<string | undefined> {
  if (msp.settings.technicianScope !== 'assigned') return undefined;
  const person = personOf(ctx.actor);
  if (!person || person.accountId !== msp.id) return undefined;
  return (await permits(ctx, 'company.read', msp, ['scope.unassigned'])) ? undefined : person.memberId;
}
