// `template create|list|drift|apply|remove` and `company add --template` through the real bin.
import { openDb, migrateLatest } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createCustomGroup } from '../../src/domain/groups';
import { updateSettings } from '../../src/domain/settings';
import { createVault } from '../../src/domain/vaults';
import { testEnv } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { DIALECTS } from '../helpers/db';
import { cli, cliJson } from '../helpers/cli';

describe.each(DIALECTS)('templates through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let db: ReturnType<typeof openDb>;
  let msp: string;
  let source: string;

  beforeAll(async () => {
    ({ env, drop } = testEnv(dialect));
    db = openDb({ url: env.DATABASE_URL! });
    await migrateLatest(db);
    msp = (await asOp(db, (ctx) => createMsp(ctx, { name: 'Cli Tpl MSP', region: 'us', ownerEmail: 'o@cli-tpl.example' }, ['us']))).account.id;
    source = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp, name: 'Source', country: 'US' }))).id;
    await asOp(db, (ctx) => updateSettings(ctx, source, { policies: { passwordMinLength: 20 } }));
    await asOp(db, (ctx) => createCustomGroup(ctx, source, 'Ops'));
    await asOp(db, (ctx) => createVault(ctx, { accountId: source, name: 'Runbooks' }));
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it('creates, starts a company from, drifts, dry-runs, applies and removes a template', async () => {
    const created = cliJson<{ id: string }>(['template', 'create', '--msp', msp, '--from-company', source, '--name', 'Baseline'], env);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(cliJson<Array<{ id: string; name: string }>>(['template', 'list', '--msp', msp], env).map((t) => t.name)).toEqual(['Baseline']);
    const started = cliJson<{ id: string; status: string; template: { remaining: unknown[] } }>(
      ['company', 'add', '--msp', msp, '--name', 'From Template', '--country', 'US', '--template', created.id],
      env,
    );
    expect(started.status).toBe('setup');
    expect(started.template.remaining).toEqual([]);
    const plain = cliJson<{ id: string }>(['company', 'add', '--msp', msp, '--name', 'Plain', '--country', 'US'], env);
    const drift = cliJson<Array<{ companyId: string; differences: Array<{ area: string; key: string }> }>>(
      ['template', 'drift', '--msp', msp, '--template', created.id],
      env,
    );
    expect(drift.map((d) => d.companyId).sort()).toEqual([source, started.id, plain.id].sort());
    expect(drift.find((d) => d.companyId === started.id)!.differences).toEqual([]);
    expect(drift.find((d) => d.companyId === plain.id)!.differences.map((x) => `${x.area}:${x.key}`)).toEqual([
      'policies:passwordMinLength',
      'groups:Ops',
      'vaults:Runbooks',
    ]);
    const dry = cliJson<{ dryRun: boolean; changes: unknown[] }>(
      ['template', 'apply', '--msp', msp, '--template', created.id, '--company', plain.id, '--dry-run'],
      env,
    );
    expect(dry).toMatchObject({ dryRun: true, changes: [{ result: 'applied' }, { result: 'applied' }, { result: 'applied' }] });
    expect(
      cliJson<Array<{ differences: unknown[] }>>(['template', 'drift', '--msp', msp, '--template', created.id, '--company', plain.id], env)[0]!.differences,
    ).toHaveLength(3);
    const applied = cliJson<{ dryRun: boolean; remaining: unknown[] }>(
      ['template', 'apply', '--msp', msp, '--template', created.id, '--company', plain.id],
      env,
    );
    expect(applied).toMatchObject({ dryRun: false, remaining: [] });
    const text = cli(['template', 'drift', '--msp', msp, '--template', created.id], env);
    expect(text.stdout).toContain('Plain');
    expect(text.stdout).toContain('in line');
    expect(cliJson(['template', 'remove', '--msp', msp, '--template', created.id], env)).toEqual({ id: created.id, removed: true });
  });

  it('refuses bad input with one line and a non-zero exit', () => {
    for (const args of [
      ['template', 'create', '--msp', msp, '--from-company', '00000000-0000-4000-8000-000000000000', '--name', 'X'],
      ['template', 'drift', '--msp', msp, '--template', 'nope'],
      ['template', 'apply', '--msp', msp, '--template', 'nope', '--company', source],
      ['company', 'add', '--msp', msp, '--name', 'Bad', '--country', 'US', '--template', 'nope'],
      ['template', 'create', '--msp', msp, '--from-company', source],
    ]) {
      const r = cli([...args, '--json'], env);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // The refused company add left nothing behind.
    expect(cliJson<unknown[]>(['company', 'list', '--msp', msp, '--search', 'Bad'], env)).toEqual([]);
  });
});
