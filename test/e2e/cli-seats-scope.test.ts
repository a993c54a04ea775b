// `company update --seats`, `technicians assign|unassign|assignments` and `account settings
// --technician-scope` through the real bin on SQLite and PostgreSQL (--json shapes and refusals).
import { testEnv } from '../helpers/app';
import { cli, cliJson } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';

describe.each(DIALECTS)('seat caps and technician scope through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(() => {
    ({ env, drop } = testEnv(dialect, { PUBLIC_URL: 'https://bridge.example' }));
  });
  afterAll(() => drop());

  it('sets a cap with company add --seats or company update, and refuses an invitation beyond it', () => {
    const msp = cliJson<{ id: string }>(['msp', 'create', '--name', 'Cap IT', '--region', 'eu', '--owner-email', 'owner@cap.example'], env);
    const capped = cliJson<{ id: string }>(['company', 'add', '--msp', msp.id, '--name', 'Capped', '--country', 'DE', '--seats', '2'], env);
    const open = cliJson<{ id: string }>(['company', 'add', '--msp', msp.id, '--name', 'Open', '--country', 'DE'], env);
    const list = cliJson<Array<{ name: string; seatsTotal: number; seatsCapped: boolean }>>(['company', 'list', '--msp', msp.id], env);
    expect(list.map((c) => [c.name, c.seatsTotal, c.seatsCapped])).toEqual([
      ['Capped', 2, true],
      ['Open', 10, false],
    ]);
    const updated = cliJson(['company', 'update', '--msp', msp.id, '--company', open.id, '--seats', '1'], env);
    expect(updated).toEqual({ id: open.id, seatsTotal: 1, seatsFilled: 0, seatsCapped: true, atCap: false });
    expect(cliJson(['members', 'invite', '--account', open.id, '--email', 'first@open.example'], env)).toMatchObject({ state: 'invited' });
    const refused = cli(['members', 'invite', '--account', open.id, '--email', 'second@open.example', '--json'], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('seat cap of 1');
    expect(cliJson(['company', 'show', '--msp', msp.id, '--company', open.id], env)).toMatchObject({ seatsFilled: 1, seatsTotal: 1, atSeatCap: true });
    // Bad input: a clear one-line error, nothing changed.
    const bad = cli(['company', 'update', '--msp', msp.id, '--company', capped.id, '--seats', 'many'], env);
    expect([bad.status === 0, bad.stderr.includes('--seats')]).toEqual([false, true]);
    expect(cli(['company', 'update', '--msp', msp.id, '--company', '00000000-0000-4000-8000-000000000000', '--seats', '3'], env).status).not.toBe(0);
  });

  it('assigns companies to technicians and sets the technician scope', () => {
    const msp = cliJson<{ id: string; ownerId: string }>(
      ['msp', 'create', '--name', 'Scope IT', '--region', 'eu', '--owner-email', 'owner@scope.example'],
      env,
    );
    const a = cliJson<{ id: string }>(['company', 'add', '--msp', msp.id, '--name', 'Alpha', '--country', 'DE'], env);
    const tech = cliJson<{ memberId: string }>(['technicians', 'add', '--msp', msp.id, '--email', 'tech@scope.example'], env);
    const assign = ['technicians', 'assign', '--msp', msp.id, '--member', tech.memberId, '--company', a.id];
    expect(cliJson(assign, env)).toEqual({ memberId: tech.memberId, companyId: a.id, assigned: true, changed: true });
    expect(cliJson(assign, env)).toEqual({ memberId: tech.memberId, companyId: a.id, assigned: true, changed: false });
    expect(cliJson(['technicians', 'assignments', '--msp', msp.id], env)).toEqual([
      { memberId: tech.memberId, email: 'tech@scope.example', companyId: a.id, companyName: 'Alpha', assignedAt: expect.any(String), assignedBy: 'cli' },
    ]);
    expect(cli(['technicians', 'assignments', '--msp', msp.id], env).stdout).toMatch(/MEMBER\s+EMAIL\s+COMPANY\s+NAME/);
    const notTech = cli(['technicians', 'assign', '--msp', msp.id, '--member', msp.ownerId, '--company', a.id], env);
    expect([notTech.status === 0, notTech.stderr.includes('not an MSP Technician')]).toEqual([false, true]);
    expect(cliJson(['technicians', 'unassign', '--msp', msp.id, '--member', tech.memberId, '--company', a.id], env)).toEqual({
      memberId: tech.memberId,
      companyId: a.id,
      assigned: false,
      changed: true,
    });
    expect(cliJson(['technicians', 'assignments', '--msp', msp.id, '--member', tech.memberId], env)).toEqual([]);

    const settings = cliJson<{ technicianScope: string }>(['account', 'settings', '--account', msp.id, '--technician-scope', 'assigned'], env);
    expect(settings.technicianScope).toBe('assigned');
    const onCompany = cli(['account', 'settings', '--account', a.id, '--technician-scope', 'assigned'], env);
    expect([onCompany.status === 0, onCompany.stderr.includes('MSP account')]).toEqual([false, true]);
    const badValue = cli(['account', 'settings', '--account', msp.id, '--technician-scope', 'some'], env);
    expect([badValue.status === 0, badValue.stderr.includes('"all" or "assigned"')]).toEqual([false, true]);
  });
});
