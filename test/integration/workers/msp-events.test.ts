// Events the lifecycle tick raises: scim.errors once per bad episode of a company's IdP (never for
// a healthy or a barely used one), and trial.ending to the MSP that unlinked a company.
import { insertScimRequests } from '../../../src/db/scimRequests.repo';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { lifecycleTick } from '../../../src/domain/lifecycle';
import { unlinkCompany } from '../../../src/domain/links';
import { addManualMember } from '../../../src/domain/members';
import { system } from '../../../src/domain/principal';
import { asActor, asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

const MIN = 60_000;

describeEachDb('MSP events from the lifecycle tick', (get) => {
  let mspId: string;
  const t0 = Date.parse('2026-03-02T10:00:00.000Z');
  const tick = (at: number) => asActor(get().db, system('test'), (ctx) => lifecycleTick(ctx), new Date(at));
  const eventsOf = async (type: string) =>
    (
      (await get().db('msp_events').where({ msp_id: mspId, type }).orderBy('created_at')) as Array<{ account_id: string; data: unknown; dedupe_key: string }>
    ).map((e) => ({
      ...e,
      data: (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown>,
    }));
  const company = async (name: string) => (await asOp(get().db, (ctx) => addCompany(ctx, { mspId, name, country: 'US' }))).id;
  /** `total` SCIM requests spread evenly over the 15 minutes before `end`, every `failEvery`-th failing. */
  const traffic = async (accountId: string, end: number, total: number, failing: (i: number) => boolean) => {
    const entries = Array.from({ length: total }, (_, i) => ({
      accountId,
      method: 'POST',
      path: '/Users',
      status: failing(i) ? 500 : 201,
      latencyMs: 5,
      idp: 'entra',
      userAgent: 'Azure AD SCIM',
      scimType: null,
      detail: null,
      body: undefined,
      createdAt: new Date(end - 15 * MIN + ((i + 0.5) * 15 * MIN) / total).toISOString(),
    }));
    await insertScimRequests(get().db, entries);
  };

  beforeAll(async () => {
    mspId = (await asOp(get().db, (ctx) => createMsp(ctx, { name: 'Events IT', region: 'us', ownerEmail: 'o@events.example' }, ['us']))).account.id;
  });

  it('raises scim.errors once for an IdP failing over 20% for 15 minutes, not for a healthy or a barely used one', async () => {
    const failing = await company('Quarantine Risk');
    const healthy = await company('Healthy');
    const quiet = await company('Quiet');
    await traffic(failing, t0, 30, (i) => i % 3 === 0); // 10 of 30 fail (33%), all through the window
    await traffic(healthy, t0, 30, (i) => i % 10 === 0); // 3 of 30 (10%)
    await traffic(quiet, t0, 2, (i) => i === 0); // 1 of 2: too few requests to mean anything
    expect((await tick(t0)).scimErrorAlerts).toBe(1);
    const [event] = await eventsOf('scim.errors');
    expect(event).toMatchObject({
      account_id: failing,
      data: { companyId: failing, companyName: 'Quarantine Risk', requests: 30, failed: 10, errorRate: 0.333, windowMinutes: 15 },
    });
    // The same episode a minute later (still failing): nothing new.
    await traffic(failing, t0 + MIN, 4, () => true);
    expect((await tick(t0 + MIN)).scimErrorAlerts).toBe(0);
    expect(await eventsOf('scim.errors')).toHaveLength(1);
    // Healthy for over 15 minutes, then failing again: a new episode, a second event.
    await traffic(failing, t0 + 40 * MIN, 30, (i) => i % 2 === 0);
    expect((await tick(t0 + 40 * MIN)).scimErrorAlerts).toBe(1);
    expect((await eventsOf('scim.errors')).map((e) => e.account_id)).toEqual([failing, failing]);
  });

  it('does not raise scim.errors for one short burst of failures', async () => {
    const bursty = await company('Bursty');
    const end = t0 + 120 * MIN;
    // 20 requests, the last 8 failing: 40%, but only in the last minutes of the window.
    await traffic(bursty, end, 20, (i) => i >= 12);
    await tick(end);
    expect((await eventsOf('scim.errors')).filter((e) => e.account_id === bursty)).toHaveLength(0);
  });

  it('raises trial.ending once to the MSP that unlinked the company', async () => {
    const c = await company('Trial Co');
    await asOp(get().db, (ctx) => addManualMember(ctx, { accountId: c, email: 'owner@trialco.example', group: 'Owners', state: 'active' }));
    const unlinkedAt = t0 + 200 * MIN;
    const { trialEndsAt } = await asOp(get().db, (ctx) => unlinkCompany(ctx, { mspId, companyId: c }), new Date(unlinkedAt));
    await tick(unlinkedAt + MIN);
    expect(await eventsOf('trial.ending')).toHaveLength(0);
    const soon = Date.parse(trialEndsAt) - 2 * 24 * 60 * MIN;
    await tick(soon);
    await tick(soon + MIN);
    expect((await eventsOf('trial.ending')).map((e) => e.data)).toEqual([{ companyId: c, companyName: 'Trial Co', trialEndsAt }]);
  });
});
