// Company templates: an MSP captures one company's setup (policies, settings, recovery plan, custom
// groups, vault names, group mappings by IdP group name), starts new companies from it, sees how
// far each company has drifted from it, and reconciles one (dry run first, audited).
import { type Account, type AccountSettings, allManagedCompanies, getAccount, getManagedCompany } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { listGroups } from '../db/groups.repo';
import { findIdpGroupByName } from '../db/idpGroups.repo';
import { mappingsForIdpGroup } from '../db/mapping.repo';
import {
  deleteTemplate,
  findTemplateByName,
  getTemplate,
  insertTemplate,
  listTemplates,
  namedMappings,
  type TemplateRow,
  vaultNames,
} from '../db/templates.repo';
import { savepoint } from '../db/unitOfWork';
import { auditOn } from './audit';
import { type AddCompanyInput, addCompany } from './companies';
import { type Ctx, nowIso } from './context';
import { maybeDry } from './dryRun';
import { Conflict, Forbidden, Invalid, NotFound, isDomainError } from './errors';
import { createCustomGroup } from './groups';
import { setMapping } from './mapping';
import { authorize, authorizeCompany, listingScope } from './policy';
import { personOf } from './principal';
import { type SettingsPatch, updateSettings } from './settings';
import { createVault } from './vaults';

/** Settings a template carries besides policies and the recovery plan. */
const SETTING_KEYS = ['scimDeleteMode', 'adoptExistingMembers', 'unmappedGroupsAsCustom', 'technicianSelfAccess', 'deprovisionLimit'] as const;
type SettingKey = (typeof SETTING_KEYS)[number];
/** Settings only the company's Owners may change once it has one (policy `settings.update.governing`). */
const GOVERNING = new Set<string>(['adoptExistingMembers', 'technicianSelfAccess']);

export interface TemplateSpec {
  policies: NonNullable<AccountSettings['policies']>;
  recoveryPlan: NonNullable<AccountSettings['recoveryPlan']>;
  settings: Partial<Pick<AccountSettings, SettingKey>>;
  /** Custom groups (by name) the company should have. */
  groups: Array<{ name: string; description: string | null }>;
  /** Shared vaults (by name) the company should have. */
  vaults: string[];
  /** Pushed IdP group (by display name) → Owners | Administrators | a custom group's name. */
  mappings: Array<{ idpGroup: string; group: string }>;
}

export interface TemplateView {
  id: string;
  name: string;
  sourceCompanyId: string | null;
  spec: TemplateSpec;
  createdAt: string;
}

const viewOf = (t: TemplateRow): TemplateView => ({
  id: t.id,
  name: t.name,
  sourceCompanyId: t.sourceCompanyId,
  spec: t.spec as unknown as TemplateSpec,
  createdAt: t.createdAt,
});

/** One way a company differs from its template: `expected` is the template's, `actual` the company's (null: absent). */
export interface Difference {
  area: 'policies' | 'settings' | 'recoveryPlan' | 'groups' | 'vaults' | 'mappings';
  key: string;
  expected: unknown;
  actual: unknown;
}

async function managedCompany(ctx: Ctx, mspId: string, companyId: string): Promise<Account> {
  const company = await getManagedCompany(ctx.tx, mspId, companyId);
  if (!company) throw new NotFound('company.not_found', 'No such company.');
  return company;
}

async function requireTemplate(ctx: Ctx, mspId: string, templateId: string): Promise<TemplateRow> {
  const t = await getTemplate(ctx.tx, mspId, templateId);
  if (!t) throw new NotFound('template.not_found', 'No such template.');
  return t;
}

