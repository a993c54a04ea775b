// `mapping set --dry-run`, `mapping set`, `members list`, `mapping drift|list|remove|resync`
// through the real bin, against a database the IdP has pushed into.
import { getAccount } from '../../src/db/accounts.repo';
import { openDb, migrateLatest } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { changePushedGroupMembers, createPushedGroup } from '../../src/domain/idpGroups';
import { provisionUser } from '../../src/domain/provisioning';
import { getIdpGroup } from '../../src/db/idpGroups.repo';
import { testEnv } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { DIALECTS } from '../helpers/db';
import { cli, cliJson } from '../helpers/cli';
import { pushedProfile } from '../helpers/scim';

const profile = pushedProfile;

describe.each(DIALECTS)('mapping through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let company: string;
  let msp: string;
  let db: ReturnType<typeof openDb>;
  const groups: Record<string, string> = {};
  const people: Record<string, string> = {};

  beforeAll(async () => {
    ({ env, drop } = testEnv(dialect));
    db = openDb({ url: env.DATABASE_URL! });
    try {
      await migrateLatest(db);
      msp = (await asOp(db, (ctx) => createMsp(ctx, { name: 'CLI MSP', region: 'eu', ownerEmail: 'o@cli.example' }, ['eu']))).account.id;
      company = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp, name: 'CLI Co', country: 'DE' }))).id;
      for (const n of ['olga', 'adam', 'anna']) {
        people[n] = (await asOp(db, async (ctx) => provisionUser(ctx, (await getAccount(ctx.tx, company))!, profile(`${n}@cli.example`), true))).member.id;
      }
      groups.owners = (
        await asOp(db, async (ctx) =>
          createPushedGroup(ctx, (await getAccount(ctx.tx, company))!, { displayName: 'IdP Owners', externalId: 'okta-owners', attrs: {} }, [people.olga!]),
        )
      ).id;
      groups.admins = (
        await asOp(db, async (ctx) =>
          createPushedGroup(ctx, (await getAccount(ctx.tx, company))!, { displayName: 'IdP Admins', externalId: 'okta-admins', attrs: {} }, [
            people.adam!,
            people.anna!,
          ]),
        )
      ).id;
    } catch (err) {
      await db.destroy();
      throw err;
    }
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it('previews, applies and reports mappings', async () => {
    const preview = cliJson<{ dryRun: boolean; changes: Array<{ email: string; group: string; change: string }> }>(
      ['mapping', 'set', '--account', company, '--scim-group', groups.owners!, '--group', 'Owners', '--dry-run'],
      env,
    );
    expect(preview.dryRun).toBe(true);
    expect(preview.changes.filter((c) => c.change === 'gain')).toEqual([expect.objectContaining({ email: 'olga@cli.example', group: 'Owners' })]);
    const before = cliJson<Array<{ email: string; groups: string[] }>>(['members', 'list', '--account', company], env);
    expect(before.find((m) => m.email === 'olga@cli.example')!.groups).toEqual(['IdP Owners']);

    cliJson(['mapping', 'set', '--account', company, '--scim-group', groups.owners!, '--group', 'Owners'], env);
    cliJson(['mapping', 'set', '--account', company, '--scim-group', 'okta-admins', '--group', 'Administrators'], env);
    const after = cliJson<Array<{ email: string; userName: string; state: string; groups: string[]; id: string }>>(
      ['members', 'list', '--account', company],
      env,
    );
    // Listed by creation time, then id: people pushed in the same millisecond come in id order, so compare by email.
    expect(after.map((m) => [m.email, m.groups]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['adam@cli.example', ['Administrators']],
      ['anna@cli.example', ['Administrators']],
      ['olga@cli.example', ['Owners']],
    ]);
    for (const m of after) expect(Object.keys(m)).toEqual(expect.arrayContaining(['id', 'email', 'userName', 'state', 'groups']));

    const refused = cli(['mapping', 'set', '--account', company, '--scim-group', groups.admins!, '--group', 'MSP Technicians', '--json'], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/MSP Technicians exists only in an MSP account/);

    const list = cliJson<Array<{ group: string; automatic: boolean }>>(['mapping', 'list', '--account', company], env);
    expect(list.map((m) => [m.group, m.automatic])).toEqual([
      ['Owners', false],
      ['Administrators', false],
    ]);
    // The text listing names the value --scim-group takes; a mapping to a group never pushed says so.
    expect(cli(['mapping', 'list', '--account', company], env).stdout).toContain(groups.owners!);
    const pending = cli(['mapping', 'set', '--account', company, '--scim-group', 'IdP Owners', '--group', 'Administrators', '--dry-run'], env);
    expect(pending.stdout).toMatch(/Warning: no pushed group has this SCIM id or externalId yet/);
  });

  it('shows a held last-Owner removal in members list and drift, then a resync changes nothing', async () => {
    await asOp(db, async (ctx) => {
      const account = (await getAccount(ctx.tx, company))!;
      await changePushedGroupMembers(ctx, account, (await getIdpGroup(ctx.tx, company, groups.owners!))!, [{ kind: 'remove', memberIds: [people.olga!] }]);
    });
    const members = cliJson<Array<{ email: string; groups: string[]; held: Array<{ kind: string; group: string }> }>>(
      ['members', 'list', '--account', company],
      env,
    );
    expect(members.find((m) => m.email === 'olga@cli.example')).toMatchObject({ groups: ['Owners'], held: [{ kind: 'remove_role', group: 'Owners' }] });
    const drift = cliJson<{ drift: unknown[]; held: Array<{ email: string }> }>(['mapping', 'drift', '--account', company], env);
    expect(drift.drift).toEqual([]);
    expect(drift.held.map((h) => h.email)).toEqual(['olga@cli.example']);
    const text = cli(['members', 'list', '--account', company], env);
    expect(text.stdout).toMatch(/olga@cli\.example.*Owners/);
    expect(cliJson<{ changes: unknown[] }>(['mapping', 'resync', '--account', company], env).changes).toEqual([]);
    const removed = cliJson<{ changes: Array<{ change: string; group: string }> }>(
      ['mapping', 'remove', '--account', company, '--scim-group', 'okta-admins'],
      env,
    );
    expect(removed.changes.filter((c) => c.change === 'lose').map((c) => c.group)).toEqual(['Administrators', 'Administrators']);
    expect(cli(['mapping', 'remove', '--account', company, '--json'], env).stderr).toMatch(/give --mapping or --scim-group/);
  });
});
