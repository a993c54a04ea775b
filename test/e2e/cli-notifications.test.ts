// `msp notify` and `webhook add|list|remove|deliveries` through the built bin, on SQLite and PostgreSQL.
import { openDb } from '../../src/db/knex';
import { testEnv } from '../helpers/app';
import { cli, cliJson } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';

describe.each(DIALECTS)('mspbridge msp notify / webhook [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let msp: string;
  beforeAll(() => {
    ({ env, drop } = testEnv(dialect, { PUBLIC_URL: 'https://bridge.example', SECRET_KEY: 'a-test-deployment-secret-of-32-characters' }));
    msp = cliJson<{ id: string }>(['msp', 'create', '--name', 'Hook IT', '--region', 'us', '--owner-email', 'owner@hook.example'], env).id;
  });
  afterAll(() => drop());

  it('adds, lists and removes notification contacts', () => {
    expect(cliJson(['msp', 'notify', '--msp', msp, '--list'], env)).toEqual([]);
    const added = cliJson(['msp', 'notify', '--msp', msp, '--email', 'Alerts@Hook.example', '--language', 'de'], env);
    expect(added).toEqual({ id: expect.any(String), email: 'alerts@hook.example', language: 'de', createdAt: expect.any(String) });
    cliJson(['msp', 'notify', '--msp', msp, '--email', 'noc@hook.example'], env);
    expect(
      cliJson<Array<{ email: string; language: string | null }>>(['msp', 'notify', '--msp', msp, '--list'], env).map((c) => [c.email, c.language]),
    ).toEqual([
      ['alerts@hook.example', 'de'],
      ['noc@hook.example', null],
    ]);
    expect(cliJson(['msp', 'notify', '--msp', msp, '--email', 'noc@hook.example', '--remove'], env)).toEqual({ removed: 'noc@hook.example' });
    expect(cliJson<unknown[]>(['msp', 'notify', '--msp', msp, '--list'], env)).toHaveLength(1);
    const bad = cli(['msp', 'notify', '--msp', msp, '--email', 'x@hook.example', '--language', 'fr', '--json'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toEqual(['mspbridge: --language is en or de']);
    const missing = cli(['msp', 'notify', '--msp', msp, '--email', 'ghost@hook.example', '--remove'], env);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/No such contact/);
  });

  it('adds a webhook (secret once, sealed at rest), lists, refuses private URLs and unknown events, removes', async () => {
    const hook = cliJson<{ id: string; secret: string }>(
      ['webhook', 'add', '--msp', msp, '--url', 'https://93.184.215.14/hooks/mspbridge', '--events', 'scim.errors,trial.ending'],
      env,
    );
    expect(Object.keys(hook).sort()).toEqual(['id', 'secret']);
    expect(hook.secret).toMatch(/^whsec_[\w-]{43}$/);
    const list = cliJson(['webhook', 'list', '--msp', msp], env);
    expect(list).toEqual([
      { id: hook.id, url: 'https://93.184.215.14/hooks/mspbridge', events: ['scim.errors', 'trial.ending'], createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(list)).not.toContain(hook.secret);
    const db = openDb({ url: env.DATABASE_URL!, poolMax: 1 });
    try {
      const row = (await db('webhooks').where({ id: hook.id }).first()) as { secret_sealed: string };
      expect(row.secret_sealed).toMatch(/^v1\./);
      expect(row.secret_sealed).not.toContain(hook.secret);
    } finally {
      await db.destroy();
    }

    const local = cli(['webhook', 'add', '--msp', msp, '--url', 'http://127.0.0.1:8080/hook', '--json'], env);
    expect(local.status).not.toBe(0);
    expect(local.stdout).toBe('');
    expect(local.stderr).toMatch(/resolves to 127\.0\.0\.1.*webhook\.url\.private/);
    const unknown = cli(['webhook', 'add', '--msp', msp, '--url', 'https://93.184.215.14/x', '--events', 'scim.errors,user.created', '--json'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/Unknown event user\.created; the events are: provisioning\.held, .*scim\.errors/);
    // With the flag (tests, closed networks) a loopback receiver is fine.
    expect(cliJson(['webhook', 'add', '--msp', msp, '--url', 'http://127.0.0.1:8080/hook'], { ...env, WEBHOOK_ALLOW_PRIVATE: 'true' })).toMatchObject({
      id: expect.any(String),
    });

    expect(cliJson(['webhook', 'deliveries', '--msp', msp], env)).toEqual([]);
    expect(cliJson(['webhook', 'deliveries', '--msp', msp, '--webhook', hook.id], env)).toEqual([]);
    expect(cliJson(['webhook', 'remove', '--msp', msp, '--id', hook.id], env)).toEqual({ removed: hook.id });
    const gone = cli(['webhook', 'remove', '--msp', msp, '--webhook', hook.id], env);
    expect(gone.status).not.toBe(0);
    expect(gone.stderr).toMatch(/No such webhook/);
    expect(cliJson<unknown[]>(['webhook', 'list', '--msp', msp], env)).toHaveLength(1);
    const text = cli(['webhook', 'list', '--msp', msp], env);
    expect(text.stdout).toMatch(/ID\s+URL\s+EVENTS/);
  });
});
