// `usage snapshot` and `usage --msp --from --to [--json|--csv]` through the real bin.
import { openDb, migrateLatest } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { addManualMember } from '../../src/domain/members';
import { utcDay } from '../../src/domain/usage';
import { testEnv } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { DIALECTS } from '../helpers/db';
import { cli, cliJson } from '../helpers/cli';

describe.each(DIALECTS)('usage through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let db: ReturnType<typeof openDb>;
  let msp: string;
  let company: string;
  let other: string;

  beforeAll(async () => {
    ({ env, drop } = testEnv(dialect));
    db = openDb({ url: env.DATABASE_URL! });
    await migrateLatest(db);
    const m = await asOp(db, (ctx) => createMsp(ctx, { name: 'Cli Usage MSP', region: 'us', ownerEmail: 'o@cli-usage.example' }, ['us']));
    msp = m.account.id;
    company = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp, name: 'Acme, Ltd', country: 'US' }))).id;
    for (const e of ['a@acme.example', 'b@acme.example']) await asOp(db, (ctx) => addManualMember(ctx, { accountId: company, email: e, state: 'active' }));
    const m2 = await asOp(db, (ctx) => createMsp(ctx, { name: 'Cli Other MSP', region: 'us', ownerEmail: 'o@cli-other.example' }, ['us']));
    other = (await asOp(db, (ctx) => addCompany(ctx, { mspId: m2.account.id, name: 'Not Ours', country: 'US' }))).id;
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it('takes today’s snapshot once, then sums it per company as JSON, CSV and text', async () => {
    const today = utcDay(new Date());
    expect(cliJson(['usage', 'snapshot', '--msp', msp], env)).toEqual({ day: today, taken: 1 });
    expect(cliJson(['usage', 'snapshot', '--msp', msp], env)).toEqual({ day: today, taken: 0 });
    // Without --msp every company is taken (the other MSP's too), each once.
    expect(cliJson(['usage', 'snapshot'], env)).toEqual({ day: today, taken: 1 });
    const rows = cliJson<unknown[]>(['usage', '--msp', msp, '--from', today, '--to', today], env);
    expect(rows).toEqual([
      { companyId: company, name: 'Acme, Ltd', seatDays: 2, avgSeats: 2, peakSeats: 2, statusDays: { trial: 0, active: 1, frozen: 0, setup: 0 }, days: 1 },
    ]);
    const csv = cli(['usage', '--msp', msp, '--from', today, '--to', today, '--csv'], env);
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\r\n')).toEqual([
      'companyId,name,seatDays,avgSeats,peakSeats,trialDays,activeDays,frozenDays,setupDays',
      `${company},"Acme, Ltd",2,2,2,0,1,0,0`,
      '',
    ]);
    const text = cli(['usage', '--msp', msp, '--from', today, '--to', today], env);
    expect(text.stdout).toContain('Acme, Ltd');
    expect(JSON.stringify(rows)).not.toContain(other);
  });

  it('refuses bad input with one line and a non-zero exit', () => {
    for (const args of [
      ['usage', '--msp', msp, '--from', '2026-02-30', '--to', '2026-03-01'],
      ['usage', '--msp', msp, '--from', '2026-03-02', '--to', '2026-03-01'],
      ['usage', '--msp', msp],
      ['usage', '--msp', msp, '--from', '2026-03-01', '--to', '2026-03-01', '--csv', '--json'],
      ['usage', 'snap'],
      ['usage', '--msp', '00000000-0000-4000-8000-000000000000', '--from', '2026-03-01', '--to', '2026-03-01'],
    ]) {
      const r = cli(args, env);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