/** What a company's setup is, in a template's terms. */
async function capture(ctx: Ctx, company: Account): Promise<TemplateSpec> {
  const groups = await listGroups(ctx.tx, company.id);
  const mappings = (await namedMappings(ctx.tx, company.id)).filter((m) => !m.automatic);
  const mapped = new Set(mappings.map((m) => m.group.toLowerCase()));
  const s = company.settings;
  return {
    policies: { ...(s.policies ?? {}) },
    recoveryPlan: { ...(s.recoveryPlan ?? {}) },
    settings: Object.fromEntries(SETTING_KEYS.filter((k) => s[k] !== undefined).map((k) => [k, s[k]])),
    // Custom groups made by hand, and those a mapping targets (made for a pushed group or not).
    groups: groups
      .filter((g) => g.kind === 'custom' && (!g.idpGroupId || mapped.has(g.name.toLowerCase())))
      .map((g) => ({ name: g.name, description: g.description }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    vaults: [...new Set(await vaultNames(ctx.tx, company.id))].sort(),
    mappings: mappings.map((m) => ({ idpGroup: m.idpGroup, group: m.group })).sort((a, b) => a.idpGroup.localeCompare(b.idpGroup)),
  };
}

export async function createTemplate(ctx: Ctx, input: { mspId: string; fromCompanyId: string; name: string }): Promise<TemplateView> {
  const msp = await authorize(ctx, 'templates.manage', input.mspId);
  const company = await managedCompany(ctx, msp.id, input.fromCompanyId);
  const name = input.name.trim();
  if (!name || name.length > 200) throw new Invalid('template.name.invalid', 'A template name is 1 to 200 characters.');
  if (await findTemplateByName(ctx.tx, msp.id, name)) throw new Conflict('template.name.taken', `A template named "${name}" already exists.`);
  const now = nowIso(ctx);
  const row: TemplateRow = {
    id: newId(),
    mspId: msp.id,
    name,
    sourceCompanyId: company.id,
    spec: (await capture(ctx, company)) as unknown as Record<string, unknown>,
    createdBy: ctx.actor.label,
    createdAt: now,
    updatedAt: now,
  };
  await insertTemplate(ctx.tx, row);
  await auditOn(ctx, msp, 'template.created', { type: 'template', id: row.id }, { name, fromCompany: company.id });
  return viewOf(row);
}

export async function templatesOf(ctx: Ctx, mspId: string): Promise<TemplateView[]> {
  await authorize(ctx, 'templates.read', mspId);
  return (await listTemplates(ctx.tx, mspId)).map(viewOf);
}

export async function removeTemplate(ctx: Ctx, mspId: string, templateId: string): Promise<void> {
  const msp = await authorize(ctx, 'templates.manage', mspId);
  const t = await requireTemplate(ctx, msp.id, templateId);
  await deleteTemplate(ctx.tx, msp.id, t.id);
  await auditOn(ctx, msp, 'template.removed', { type: 'template', id: t.id }, { name: t.name });
}

/** An object's entries by key (PostgreSQL's jsonb does not keep the order they were written in). */
const sorted = (o: object) => Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** How a company differs from a template (what the template has and the company lacks or sets otherwise). */
async function differencesOf(ctx: Ctx, company: Account, spec: TemplateSpec): Promise<Difference[]> {
  const out: Difference[] = [];
  const s = company.settings;
  for (const [key, want] of sorted(spec.policies)) {
    const have = (s.policies as Record<string, unknown> | undefined)?.[key];
    if (!same(want, have)) out.push({ area: 'policies', key, expected: want, actual: have ?? null });
  }
  for (const [key, want] of sorted(spec.settings)) {
    const have = s[key as SettingKey];
    if (!same(want, have)) out.push({ area: 'settings', key, expected: want, actual: have ?? null });
  }
  for (const [key, want] of sorted(spec.recoveryPlan)) {
    const have = (s.recoveryPlan as Record<string, unknown> | undefined)?.[key];
    if (!same(want, have)) out.push({ area: 'recoveryPlan', key, expected: want, actual: have ?? null });
  }
  const groups = await listGroups(ctx.tx, company.id);
  const groupNames = new Set(groups.map((g) => g.name.toLowerCase()));
  for (const g of spec.groups) if (!groupNames.has(g.name.toLowerCase())) out.push({ area: 'groups', key: g.name, expected: 'present', actual: null });
  const vaults = new Set((await vaultNames(ctx.tx, company.id)).map((v) => v.toLowerCase()));
  for (const v of spec.vaults) if (!vaults.has(v.toLowerCase())) out.push({ area: 'vaults', key: v, expected: 'present', actual: null });
  const byId = new Map(groups.map((g) => [g.id, g.name]));
  for (const m of spec.mappings) {
    const idp = await findIdpGroupByName(ctx.tx, company.id, m.idpGroup);
    // Not pushed yet: the mapping waits for the IdP (apply maps it once the group is there).
    const current = idp ? (await mappingsForIdpGroup(ctx.tx, company.id, idp)).filter((x) => !x.automatic).map((x) => byId.get(x.groupId)) : [];
    if (!idp || current.length !== 1 || current[0]!.toLowerCase() !== m.group.toLowerCase()) {
      out.push({ area: 'mappings', key: m.idpGroup, expected: m.group, actual: idp ? (current[0] ?? null) : 'not pushed' });
    }
  }
  return out;
}

export async function templateDrift(
  ctx: Ctx,
  input: { mspId: string; templateId: string; companyId?: string },
): Promise<Array<{ companyId: string; name: string; differences: Difference[] }>> {
  const msp = await authorize(ctx, 'templates.read', input.mspId);
  const spec = (await requireTemplate(ctx, msp.id, input.templateId)).spec as unknown as TemplateSpec;
  if (input.companyId) await authorizeCompany(ctx, 'company.read', msp.id, input.companyId);
  const companies = input.companyId
    ? [await managedCompany(ctx, msp.id, input.companyId)]
    : await allManagedCompanies(ctx.tx, msp.id, await listingScope(ctx, msp));
  const out = [];
  for (const c of companies) out.push({ companyId: c.id, name: c.name, differences: await differencesOf(ctx, c, spec) });
  return out;
}

/**
 * The MSP acting in one of its companies: the operator as itself, an MSP person as its launched
 * technician would (an Administrator of the company, never an Owner).
 */
async function actingIn(ctx: Ctx, msp: Account, company: Account): Promise<Ctx> {
  if (ctx.actor.kind === 'operator' || ctx.actor.kind === 'system') return ctx;
  const person = personOf(ctx.actor);
  if (!person || person.accountId !== msp.id) throw new Forbidden('template.actor', 'A template is applied by the MSP.');
  await authorizeCompany(ctx, 'company.launch', msp.id, company.id);
  if (company.status === 'pending_link') throw new Forbidden('launch.pending_link', 'The company has not approved the link yet.');
  return {
    ...ctx,
    actor: { kind: 'technician', accountId: company.id, mspId: msp.id, memberId: person.memberId, launchId: 'template', label: ctx.actor.label },
  };
}

export interface Outcome extends Difference {
  result: 'applied' | 'refused' | 'waiting';
  /** Why a change was refused or waits (an error code, or `idp_group.not_pushed`). */
  reason?: string;
}

export interface ApplyResult {
  companyId: string;
  templateId: string;
  dryRun: boolean;
  changes: Outcome[];
  /** What still differs afterwards (refused or waiting changes). */
  remaining: Difference[];
}

/** Runs one change in a savepoint: a refusal (policy, conflict) is recorded and the others go on. */
async function attempt(ctx: Ctx, diffs: Difference[], out: Outcome[], change: (ctx: Ctx) => Promise<unknown>): Promise<void> {
  if (!diffs.length) return;
  try {
    await savepoint(ctx.tx, (sp) => change({ ...ctx, tx: sp }));
    out.push(...diffs.map((d) => ({ ...d, result: 'applied' as const })));
  } catch (err) {
    if (!isDomainError(err)) throw err;
    out.push(...diffs.map((d) => ({ ...d, result: 'refused' as const, reason: err.code })));
  }
}

async function reconcile(ctx: Ctx, company: Account, spec: TemplateSpec): Promise<Outcome[]> {
  const diffs = await differencesOf(ctx, company, spec);
  const out: Outcome[] = [];
  const of = (area: Difference['area']) => diffs.filter((d) => d.area === area);
  const patchOf = (list: Difference[]) => Object.fromEntries(list.map((d) => [d.key, d.expected]));
  const nested = (key: 'policies' | 'recoveryPlan', list: Difference[]) => (list.length ? { [key]: patchOf(list) } : {});
  const policies = of('policies');
  const recoveryPlan = of('recoveryPlan');
  const plainSettings = of('settings').filter((d) => !GOVERNING.has(d.key));
  const governingSettings = of('settings').filter((d) => GOVERNING.has(d.key));
  // Settings in two steps: what administrators may change, then what only Owners govern.
  await attempt(ctx, [...policies, ...plainSettings], out, (c) =>
    updateSettings(c, company.id, { ...nested('policies', policies), ...patchOf(plainSettings) } as SettingsPatch),
  );
  await attempt(ctx, [...governingSettings, ...recoveryPlan], out, (c) =>
    updateSettings(c, company.id, { ...patchOf(governingSettings), ...nested('recoveryPlan', recoveryPlan) } as SettingsPatch),
  );
  for (const d of of('groups')) {
    const g = spec.groups.find((x) => x.name === d.key);
    await attempt(ctx, [d], out, (c) => createCustomGroup(c, company.id, d.key, g?.description ?? undefined));
  }
  for (const d of of('vaults')) await attempt(ctx, [d], out, (c) => createVault(c, { accountId: company.id, name: d.key }));
  for (const d of of('mappings')) {
    const idp = await findIdpGroupByName(ctx.tx, company.id, d.key);
    if (!idp) out.push({ ...d, result: 'waiting', reason: 'idp_group.not_pushed' });
    else await attempt(ctx, [d], out, (c) => setMapping(c, { accountId: company.id, scimGroup: idp.id, group: String(d.expected) }));
  }
  return out;
}

/** Brings a company in line with a template; with dryRun nothing is written and the result is what would happen. */
export async function applyTemplate(ctx: Ctx, input: { mspId: string; templateId: string; companyId: string; dryRun?: boolean }): Promise<ApplyResult> {
  const msp = await authorizeCompany(ctx, 'template.apply', input.mspId, input.companyId);
  const template = await requireTemplate(ctx, msp.id, input.templateId);
  const company = await managedCompany(ctx, msp.id, input.companyId);
  const acting = await actingIn(ctx, msp, company);
  const dryRun = Boolean(input.dryRun);
  const spec = template.spec as unknown as TemplateSpec;
  return maybeDry(acting, dryRun, async (c) => {
    const changes = await reconcile(c, company, spec);
    const after = (await getAccount(c.tx, company.id))!;
    const remaining = await differencesOf(c, after, spec);
    if (!dryRun) {
      await auditOn(
        c,
        company,
        'template.applied',
        { type: 'template', id: template.id },
        {
          template: template.name,
          applied: changes.filter((x) => x.result === 'applied').length,
          refused: changes.filter((x) => x.result === 'refused').length,
          waiting: changes.filter((x) => x.result === 'waiting').length,
        },
      );
    }
    return { companyId: company.id, templateId: template.id, dryRun, changes, remaining };
  });
}

/** `company add … --template ID`: the new company, set up from the template in the same transaction. */
export async function addCompanyFromTemplate(ctx: Ctx, input: AddCompanyInput, templateId: string): Promise<{ company: Account; template: ApplyResult }> {
  await authorize(ctx, 'template.apply', input.mspId);
  await requireTemplate(ctx, input.mspId, templateId);
  const company = await addCompany(ctx, input);
  return { company, template: await applyTemplate(ctx, { mspId: input.mspId, templateId, companyId: company.id }) };
}
