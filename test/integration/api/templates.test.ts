// Company templates on SQLite and PostgreSQL: captured from a company, a company started from one,
// drift across every company, a dry run that changes nothing, reconciling, and what the MSP acting
// in a company with Owners may not change (Owners-only settings, Owners mappings).
import { getAccount } from '../../../src/db/accounts.repo';
import type { Db } from '../../../src/db/knex';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { createCustomGroup } from '../../../src/domain/groups';
import { createPushedGroup } from '../../../src/domain/idpGroups';
import { setMapping } from '../../../src/domain/mapping';
import { addManualMember } from '../../../src/domain/members';
import type { Principal } from '../../../src/domain/principal';
import { updateSettings } from '../../../src/domain/settings';
import { assignTechnician } from '../../../src/domain/technicianScope';
import { addCompanyFromTemplate, applyTemplate, createTemplate, templateDrift, templatesOf } from '../../../src/domain/templates';
import { createVault } from '../../../src/domain/vaults';
import { asActor, asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

const code = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => undefined,
      (e: unknown) => e,
    )) as DomainError | undefined
  )?.code;

async function pushGroup(db: Db, companyId: string, displayName: string) {
  return asOp(db, async (ctx) => createPushedGroup(ctx, (await getAccount(ctx.tx, companyId))!, { displayName, externalId: null, attrs: {} }, []));
}

