// The API the console added, by what it must never allow: a link code only from a company's Owner
// and good once, an MSP learning nothing before approval, people removed only within the policy,
// a sign-in link by email that tells nobody which addresses exist, arrives once and works once
// for 15 minutes, passwords set only by their person, and no font CDN on the jobs dashboard.
import { RESPONSES, routeKey } from '../../../src/api/responses';
import { ROUTES } from '../../../src/api/router';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { removeMember } from '../../../src/domain/memberRemoval';
import { addManualMember } from '../../../src/domain/members';
import { createScimToken } from '../../../src/domain/scimTokens';
import { type ApiClient, signInWithLink, signInWithPassword } from '../../helpers/api';
import { startStack, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { scimClientFor } from '../../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../../helpers/smtp';

describe('the console API [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  let clock = Date.now();
  let msp: ApiClient;
  let other: ApiClient;
  let mspId: string;
  let companyId: string;
  let launched: ApiClient;

  const mail = async (to: string, after: number) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const found = smtp.mails.slice(after).filter((m) => m.to.includes(to));
      if (found.length) return found;
      if (Date.now() > until) throw new Error(`no email for ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack('sqlite', { smtpUrl: smtp.url, now: () => new Date(clock), env: { ADMIN_TOKEN: 'admin-token-for-the-board-0123456789' } });
    const a = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Console API MSP', region: 'eu', ownerEmail: 'owner@capi.example' }, ['eu', 'us']));
    const b = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Other MSP', region: 'eu', ownerEmail: 'owner@other.example' }, ['eu', 'us']));
    mspId = a.account.id;
    msp = await signInWithLink(app.url, `${app.url}/signin/${a.signInToken}`);
    other = await signInWithLink(app.url, `${app.url}/signin/${b.signInToken}`);
    companyId = (await msp.req<{ id: string }>('POST', '/companies', { name: 'Kunde GmbH', country: 'DE' })).body.id;
    const launch = await msp.req<{ token: string }>('POST', `/companies/${companyId}/launch`, {});
    launched = msp.launched(launch.body.token);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('lets only a company’s own Owner make a link code, and the MSP use it once, learning nothing first', async () => {
    // The launched technician acts as an Administrator: no code.
    expect((await launched.req('POST', `/accounts/${companyId}/link-codes`)).status).toBe(403);
    // The company's Owner (invited by the technician, accepted) makes one.
    await launched.req('POST', `/accounts/${companyId}/members`, { email: 'chefin@kunde.example', group: 'Owners' });
    const accept = linkIn((await mail('chefin@kunde.example', 0))[0]!, 'invitations');
    expect(
      (await fetch(accept, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'chefin password 1' }) }))
        .status,
    ).toBe(200);
    expect((await msp.req('POST', `/companies/${companyId}/unlink`)).status).toBe(200);
    const owner = await signInWithPassword(app.url, 'chefin@kunde.example', 'chefin password 1');
    const made = await owner.req<{ code: string; expiresAt: string }>('POST', `/accounts/${companyId}/link-codes`);
    expect(made.status).toBe(201);
    expect(made.body.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    // A wrong code says only that it is wrong.
    const wrong = await other.req<{ error: { code: string; message: string } }>('POST', '/links/by-code', { code: 'AAAA-BBBB-CCCC-DDDD' });
    expect([wrong.status, wrong.body.error.code]).toEqual([404, 'link_code.invalid']);
    // Typed loosely (lower case, spaces), the code works — once.
    const linked = await other.req<Record<string, unknown>>('POST', '/links/by-code', { code: ` ${made.body.code.toLowerCase().replace(/-/g, ' ')} ` });
    expect(linked.status).toBe(202);
    expect(Object.keys(linked.body).sort()).toEqual(['expiresAt', 'reason', 'requestId', 'status']);
    expect(JSON.stringify(linked.body)).not.toContain(companyId);
    expect((await msp.req('POST', '/links/by-code', { code: made.body.code })).status).toBe(404);
    // Before approval the other MSP's audit log does not name the account it asked for.
    const activity = await other.req<Array<{ action: string; targetName: string | null; targetId: string | null }>>('GET', '/activity');
    const asked = activity.body.find((e) => e.action === 'company.link_requested')!;
    expect(asked.targetName).toBeNull();
    expect((await other.req('GET', `/companies/${companyId}`)).status).toBe(404);
  });

  it('removes people only as the policy allows', async () => {
    const c = (await msp.req<{ id: string }>('POST', '/companies', { name: 'Removal AG', country: 'DE' })).body.id;
    const tech = msp.launched((await msp.req<{ token: string }>('POST', `/companies/${c}/launch`, {})).body.token);
    const person = async (email: string, group?: string) =>
      (await asOp(app.rt.db, (ctx) => addManualMember(ctx, { accountId: c, email, group, state: 'active' }))).id;
    const boss = await person('boss@removal.example', 'Owners');
    const plain = await person('plain@removal.example');
    const before = (await msp.req<{ seatsFilled: number }>('GET', `/companies/${c}`)).body.seatsFilled;
    // A launched technician (an Administrator) removes a member, not an Owner.
    expect((await tech.req('DELETE', `/accounts/${c}/members/${plain}`)).status).toBe(200);
    expect((await msp.req<{ seatsFilled: number }>('GET', `/companies/${c}`)).body.seatsFilled).toBe(before - 1);
    const refused = await tech.req<{ error: { code: string } }>('DELETE', `/accounts/${c}/members/${boss}`);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'role.owner_required']);
    // People the IdP manages are removed in the IdP.
    const { token } = await asOp(app.rt.db, (ctx) => createScimToken(ctx, c));
    const pushed = await scimClientFor(app.url, token, c).req<{ id: string }>('POST', '/Users', {
      userName: 'idp@removal.example',
      emails: [{ value: 'idp@removal.example', primary: true }],
    });
    const idp = await tech.req<{ error: { code: string } }>('DELETE', `/accounts/${c}/members/${pushed.body.id}`);
    expect([idp.status, idp.body.error.code]).toEqual([409, 'member.idp_managed']);
    // The people list names where roles come from and what the caller may do.
    const people = await tech.req<{ items: Array<{ email: string; groups: Array<{ name: string; manual: boolean }> }>; may: Record<string, boolean> }>(
      'GET',
      `/accounts/${c}/people`,
    );
    expect(people.body.items.find((p) => p.email === 'boss@removal.example')!.groups).toEqual([{ name: 'Owners', kind: 'owners', manual: true, idp: false }]);
    expect(people.body.may).toMatchObject({ changeOwners: false, remove: true, createLinkCode: false });
    // The last Owner stays, even for an operator of the account's own.
    const last = await asOp(app.rt.db, (ctx) => removeMember(ctx, { accountId: c, memberId: boss }).catch((e: { code: string }) => e.code));
    expect(last).toBe('owners.last_owner');
  });

  it('emails a sign-in link to a known address (202 for any), once, in the person’s language, good once for 15 minutes', async () => {
    const company = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId, name: 'Sprache GmbH', country: 'DE' }));
    await asOp(app.rt.db, (ctx) => addManualMember(ctx, { accountId: company.id, email: 'greta@sprache.example', state: 'active' }));
    await app.rt.db('members').where({ account_id: company.id, email: 'greta@sprache.example' }).update({ preferred_language: 'de' });
    const ask = (email: string) =>
      fetch(`${app.url}/auth/email-link`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const after = smtp.mails.length;
    expect((await ask('nobody@sprache.example')).status).toBe(202);
    expect((await ask('GRETA@sprache.example')).status).toBe(202);
    const [sent] = await mail('greta@sprache.example', after);
    expect(sent!.language).toBe('de');
    expect(sent!.subject).toMatch(/Anmeldelink/);
    const url = new RegExp(`${app.url}/signin/[A-Za-z0-9_-]+`).exec(sent!.text)![0];
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.slice(after).filter((m) => m.to.includes('greta@sprache.example'))).toHaveLength(1);
    expect(smtp.mails.slice(after).some((m) => m.to.includes('nobody@sprache.example'))).toBe(false);
    // One use.
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    // Fifteen minutes.
    const n = smtp.mails.length;
    expect((await ask('greta@sprache.example')).status).toBe(202);
    const late = new RegExp(`${app.url}/signin/[A-Za-z0-9_-]+`).exec((await mail('greta@sprache.example', n))[0]!.text)![0];
    clock += 16 * 60 * 1000;
    expect((await fetch(late, { redirect: 'manual' })).status).toBe(401);
    // Asking too often for one address is refused before any work.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask('greta@sprache.example')).status);
    expect(statuses).toContain(429);
  });

  it('lets a person set their own password in a console session only, and change it only knowing the current one', async () => {
    const token = (await msp.req<{ token: string }>('POST', '/api-tokens', { label: 'robot' })).body.token;
    const robot = await fetch(`${app.url}/api/v1/me/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'robot password 1' }),
    });
    expect(robot.status).toBe(403);
    expect((await msp.req('POST', '/me/password', { password: 'first password 1' })).status).toBe(200);
    expect((await msp.req<{ error: { code: string } }>('POST', '/me/password', { password: 'second password 2' })).body.error.code).toBe(
      'password.current_wrong',
    );
    expect((await msp.req('POST', '/me/password', { password: 'second password 2', current: 'first password 1' })).status).toBe(200);
    expect((await msp.req<{ hasPassword: boolean }>('GET', '/me/profile')).body.hasPassword).toBe(true);
  });

  it('lists the groups an IdP pushed by name, and a company’s setup checklist', async () => {
    const c = (await msp.req<{ id: string }>('POST', '/companies', { name: 'Pushed KG', country: 'DE' })).body.id;
    const tech = msp.launched((await msp.req<{ token: string }>('POST', `/companies/${c}/launch`, {})).body.token);
    const { token } = await asOp(app.rt.db, (ctx) => createScimToken(ctx, c));
    const scim = scimClientFor(app.url, token, c);
    const user = await scim.req<{ id: string }>('POST', '/Users', { userName: 'p@pushed.example', emails: [{ value: 'p@pushed.example', primary: true }] });
    await scim.req('POST', '/Groups', { displayName: 'Buchhaltung', externalId: 'ext-42', members: [{ value: user.body.id }] });
    const groups = await tech.req<Array<{ displayName: string; externalId: string; members: number; mappedTo: string[] }>>('GET', `/accounts/${c}/idp-groups`);
    expect(groups.body).toEqual([expect.objectContaining({ displayName: 'Buchhaltung', externalId: 'ext-42', members: 1, mappedTo: ['Buchhaltung'] })]);
    const setup = await tech.req<{ steps: Array<{ step: string; done: boolean }>; done: number }>('GET', `/accounts/${c}/setup`);
    expect(setup.body.steps.filter((s) => s.done).map((s) => s.step)).toEqual(['groups', 'invite', 'provisioning']);
  });

  it('documents what every route answers, so the console is typed against real shapes', async () => {
    const missing = ROUTES.filter((r) => r.status !== 204 && !RESPONSES[routeKey(r)]).map(routeKey);
    expect(missing).toEqual([]);
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    expect(doc.paths['/accounts/{accountId}/people']!.get!.responses['200']!.content!['application/json']!.schema).toBeDefined();
  });

  it('serves the jobs dashboard without a public font CDN', async () => {
    const res = await fetch(`${app.url}/admin/queues`, { headers: { authorization: 'Bearer admin-token-for-the-board-0123456789' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<div id="root">');
    expect(page).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);
  });
});
