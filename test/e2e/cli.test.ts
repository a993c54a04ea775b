// The command-line contract of DESIGN.md, run through the real bin on SQLite and PostgreSQL.
import { DIALECTS } from '../helpers/db';
import { testEnv } from '../helpers/app';
import { cli, cliJson } from '../helpers/cli';

describe.each(DIALECTS)('mspbridge CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  beforeAll(() => {
    ({ env, drop } = testEnv(dialect, { PUBLIC_URL: 'https://bridge.example' }));
  });
  afterAll(() => drop());

  it('runs the MSP story: msp create, company add, company list, scim-token create, members list', () => {
    const msp = cliJson<{ id: string; ownerId: string; signInUrl: string }>(
      ['msp', 'create', '--name', 'Acme IT', '--region', 'eu', '--owner-email', 'owner@acme.example'],
      env,
    );
    expect(Object.keys(msp).sort()).toEqual(['id', 'ownerId', 'signInUrl']);
    expect(msp.signInUrl).toMatch(/^https:\/\/bridge\.example\/signin\/msb_signin_[\w-]+$/);

    const added = cliJson(['company', 'add', '--msp', msp.id, '--name', 'Müller GmbH', '--country', 'DE', '--website', 'mueller.example'], env);
    expect(added).toEqual({ id: expect.any(String), region: 'eu', status: 'setup' });
    cliJson(['company', 'add', '--msp', msp.id, '--name', 'Aardvark Ltd', '--country', 'GB', '--address', '1 High St'], env);

    const list = cliJson<unknown[]>(['company', 'list', '--msp', msp.id], env);
    expect(list).toEqual([
      { id: expect.any(String), name: 'Aardvark Ltd', status: 'setup', region: 'eu', seatsFilled: 0, seatsTotal: 10, seatsCapped: false, atSeatCap: false },
      { id: added.id, name: 'Müller GmbH', status: 'setup', region: 'eu', seatsFilled: 0, seatsTotal: 10, seatsCapped: false, atSeatCap: false },
    ]);
    expect(cliJson<unknown[]>(['company', 'list', '--msp', msp.id, '--search', 'müll', '--sort', 'status', '--status', 'setup'], env)).toHaveLength(1);
    // Accent-insensitive: "muller" finds "Müller".
    expect(cliJson<Array<{ id: string }>>(['company', 'list', '--msp', msp.id, '--search', 'muller'], env).map((c) => c.id)).toEqual([added.id]);

    const token = cliJson<{ token: string; baseUrl: string }>(['scim-token', 'create', '--account', added.id as string], env);
    expect(token.token).toMatch(/^msb_scim_/);
    expect(token.baseUrl).toBe('https://bridge.example/scim/v2');

    const members = cliJson<unknown[]>(['members', 'list', '--account', msp.id], env);
    expect(members).toEqual([
      expect.objectContaining({ id: msp.ownerId, email: 'owner@acme.example', userName: 'owner@acme.example', state: 'invited', groups: ['Owners'] }),
    ]);
    // Text output is for people: a table, not JSON.
    const text = cli(['company', 'list', '--msp', msp.id], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/NAME\s+STATUS\s+REGION\s+SEATS/);
  });

  it('manages technicians, shows a company, reads the audit log and makes API tokens', () => {
    const msp = cliJson<{ id: string; ownerId: string }>(['msp', 'create', '--name', 'Ops IT', '--region', 'us', '--owner-email', 'ops@ops.example'], env);
    const company = cliJson<{ id: string }>(['company', 'add', '--msp', msp.id, '--name', 'Shown Co', '--country', 'US'], env);
    expect(cliJson(['technicians', 'add', '--msp', msp.id, '--email', 'tech@ops.example'], env)).toMatchObject({ invited: true });
    const staff = cliJson<Array<{ email: string; roles: string[] }>>(['technicians', 'list', '--msp', msp.id], env);
    expect(staff.map((s) => [s.email, s.roles])).toEqual(
      expect.arrayContaining([
        ['tech@ops.example', ['MSP Technicians']],
        ['ops@ops.example', ['Owners']],
      ]),
    );
    expect(cliJson(['company', 'show', '--msp', msp.id, '--company', company.id], env)).toMatchObject({
      name: 'Shown Co',
      status: 'setup',
      canUnlink: false,
      owners: { total: 0, accepted: 0 },
    });
    const audit = cliJson<Array<{ action: string }>>(['audit', '--msp', msp.id], env);
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['company.added', 'member.added', 'msp.created']));
    const token = cliJson<{ token: string; id: string }>(['api-token', 'create', '--msp', msp.id, '--member', msp.ownerId, '--label', 'ci'], env);
    expect(token.token).toMatch(/^msb_api_/);
    expect(cliJson<Array<{ id: string }>>(['api-token', 'list', '--msp', msp.id], env).map((t) => t.id)).toEqual([token.id]);
    expect(cliJson(['api-token', 'revoke', '--msp', msp.id, '--token', token.id], env)).toEqual({ id: token.id, revoked: true });
  });

  it.each([
    [['msp', 'create', '--name', 'X', '--region', 'mars', '--owner-email', 'a@b.example'], /Unknown data region "mars"/],
    [['company', 'add', '--msp', '00000000-0000-0000-0000-000000000000', '--name', 'X', '--country', 'DE'], /No such MSP/],
    [['company', 'add', '--msp', 'x', '--country', 'DE'], /required option '--name/],
    [['company', 'list', '--msp', 'x', '--sort', 'size'], /--sort must be one of/],
    [['members', 'list', '--account', 'nope'], /No such account/],
    [['company', 'list'], /required option '--msp/],
    [['scim-log', '--account', 'x', '--limit', '0'], /--limit must be a whole number from 1 to 500/],
  ])('refuses %j with one line on stderr and a non-zero exit', (args, message) => {
    const r = cli([...args, '--json'], env);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a bad DATABASE_URL with a readable configuration error', () => {
    const r = cli(['company', 'list', '--msp', 'x', '--json'], { ...env, DATABASE_URL: 'mysql://x' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^mspbridge: invalid configuration: DATABASE_URL: must be sqlite:/);
  });
});