describeEachDb('company templates', (t) => {
  it('captures a company, starts another from it, shows drift everywhere and reconciles', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Template MSP', region: 'us', ownerEmail: 'o@tpl.example' }, ['us']));
    const mspId = msp.account.id;
    const source = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: 'Source', country: 'US' }));
    await asOp(db, (ctx) =>
      updateSettings(ctx, source.id, {
        policies: { passwordMinLength: 14, requireTwoFactor: true },
        recoveryPlan: { allowTechnicians: false },
        technicianSelfAccess: false,
        scimDeleteMode: 'remove',
      }),
    );
    await asOp(db, (ctx) => createCustomGroup(ctx, source.id, 'Finance', 'Money people'));
    for (const v of ['Shared IT', 'Finance']) await asOp(db, (ctx) => createVault(ctx, { accountId: source.id, name: v }));
    const sales = await pushGroup(db, source.id, 'Sales');
    const accounting = await pushGroup(db, source.id, 'Accounting');
    await asOp(db, (ctx) => setMapping(ctx, { accountId: source.id, scimGroup: sales.id, group: 'Administrators' }));
    await asOp(db, (ctx) => setMapping(ctx, { accountId: source.id, scimGroup: accounting.id, group: 'Finance' }));
    // A pushed group nobody mapped (its automatic custom group is not part of the template).
    await pushGroup(db, source.id, 'Everyone');

    const tpl = await asOp(db, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: source.id, name: 'Standard' }));
    expect(tpl.spec).toEqual({
      policies: { passwordMinLength: 14, requireTwoFactor: true },
      recoveryPlan: { allowTechnicians: false },
      settings: { technicianSelfAccess: false, scimDeleteMode: 'remove' },
      groups: [{ name: 'Finance', description: 'Money people' }],
      vaults: ['Finance', 'Shared IT'],
      mappings: [
        { idpGroup: 'Accounting', group: 'Finance' },
        { idpGroup: 'Sales', group: 'Administrators' },
      ],
    });
    expect(await code(asOp(db, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: source.id, name: 'standard' })))).toBe('template.name.taken');

    // A company started from the template has its setup; the mappings wait for the IdP's groups.
    const started = await asOp(db, (ctx) => addCompanyFromTemplate(ctx, { mspId, name: 'Started', country: 'US' }, tpl.id));
    expect(started.template.changes.filter((c) => c.result === 'waiting').map((c) => c.key)).toEqual(['Accounting', 'Sales']);
    expect(started.template.changes.filter((c) => c.result === 'refused')).toEqual([]);
    const plain = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: 'Plain', country: 'US' }));
    const startedAccount = (await getAccount(db, started.company.id))!;
    expect(startedAccount.settings).toMatchObject({
      policies: { passwordMinLength: 14, requireTwoFactor: true },
      technicianSelfAccess: false,
      scimDeleteMode: 'remove',
    });

    const drift = async () => new Map((await asOp(db, (ctx) => templateDrift(ctx, { mspId, templateId: tpl.id }))).map((r) => [r.name, r.differences]));
    let d = await drift();
    expect([...d.keys()].sort()).toEqual(['Plain', 'Source', 'Started']);
    expect(d.get('Source')).toEqual([]);
    expect(d.get('Started')).toEqual([
      { area: 'mappings', key: 'Accounting', expected: 'Finance', actual: 'not pushed' },
      { area: 'mappings', key: 'Sales', expected: 'Administrators', actual: 'not pushed' },
    ]);
    expect(d.get('Plain')!.map((x) => `${x.area}:${x.key}`)).toEqual([
      'policies:passwordMinLength',
      'policies:requireTwoFactor',
      'settings:scimDeleteMode',
      'settings:technicianSelfAccess',
      'recoveryPlan:allowTechnicians',
      'groups:Finance',
      'vaults:Finance',
      'vaults:Shared IT',
      'mappings:Accounting',
      'mappings:Sales',
    ]);

    // The IdP pushes Sales to the new company; someone lowers its password policy.
    await pushGroup(db, started.company.id, 'Sales');
    await asOp(db, (ctx) => updateSettings(ctx, started.company.id, { policies: { passwordMinLength: 8 } }));
    d = await drift();
    expect(d.get('Started')).toEqual([
      { area: 'policies', key: 'passwordMinLength', expected: 14, actual: 8 },
      { area: 'mappings', key: 'Accounting', expected: 'Finance', actual: 'not pushed' },
      { area: 'mappings', key: 'Sales', expected: 'Administrators', actual: null },
    ]);
    // A dry run says what would change and changes nothing.
    const dry = await asOp(db, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: started.company.id, dryRun: true }));
    expect(dry.changes.map((c) => `${c.result}:${c.key}`)).toEqual(['applied:passwordMinLength', 'waiting:Accounting', 'applied:Sales']);
    expect((await drift()).get('Started')).toHaveLength(3);
    expect(await db('audit_events').where({ action: 'template.applied', account_id: started.company.id })).toHaveLength(1); // from the start only
    const applied = await asOp(db, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: started.company.id }));
    expect(applied.remaining).toEqual([{ area: 'mappings', key: 'Accounting', expected: 'Finance', actual: 'not pushed' }]);
    expect(await db('audit_events').where({ action: 'template.applied', account_id: started.company.id })).toHaveLength(2);
    expect((await getAccount(db, started.company.id))!.settings.policies!.passwordMinLength).toBe(14);
    // Reconciling the plain company brings everything but the unpushed mappings.
    const plainApplied = await asOp(db, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: plain.id }));
    expect(plainApplied.remaining.map((x) => x.area)).toEqual(['mappings', 'mappings']);
    expect(await asOp(db, (ctx) => templatesOf(ctx, mspId))).toHaveLength(1);
  });

  it('lets the MSP change only what a launched technician may once the company has an Owner', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Scoped MSP', region: 'us', ownerEmail: 'o@scoped.example' }, ['us']));
    const mspId = msp.account.id;
    const other = await asOp(db, (ctx) => createMsp(ctx, { name: 'Other MSP', region: 'us', ownerEmail: 'o@other-tpl.example' }, ['us']));
    const source = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: 'Source', country: 'US' }));
    await asOp(db, (ctx) =>
      updateSettings(ctx, source.id, { policies: { passwordMinLength: 16 }, technicianSelfAccess: true, recoveryPlan: { allowTechnicians: true } }),
    );
    const owners = await pushGroup(db, source.id, 'Company Owners');
    await asOp(db, (ctx) => setMapping(ctx, { accountId: source.id, scimGroup: owners.id, group: 'Owners' }));
    const tpl = await asOp(db, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: source.id, name: 'Open' }));

    // A company with an Owner of its own that turned technicians' self-access and recovery off.
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: 'Owned', country: 'US' }));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: company.id, email: 'boss@owned.example', group: 'Owners', state: 'active' }));
    await asOp(db, (ctx) => updateSettings(ctx, company.id, { technicianSelfAccess: false, recoveryPlan: { allowTechnicians: false } }));
    await pushGroup(db, company.id, 'Company Owners');

    const person = async (email: string, group?: string): Promise<Principal> => {
      const m = await asOp(db, (ctx) => addManualMember(ctx, { accountId: mspId, email, group, state: 'active' }));
      return { kind: 'member', accountId: mspId, memberId: m.id, label: email };
    };
    const tech = await person('tech@scoped.example', 'MSP Technicians');
    const r = await asActor(db, tech, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: company.id }));
    const outcome = Object.fromEntries(r.changes.map((c) => [c.key, `${c.result}${c.reason ? ` ${c.reason}` : ''}`]));
    expect(outcome).toEqual({
      passwordMinLength: 'applied',
      technicianSelfAccess: 'refused role.owner_required',
      allowTechnicians: 'refused role.owner_required',
      'Company Owners': 'refused role.owner_required',
    });
    const after = (await getAccount(db, company.id))!.settings;
    expect(after.technicianSelfAccess).toBe(false);
    expect(after.recoveryPlan!.allowTechnicians).toBe(false);
    expect(after.policies!.passwordMinLength).toBe(16);
    // The audit shows the MSP's person acting in the company.
    const audit = await db('audit_events').where({ account_id: company.id, action: 'account.settings_changed' }).orderBy('id', 'desc').first();
    expect(audit.actor_kind).toBe('technician');

    // With technicians scoped to assigned companies, this one reaches neither the company nor its drift row.
    await asOp(db, (ctx) => updateSettings(ctx, mspId, { technicianScope: 'assigned' }));
    expect(await code(asActor(db, tech, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: company.id, dryRun: true })))).toBe(
      'company.not_found',
    );
    expect((await asActor(db, tech, (ctx) => templateDrift(ctx, { mspId, templateId: tpl.id }))).map((r) => r.name)).toEqual([]);
    expect((await asOp(db, (ctx) => templateDrift(ctx, { mspId, templateId: tpl.id }))).map((r) => r.name).sort()).toEqual(['Owned', 'Source']);
    await asOp(db, (ctx) => assignTechnician(ctx, { mspId, memberId: tech.kind === 'member' ? tech.memberId : '', companyId: company.id }));
    expect((await asActor(db, tech, (ctx) => templateDrift(ctx, { mspId, templateId: tpl.id }))).map((r) => r.name)).toEqual(['Owned']);

    // Someone of the MSP who is not staff, and another MSP, get nothing.
    const plain = await person('plain@scoped.example');
    expect(await code(asActor(db, plain, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: company.id })))).toBe('role.required');
    expect(await code(asActor(db, plain, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: company.id, name: 'x' })))).toBe('role.required');
    expect(await code(asActor(db, tech, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: company.id, name: 'x' })))).toBe('role.required');
    const outsider: Principal = { kind: 'member', accountId: other.account.id, memberId: other.ownerId, label: 'other' };
    await db('members').where({ id: other.ownerId }).update({ state: 'active' });
    expect(await code(asActor(db, outsider, (ctx) => templateDrift(ctx, { mspId: other.account.id, templateId: tpl.id })))).toBe('template.not_found');
    expect(await code(asActor(db, outsider, (ctx) => templateDrift(ctx, { mspId, templateId: tpl.id })))).toBe('msp.not_found');
    // Another MSP's company cannot be captured or reconciled through this MSP.
    const theirs = await asOp(db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Theirs', country: 'US' }));
    expect(await code(asOp(db, (ctx) => createTemplate(ctx, { mspId, fromCompanyId: theirs.id, name: 'Stolen' })))).toBe('company.not_found');
    expect(await code(asOp(db, (ctx) => applyTemplate(ctx, { mspId, templateId: tpl.id, companyId: theirs.id })))).toBe('company.not_found');
  });
});
