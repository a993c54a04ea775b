// The monthly client report end to end, on SQLite and PostgreSQL: an IdP pushes people (real
// invitation emails), some accept, the IdP deactivates people (the breaker holds some, released
// hours later or discarded), a few requests fail; the report's figures match what was pushed,
// also after the SCIM log is pruned, as JSON, CSV and printable HTML, to those allowed.
import { getMemberAnyState } from '../../../src/db/members.repo';
import { pruneScimRequests } from '../../../src/db/scimRequests.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { discardHeldRemovals, releaseHeldRemovals } from '../../../src/domain/heldRemovals';
import { addManualMember } from '../../../src/domain/members';
import { type MonthlyReport, monthlyReport } from '../../../src/domain/report';
import { updateSettings } from '../../../src/domain/settings';
import { apiClient } from '../../helpers/api';
import { startStack, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { patchOp, scimAccount, userBody } from '../../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../../helpers/smtp';

type Res = Record<string, unknown> & { id: string };

describe.each(DIALECTS)('monthly client report [%s]', (dialect) => {
  let smtp: TestSmtp;
  let app: TestApp;
  let clock = new Date('2026-11-03T10:00:00.000Z');
  const at = (iso: string) => (clock = new Date(iso));

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack(dialect, { smtpUrl: smtp.url, now: () => clock });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('counts what the IdP did in the month, with the offboarding times it took', async () => {
    const db = app.rt.db;
    const op = <T>(fn: Parameters<typeof asOp<T>>[1]) => asOp(db, fn, clock);
    const c = await scimAccount(db, app.url, { name: 'Report Co' });
    await op((ctx) => updateSettings(ctx, c.accountId, { deprovisionLimit: 3, defaultLanguage: 'de' }));
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await c.req<Res>('POST', '/Users', userBody(`p${i}@report.example`));
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    // Two requests the IdP gets wrong.
    expect((await c.req('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] })).status).toBe(400);
    expect((await c.req('POST', '/Users', userBody('p0@report.example'))).status).toBe(409);
    for (let i = 0; i < 300 && smtp.mails.filter((m) => m.to.some((x) => x.endsWith('@report.example'))).length < 10; i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const to of ['p0@report.example', 'p9@report.example']) {
      const mail = smtp.mails.find((m) => m.to.includes(to))!;
      const r = await fetch(linkIn(mail, 'invitations'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: 'a long password 123' }),
      });
      expect(r.status).toBeLessThan(300);
    }

    // 10 November, 09:00: five deactivations; the breaker (3 an hour) applies three and holds two.
    at('2026-11-10T09:00:00.000Z');
    for (const id of ids.slice(0, 5)) expect((await c.req('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    // 11:30: an administrator releases them, two and a half hours after the IdP asked.
    at('2026-11-10T11:30:00.000Z');
    expect((await op((ctx) => releaseHeldRemovals(ctx, c.accountId))).released).toHaveLength(2);
    // 20 November: four deletions, three apply, the fourth is held and discarded ten minutes later.
    at('2026-11-20T14:00:00.000Z');
    for (const id of ids.slice(5, 9)) expect((await c.req('DELETE', `/Users/${id}`)).status).toBe(204);
    at('2026-11-20T14:10:00.000Z');
    expect((await op((ctx) => discardHeldRemovals(ctx, c.accountId))).discarded).toHaveLength(1);
    // December: someone else joins (not November's).
    at('2026-12-02T08:00:00.000Z');
    expect((await c.req('POST', '/Users', userBody('late@report.example'))).status).toBe(201);
    // The request log is written behind the requests: wait for all 23.
    for (let i = 0; i < 100 && Number(((await db('scim_requests').count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n) < 23; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }

    const expectNovember = (r: MonthlyReport) => {
      expect(r).toMatchObject({
        month: '2026-11',
        language: 'de',
        joiners: 10,
        leavers: 8,
        invitationsSent: 10,
        invitationsAccepted: 2,
        deprovisionings: 9,
        deprovisioningsNotApplied: 1,
        deprovisioningLatencyMedianSeconds: 0,
        deprovisioningLatencyMaxSeconds: 9000,
        recoveriesStarted: 0,
        recoveriesCompleted: 0,
        scimRequests: 21,
        scimErrors: 2,
        scimErrorRate: 0.0952,
        heldChanges: 3,
        heldChangesByReason: { breaker: 3 },
        heldChangesApplied: 2,
        heldChangesDiscarded: 1,
        heldChangesOpen: 0,
      });
      expect(r.offboarding.map((o) => [o.email, o.outcome, o.latencySeconds])).toEqual([
        ['p0@report.example', 'applied', 0],
        ['p1@report.example', 'applied', 0],
        ['p2@report.example', 'applied', 0],
        ['p3@report.example', 'released', 9000],
        ['p4@report.example', 'released', 9000],
        ['p5@report.example', 'applied', 0],
        ['p6@report.example', 'applied', 0],
        ['p7@report.example', 'applied', 0],
        ['p8@report.example', 'discarded', null],
      ]);
      expect(r.left.map((p) => p.email).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `p${i}@report.example`));
    };
    expectNovember(await op((ctx) => monthlyReport(ctx, c.accountId, '2026-11')));
    const december = await op((ctx) => monthlyReport(ctx, c.accountId, '2026-12'));
    expect(december).toMatchObject({ joiners: 1, leavers: 0, deprovisionings: 0, deprovisioningLatencyMedianSeconds: null, scimRequests: 1, scimErrors: 0 });
    // A month later the log's November rows are pruned; the report still counts them.
    at('2026-12-20T00:00:00.000Z');
    await op((ctx) => pruneScimRequests(ctx.tx, '2026-12-01T00:00:00.000Z'));
    expect(Number(((await db('scim_requests').count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n)).toBe(1);
    expectNovember(await op((ctx) => monthlyReport(ctx, c.accountId, '2026-11')));

    // Over REST: the MSP's Owner reads it as JSON, CSV and the printable page in the company's language.
    const session = async (accountId: string, memberId: string) => {
      await db('members').where({ id: memberId }).update({ state: 'active' });
      const s = await op(async (ctx) => startSession(ctx, (await getMemberAnyState(ctx.tx, accountId, memberId))!, 'test'));
      return apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });
    };
    const mspOwnerId = (await db('members').where({ account_id: c.mspId }).first()).id as string;
    const owner = await session(c.mspId, mspOwnerId);
    const json = await owner.req<MonthlyReport>('GET', `/companies/${c.accountId}/report?month=2026-11`);
    expect(json.status).toBe(200);
    expectNovember(json.body);
    const csv = await owner.req('GET', `/companies/${c.accountId}/report?month=2026-11&format=csv`);
    expect(csv.text.split('\r\n')).toEqual(expect.arrayContaining(['metric,value', 'leavers,8', 'invitationsSent,10', 'deprovisioningLatencyMaxSeconds,9000']));
    const page = await owner.req('GET', `/companies/${c.accountId}/report?month=2026-11&format=html`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('<html lang="de">');
    expect(page.text).toContain('Report Co: Monatsbericht November 2026');
    expect(page.text).toContain('2,5 h');
    // Without a month: the previous one (the clock says December).
    expect((await owner.req<MonthlyReport>('GET', `/companies/${c.accountId}/report`)).body.month).toBe('2026-11');
    expect((await owner.req('GET', `/companies/${c.accountId}/report?month=2026-13`)).status).toBe(400);
    // Another MSP, and a plain member of the company, get nothing.
    const other = await op((ctx) => createMsp(ctx, { name: 'Other', region: 'us', ownerEmail: 'o@other-report.example' }, ['us']));
    expect((await (await session(other.account.id, other.ownerId)).req('GET', `/companies/${c.accountId}/report?month=2026-11`)).status).toBe(404);
    const member = await op((ctx) => addManualMember(ctx, { accountId: c.accountId, email: 'plain@report.example', state: 'active' }));
    expect((await (await session(c.accountId, member.id)).req('GET', `/accounts/${c.accountId}/report?month=2026-11`)).status).toBe(403);
  });
});
