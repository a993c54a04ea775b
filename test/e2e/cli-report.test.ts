// `mspbridge report --account ID --month YYYY-MM --format json|html|csv` through the real bin.
import { getAccount } from '../../src/db/accounts.repo';
import { getMemberAnyState } from '../../src/db/members.repo';
import { openDb, migrateLatest } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import type { Principal } from '../../src/domain/principal';
import { deprovisionUser, provisionUser } from '../../src/domain/provisioning';
import { testEnv } from '../helpers/app';
import { asActor, asOp } from '../helpers/ctx';
import { DIALECTS } from '../helpers/db';
import { cli, cliJson } from '../helpers/cli';
import { pushedProfile } from '../helpers/scim';

const profile = pushedProfile;

describe.each(DIALECTS)('report through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let db: ReturnType<typeof openDb>;
  let company: string;

  beforeAll(async () => {
    ({ env, drop } = testEnv(dialect));
    db = openDb({ url: env.DATABASE_URL! });
    await migrateLatest(db);
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Cli Report MSP', region: 'us', ownerEmail: 'o@cli-report.example' }, ['us']));
    company = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Report, Inc', country: 'US' }))).id;
    const scim: Principal = { kind: 'scim', accountId: company, credentialId: 'cli', label: 'Okta', authority: 'owner' };
    const ids: string[] = [];
    for (const [i, e] of ['a@r.example', 'b@r.example', 'c@r.example'].entries()) {
      const r = await asActor(
        db,
        scim,
        async (ctx) => provisionUser(ctx, (await getAccount(ctx.tx, company))!, profile(e), true),
        new Date(Date.UTC(2026, 5, 2 + i)),
      );
      ids.push(r.member.id);
    }
    await asActor(
      db,
      scim,
      async (ctx) => deprovisionUser(ctx, (await getAccount(ctx.tx, company))!, (await getMemberAnyState(ctx.tx, company, ids[0]!))!),
      new Date(Date.UTC(2026, 5, 20)),
    );
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it('prints the month as JSON, CSV, HTML and a summary', () => {
    const json = cliJson<Record<string, unknown>>(['report', '--account', company, '--month', '2026-06'], env);
    expect(json).toMatchObject({
      month: '2026-06',
      joiners: 3,
      leavers: 1,
      deprovisionings: 1,
      deprovisioningLatencyMedianSeconds: 0,
      deprovisioningLatencyMaxSeconds: 0,
    });
    expect(cliJson(['report', '--account', company, '--month', '2026-06', '--format', 'json'], env)).toEqual(json);
    const csv = cli(['report', '--account', company, '--month', '2026-06', '--format', 'csv'], env);
    expect(csv.status).toBe(0);
    expect(csv.stdout.split(/\r?\n/).slice(0, 4)).toEqual(['metric,value', 'account,"Report, Inc"', 'month,2026-06', 'joiners,3']);
    const html = cli(['report', '--account', company, '--month', '2026-06', '--format', 'html'], env);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    expect(html.stdout).toContain('Report, Inc: monthly report for June 2026');
    const text = cli(['report', '--account', company, '--month', '2026-06'], env);
    expect(text.stdout).toContain('joiners 3, leavers 1');
    expect(cliJson<Record<string, unknown>>(['report', '--account', company, '--month', '2026-07'], env)).toMatchObject({ joiners: 0, leavers: 0 });
  });

  it('refuses bad input with one line and a non-zero exit', () => {
    for (const args of [
      ['report', '--account', company, '--month', '2026-6'],
      ['report', '--account', company, '--month', '2026-13'],
      ['report', '--account', company, '--month', '2026-06', '--format', 'pdf'],
      ['report', '--account', company, '--month', '2026-06', '--format', 'html', '--json'],
      ['report', '--account', '00000000-0000-4000-8000-000000000000', '--month', '2026-06'],
      ['report', '--account', company],
    ]) {
      const r = cli(args, env);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
