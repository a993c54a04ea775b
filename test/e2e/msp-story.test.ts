// The help article's story through the CLI and the REST API, with the workers sending real email:
// create an MSP, add a technician, add a company, launch, invite, co-owner, vault self-access,
// recover a member, unlink (refused, then allowed), trial, link to another MSP (approved) and to
// one in another region (refused).
import { startStack, type TestApp } from '../helpers/app';
import { type ApiClient, signInWithLink, signInWithPassword } from '../helpers/api';
import { cli, cliJson } from '../helpers/cli';
import { DIALECTS } from '../helpers/db';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';

describe.each(DIALECTS)('the MSP story [%s]', (dialect) => {
  let smtp: TestSmtp;
  let app: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack(dialect, { smtpUrl: smtp.url });
    env = {
      DATABASE_URL: app.rt.config.databaseUrl,
      PUBLIC_URL: app.url,
      REDIS_URL: app.rt.redisUrl,
      QUEUE_PREFIX: app.rt.config.queuePrefix,
      DATA_DIR: app.rt.config.dataDir,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const mailTo = async (address: string, subject: RegExp) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const m = smtp.mails.find((x) => x.to.includes(address) && subject.test(x.subject));
      if (m) return m;
      if (Date.now() > until) throw new Error(`no "${subject}" email for ${address}; got ${smtp.mails.map((x) => `${x.to}:${x.subject}`).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const accept = async (address: string, password: string) => {
    const link = linkIn(await mailTo(address, /invited/), 'invitations');
    const r = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    expect(r.status).toBe(200);
  };

  it('runs from MSP creation to a transfer', async () => {
    // 1. The operator creates the MSP; its Owner signs in with the one-time link.
    const msp = cliJson<{ id: string; ownerId: string; signInUrl: string }>(
      ['msp', 'create', '--name', 'Nordlicht IT', '--region', 'eu', '--owner-email', 'owner@nordlicht.example'],
      env,
    );
    const owner = await signInWithLink(app.url, msp.signInUrl);
    expect((await owner.req('GET', '/me')).body).toMatchObject({ accountId: msp.id, accountKind: 'msp', roles: ['owners'] });
    expect((await fetch(msp.signInUrl, { redirect: 'manual' })).status).toBe(401); // one-time

    // 2. A technician joins.
    expect((await owner.req('POST', '/technicians', { email: 'tech@nordlicht.example' })).status).toBe(201);
    await accept('tech@nordlicht.example', 'technician password 1');
    const tech = await signInWithPassword(app.url, 'tech@nordlicht.example', 'technician password 1');
    const staff = (await owner.req<Array<{ email: string; roles: string[] }>>('GET', '/technicians')).body;
    expect(staff.find((s) => s.email === 'tech@nordlicht.example')!.roles).toEqual(['MSP Technicians']);

    // 3. The technician adds a company and launches into it.
    const company = (
      await tech.req<{ id: string; region: string; status: string }>('POST', '/companies', {
        name: 'Bäckerei Schmidt',
        country: 'AT',
        website: 'baeckerei.example',
        address: 'Hauptplatz 1, Graz',
      })
    ).body;
    expect(company).toMatchObject({ region: 'eu', status: 'setup' });
    const launch = (await tech.req<{ token: string; launchId: string }>('POST', `/companies/${company.id}/launch`, { reason: 'onboarding' })).body;
    const inside: ApiClient = tech.launched(launch.token);
    // Without the launch token the company is simply not there.
    expect((await tech.req('GET', `/accounts/${company.id}/members`)).status).toBe(404);

    // 4. Invite the company's future Owner; unlinking is refused until she accepted.
    const alice = (await inside.req<{ id: string }>('POST', `/accounts/${company.id}/members`, { email: 'alice@baeckerei.example' })).body;
    expect((await inside.req('PUT', `/accounts/${company.id}/members/${alice.id}/groups/Owners`)).status).toBe(200); // co-owner
    const refused = await tech.req<{ error: { code: string } }>('POST', `/companies/${company.id}/unlink`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'company.unlink.no_owner']);
    await accept('alice@baeckerei.example', 'alice password 123');

    // 5. A member, a vault, the technician's audited self-access.
    const bob = (await inside.req<{ id: string }>('POST', `/accounts/${company.id}/members`, { email: 'bob@baeckerei.example', group: 'Administrators' })).body;
    await accept('bob@baeckerei.example', 'bob password 1234');
    const vault = (await inside.req<{ id: string }>('POST', `/accounts/${company.id}/vaults`, { name: 'Kasse' })).body;
    expect((await inside.req('GET', `/accounts/${company.id}/vaults/${vault.id}/items`)).status).toBe(403);
    expect((await inside.req('POST', `/accounts/${company.id}/vaults/${vault.id}/self-access`)).status).toBe(201);
    expect((await inside.req('GET', `/accounts/${company.id}/vaults/${vault.id}/items`)).status).toBe(200);
    const aliceApi = await signInWithPassword(app.url, 'alice@baeckerei.example', 'alice password 123');
    const access = (await aliceApi.req<Array<{ email: string; via: string; actingForMsp: string }>>('GET', `/accounts/${company.id}/vaults/${vault.id}/access`))
      .body;
    expect(access).toEqual([expect.objectContaining({ email: 'tech@nordlicht.example', via: 'technician_self', actingForMsp: msp.id })]);
    // The company's Owner turns technician self-access off.
    expect((await aliceApi.req('PATCH', `/accounts/${company.id}/settings`, { technicianSelfAccess: false })).status).toBe(200);
    const vault2 = (await inside.req<{ id: string }>('POST', `/accounts/${company.id}/vaults`, { name: 'Lohn' })).body;
    const off = await inside.req<{ error: { code: string } }>('POST', `/accounts/${company.id}/vaults/${vault2.id}/self-access`);
    expect([off.status, off.body.error.code]).toEqual([403, 'vault.self_access.off']);

    // 6. Recover bob's account.
    const recovery = (await inside.req<{ id: string }>('POST', `/accounts/${company.id}/recoveries`, { memberId: bob.id })).body;
    const recoveryLink = linkIn(await mailTo('bob@baeckerei.example', /Recover/), 'recovery');
    expect(
      (await fetch(recoveryLink, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bob new password 1' }) }))
        .status,
    ).toBe(200);
    expect((await inside.req<{ status: string }>('POST', `/accounts/${company.id}/recoveries/${recovery.id}/complete`)).body.status).toBe('completed');
    await signInWithPassword(app.url, 'bob@baeckerei.example', 'bob new password 1');

    // 7. Unlink: now allowed; the company is on a 14-day trial and leaves the MSP's list.
    expect((await tech.req('DELETE', `/launches/${launch.launchId}`)).status).toBe(204);
    expect((await inside.req('GET', `/accounts/${company.id}/members`)).status).toBe(404);
    const unlinked = cliJson<{ status: string; trialEndsAt: string }>(['company', 'unlink', '--msp', msp.id, '--company', company.id], env);
    expect(unlinked.status).toBe('trial');
    expect((await owner.req<{ total: number }>('GET', '/companies')).body.total).toBe(0);

    // 8. Another MSP in the same region links it, with Alice's approval.
    const msp2 = cliJson<{ id: string; signInUrl: string }>(
      ['msp', 'create', '--name', 'Alpen IT', '--region', 'eu', '--owner-email', 'owner@alpen.example'],
      env,
    );
    const owner2 = await signInWithLink(app.url, msp2.signInUrl);
    const link = (await owner2.req<{ requestId: string; status: string }>('POST', '/links', { accountId: company.id })).body;
    expect(link.status).toBe('pending');
    const approve = linkIn(await mailTo('alice@baeckerei.example', /asks to manage/), 'links');
    expect(
      (await fetch(approve, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) })).status,
    ).toBe(200);
    expect(cliJson(['link', 'show', '--request', link.requestId], env)).toEqual({ requestId: link.requestId, status: 'linked', reason: null });
    expect((await owner2.req<{ items: Array<{ id: string; status: string }> }>('GET', '/companies')).body.items).toEqual([
      expect.objectContaining({ id: company.id, status: 'active' }),
    ]);

    // 9. An MSP in another region is refused.
    const msp3 = cliJson<{ id: string }>(['msp', 'create', '--name', 'Prairie IT', '--region', 'ca', '--owner-email', 'owner@prairie.example'], env);
    const crossRegion = cli(['company', 'link', '--msp', msp3.id, '--account', company.id, '--json'], env);
    expect(crossRegion.status).not.toBe(0);
    expect(crossRegion.stderr).toMatch(/eu data region; only accounts in ca can be linked/);

    // 10. Everything privileged is in the audit log, per company and rolled up per MSP.
    const audit = (await owner.req<Array<{ action: string; accountId: string }>>('GET', '/audit?limit=500')).body.map((e) => e.action);
    for (const action of [
      'company.added',
      'company.launched',
      'vault.self_access',
      'recovery.started',
      'recovery.completed',
      'company.unlinked',
      'role.granted',
    ]) {
      expect(audit).toContain(action);
    }
    const csv = await fetch(`${app.url}/api/v1/audit?format=csv&action=company.launched`, { headers: { cookie: owner.cookie! } });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,createdAt,accountId,mspId,actorKind,actorId,actorLabel,action,targetType,targetId,data');
    expect(lines.slice(1).every((l) => l.includes('company.launched'))).toBe(true);
    const companyAudit = (await aliceApi.req<Array<{ action: string }>>('GET', `/accounts/${company.id}/audit`)).body.map((e) => e.action);
    expect(companyAudit).toEqual(expect.arrayContaining(['company.transferred', 'vault.self_access', 'company.launched']));
  }, 120_000);
});
