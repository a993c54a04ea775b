// Linking, transfer, unlink, trial and freeze, with the region-validation worker, real email and a
// second regional deployment answering the region directory over HTTP.
import { listManagedCompanies } from '../../../src/db/companyList.repo';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { lifecycleTick, subscribeAccount } from '../../../src/domain/lifecycle';
import { requestLink, showLink, unlinkCompany } from '../../../src/domain/links';
import { addManualMember } from '../../../src/domain/members';
import { system } from '../../../src/domain/principal';
import { createScimToken } from '../../../src/domain/scimTokens';
import { startStack, startTestApp, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { scimClientFor, userBody } from '../../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../../helpers/smtp';

const DAY = 24 * 3600 * 1000;
const DIRECTORY_TOKEN = 'directory-token-for-tests-0123456789';

describe('links, transfers, trials [sqlite, two regions]', () => {
  let smtp: TestSmtp;
  let eu: TestApp;
  let us: TestApp;
  let offset = 0;
  const clock = () => new Date(Date.now() + offset);
  let mspA: string;
  let mspB: string;
  let euAccount: string;

  const db = () => us.rt.db;
  const waitStatus = async (requestId: string, statuses: string[]) => {
    const until = Date.now() + 15_000;
    for (;;) {
      const v = await asOp(db(), (ctx) => showLink(ctx, { requestId }));
      if (statuses.includes(v.status)) return v;
      if (Date.now() > until) throw new Error(`request stayed ${v.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** A company of MSP A with an Owner who accepted, then unlinked: on trial, free to link. */
  const trialCompany = async (name: string) => {
    const c = await asOp(db(), (ctx) => addCompany(ctx, { mspId: mspA, name, country: 'US' }));
    await asOp(db(), (ctx) =>
      addManualMember(ctx, { accountId: c.id, email: `owner@${name.toLowerCase().replace(/\W/g, '')}.example`, group: 'Owners', state: 'active' }),
    );
    await asOp(db(), (ctx) => unlinkCompany(ctx, { mspId: mspA, companyId: c.id }), clock());
    return c.id;
  };
  const names = async (msp: string) => (await listManagedCompanies(db(), msp, { limit: 100, offset: 0 })).items.map((c) => [c.name, c.status]);

  beforeAll(async () => {
    smtp = await startSmtp();
    eu = await startTestApp('sqlite', { env: { DIRECTORY_TOKEN, REGION: 'eu' } });
    us = await startStack('sqlite', { smtpUrl: smtp.url, now: clock, env: { REGION: 'us', REGION_DIRECTORY: `eu=${eu.url}`, DIRECTORY_TOKEN } });
    mspA = (await asOp(db(), (ctx) => createMsp(ctx, { name: 'MSP A', region: 'us', ownerEmail: 'a@a.example' }, ['us', 'eu']))).account.id;
    mspB = (await asOp(db(), (ctx) => createMsp(ctx, { name: 'MSP B', region: 'us', ownerEmail: 'b@b.example' }, ['us', 'eu']))).account.id;
    const euMsp = (await asOp(eu.rt.db, (ctx) => createMsp(ctx, { name: 'EU MSP', region: 'eu', ownerEmail: 'e@e.example' }, ['us', 'eu']))).account.id;
    euAccount = (await asOp(eu.rt.db, (ctx) => addCompany(ctx, { mspId: euMsp, name: 'Berlin GmbH', country: 'DE' }))).id;
  });
  afterAll(async () => {
    await us.close();
    await eu.close();
    await smtp.close();
  });

  it('links a same-region account after its Owner approves (a transfer from MSP A to MSP B)', async () => {
    const company = await trialCompany('Moving Co');
    expect(await names(mspA)).not.toContainEqual(['Moving Co', expect.anything()]);
    const req = await asOp(db(), (ctx) => requestLink(ctx, { mspId: mspB, accountId: company }));
    expect(req).toMatchObject({ status: 'pending', kind: 'transfer' });
    await waitStatus(req.requestId, ['awaiting_approval']);
    // Until its Owner approves, the MSP gains nothing: not listed, the account unchanged.
    expect(await names(mspB)).not.toContainEqual(['Moving Co', expect.anything()]);
    expect(await db()('accounts').where({ id: company }).first()).toMatchObject({ status: 'trial', msp_id: null });
    const approvalMail = () => smtp.mails.find((m) => m.to.includes('owner@movingco.example') && /asks to manage/.test(m.subject));
    const until = Date.now() + 10_000;
    while (!approvalMail() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const mail = approvalMail()!;
    expect(mail.subject).toBe('MSP B asks to manage Moving Co');
    const link = linkIn(mail, 'links');
    expect(await (await fetch(link)).text()).toContain('Link Moving Co to MSP B?');
    const approve = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    expect(approve.status).toBe(200);
    expect(await approve.json()).toMatchObject({ requestId: req.requestId, status: 'linked' });
    expect(await names(mspB)).toContainEqual(['Moving Co', 'active']);
    expect((await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'reject' }) })).status).toBe(
      404,
    );
    const actions = (await db()('audit_events').where({ account_id: company }).orderBy('id')).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['company.unlinked', 'company.link_pending', 'company.transferred']));
  });

  it('rejects an account in another region (asked over HTTP) with region_mismatch', async () => {
    const req = await asOp(db(), (ctx) => requestLink(ctx, { mspId: mspB, accountId: euAccount }));
    expect(await waitStatus(req.requestId, ['rejected'])).toMatchObject({ status: 'rejected', reason: 'region_mismatch' });
  });

  it('rejects an account linked to another MSP, one that does not exist, an MSP, and one without an Owner', async () => {
    const managed = (await asOp(db(), (ctx) => addCompany(ctx, { mspId: mspA, name: 'Kept Co', country: 'US' }))).id;
    const cases: Array<[string, string]> = [
      [managed, 'linked_elsewhere'],
      ['00000000-0000-4000-8000-000000000000', 'not_found'],
      [mspA, 'not_a_company'],
    ];
    const ownerless = (await asOp(db(), (ctx) => addCompany(ctx, { mspId: mspB, name: 'Ownerless', country: 'US' }))).id;
    await db()('accounts').where({ id: ownerless }).update({ msp_id: null, status: 'trial' });
    cases.push([ownerless, 'no_owner']);
    for (const [accountId, reason] of cases) {
      const req = await asOp(db(), (ctx) => requestLink(ctx, { mspId: mspB, accountId }));
      expect(await waitStatus(req.requestId, ['rejected'])).toMatchObject({ reason });
    }
    expect(await names(mspA)).toContainEqual(['Kept Co', 'setup']);
  });

  it('gives the account back when its Owner rejects, or when nobody answers in time', async () => {
    const company = await trialCompany('Undecided Co');
    const req = await asOp(db(), (ctx) => requestLink(ctx, { mspId: mspB, accountId: company }));
    await waitStatus(req.requestId, ['awaiting_approval']);
    const until = Date.now() + 10_000;
    const approval = () => smtp.mails.find((m) => m.to.includes('owner@undecidedco.example') && /asks to manage/.test(m.subject));
    while (!approval() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const link = linkIn(approval()!, 'links');
    const reject = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=reject' });
    expect(reject.status).toBe(200);
    expect(await asOp(db(), (ctx) => showLink(ctx, { requestId: req.requestId }))).toMatchObject({ status: 'rejected', reason: 'owner_rejected' });
    expect(await names(mspB)).not.toContainEqual(['Undecided Co', expect.anything()]);
    expect((await db()('accounts').where({ id: company }).first()).status).toBe('trial');

    const again = await asOp(db(), (ctx) => requestLink(ctx, { mspId: mspB, accountId: company }));
    await waitStatus(again.requestId, ['awaiting_approval']);
    offset = 8 * DAY;
    try {
      const report = await asActor(db(), system('test'), (ctx) => lifecycleTick(ctx), clock());
      expect(report.linksExpired).toBe(1);
    } finally {
      offset = 0;
    }
    expect(await asOp(db(), (ctx) => showLink(ctx, { requestId: again.requestId }))).toMatchObject({ status: 'expired' });
    expect(await db()('accounts').where({ id: company }).first()).toMatchObject({ status: 'trial', msp_id: null });
  });

  it('refuses to unlink a company without an accepted Owner; after unlinking: 14-day trial, then frozen and read-only', async () => {
    const company = (await asOp(db(), (ctx) => addCompany(ctx, { mspId: mspA, name: 'Trial Co', country: 'US' }))).id;
    const invited = await asOp(db(), (ctx) => addManualMember(ctx, { accountId: company, email: 'inv@trial.example', group: 'Owners' }));
    const err = await asOp(db(), (ctx) => unlinkCompany(ctx, { mspId: mspA, companyId: company })).catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('company.unlink.no_owner');
    await db()('members').where({ id: invited.id }).update({ state: 'active' });
    const r = await asOp(db(), (ctx) => unlinkCompany(ctx, { mspId: mspA, companyId: company }), clock());
    expect(r.status).toBe('trial');
    expect(Date.parse(r.trialEndsAt) - Date.now()).toBeGreaterThan(13.9 * DAY);
    // The Owner hears about the trial.
    const until = Date.now() + 10_000;
    while (!smtp.mails.some((m) => m.to.includes('inv@trial.example')) && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    expect(smtp.mails.find((m) => m.to.includes('inv@trial.example'))!.subject).toMatch(/Trial Co: your free trial ends on/);

    const { token } = await asOp(db(), (ctx) => createScimToken(ctx, company));
    const scim = scimClientFor(us.url, token, company);
    offset = 15 * DAY;
    try {
      const report = await asActor(db(), system('test'), (ctx) => lifecycleTick(ctx), clock());
      expect(report.trialsFrozen).toBeGreaterThanOrEqual(1);
    } finally {
      offset = 0;
    }
    expect((await db()('accounts').where({ id: company }).first()).status).toBe('frozen');
    const write = await scim.req('POST', '/Users', userBody('x@trial.example'));
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ status: '403', detail: expect.stringMatching(/frozen/) });
    expect((await scim.req('GET', '/Users')).status).toBe(200);
    await asOp(db(), (ctx) => subscribeAccount(ctx, company));
    expect((await scim.req('POST', '/Users', userBody('y@trial.example'))).status).toBe(201);
  });
});
