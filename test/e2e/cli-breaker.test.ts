// `account settings --deprovision-limit`, `provisioning held|release|discard` and `members list`
// through the real bin, after a real SCIM push through the HTTP app tripped the breaker.
import { startTestApp, testEnv, type TestApp } from '../helpers/app';
import { cli, cliJson } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';
import { patchOp, scimAccount, userBody, type ScimClient } from '../helpers/scim';

type Res = Record<string, unknown> & { id: string };
interface Held {
  id: string;
  kind: string;
  scimId: string;
  memberId: string;
  userName: string | null;
  email: string | null;
  group: string | null;
  heldAt: string;
}

describe.each(DIALECTS)('provisioning held|release|discard through the CLI [%s]', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let app: TestApp;
  let c: ScimClient;
  const ids: string[] = [];

  beforeAll(async () => {
    ({ env, drop } = testEnv(dialect));
    app = await startTestApp(dialect, { env });
    c = await scimAccount(app.rt.db, app.url, { name: 'CLI Breaker' });
    for (let i = 0; i < 6; i++) ids.push((await c.req<Res>('POST', '/Users', userBody(`u${i}@clibreaker.example`))).body.id);
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('sets the limit, refusing what is not a whole number from 0 to 100000', () => {
    expect(cliJson(['account', 'settings', '--account', c.accountId], env)).toMatchObject({ deprovisionLimit: 10 });
    expect(cliJson(['account', 'settings', '--account', c.accountId, '--deprovision-limit', '2'], env)).toMatchObject({ deprovisionLimit: 2 });
    for (const bad of ['-1', 'abc', '2.5', '100001']) {
      const r = cli(['account', 'settings', '--account', c.accountId, '--deprovision-limit', bad, '--json'], env);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/deprovision-?limit/i);
    }
  });

  it('lists what a push beyond the limit left held, shows it in members list, and releases it oldest first', async () => {
    expect(cliJson<Held[]>(['provisioning', 'held', '--account', c.accountId], env)).toEqual([]);
    expect(cli(['provisioning', 'held', '--account', c.accountId], env).stdout).toMatch(/Nothing is held \(limit 2 per hour\)/);
    for (const id of ids.slice(0, 4)) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    const held = cliJson<Held[]>(['provisioning', 'held', '--account', c.accountId], env);
    expect(held).toEqual(
      ids.slice(2, 4).map((id, i) => ({
        id: expect.any(String),
        kind: 'remove',
        scimId: id,
        memberId: id,
        userName: `u${i + 2}@clibreaker.example`,
        email: `u${i + 2}@clibreaker.example`,
        group: null,
        heldAt: expect.any(String),
      })),
    );
    const members = cliJson<Array<{ id: string; state: string; held: Array<{ kind: string; reason: string }> }>>(
      ['members', 'list', '--account', c.accountId],
      env,
    );
    const byId = new Map(members.map((m) => [m.id, m]));
    expect(ids.slice(0, 4).map((id) => byId.get(id)!.state)).toEqual(['suspended', 'suspended', 'invited', 'invited']);
    expect(byId.get(ids[2]!)!.held).toEqual([expect.objectContaining({ kind: 'remove', reason: 'breaker' })]);
    expect(cli(['members', 'list', '--account', c.accountId], env).stdout).toMatch(/HELD[\s\S]*remove \(breaker\)/);

    const released = cliJson<{ released: Array<Held & { outcome: string }>; remaining: number }>(['provisioning', 'release', '--account', c.accountId], env);
    expect(released.released.map((r) => [r.memberId, r.userName, r.outcome])).toEqual(
      ids.slice(2, 4).map((id, i) => [id, `u${i + 2}@clibreaker.example`, 'applied']),
    );
    expect(released.remaining).toBe(0);
    const after = new Map(cliJson<Array<{ id: string; state: string }>>(['members', 'list', '--account', c.accountId], env).map((m) => [m.id, m.state]));
    expect(ids.slice(0, 4).map((id) => after.get(id))).toEqual(Array(4).fill('suspended'));
    expect(cli(['provisioning', 'release', '--account', c.accountId], env).stdout.trim()).toBe('Nothing was held.');
  });

  it('discards held deactivations: the people keep access', async () => {
    for (const id of ids.slice(4)) {
      const r = await c.req<Res>('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }));
      expect(r.status).toBe(200);
      expect(r.body.active).toBe(false);
    }
    expect(cliJson<Held[]>(['provisioning', 'held', '--account', c.accountId], env).map((h) => [h.kind, h.memberId])).toEqual(
      ids.slice(4).map((id) => ['suspend', id]),
    );
    const d = cliJson<{ discarded: Held[] }>(['provisioning', 'discard', '--account', c.accountId], env);
    expect(d.discarded.map((h) => h.memberId)).toEqual(ids.slice(4));
    expect(cliJson<Held[]>(['provisioning', 'held', '--account', c.accountId], env)).toEqual([]);
    const states = new Map(cliJson<Array<{ id: string; state: string }>>(['members', 'list', '--account', c.accountId], env).map((m) => [m.id, m.state]));
    expect(ids.slice(4).map((id) => states.get(id))).toEqual(['invited', 'invited']);
  });

  it('answers an unknown account with one line on stderr', () => {
    const r = cli(['provisioning', 'held', '--account', 'nope', '--json'], env);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
