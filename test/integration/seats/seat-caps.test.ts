// Seat caps end to end: an IdP pushes into a company whose MSP set an explicit allowance (a hard
// cap) and into one created with the default allowance (uncapped); the cap holds under concurrent
// pushes, every other way of filling a seat respects it, and the MSP hears once per company per day.
import { getAccount } from '../../../src/db/accounts.repo';
import { listMspEvents } from '../../../src/db/mspEvents.repo';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { inviteByEmail } from '../../../src/domain/invitations';
import { createScimToken } from '../../../src/domain/scimTokens';
import { updateCompanySeats } from '../../../src/domain/seatCaps';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { type ScimClient, patchOp, scimClientFor, userBody } from '../../helpers/scim';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe.each(DIALECTS)('seat caps [%s]', (dialect) => {
  let app: TestApp;
  let mspId: string;
  let clock = new Date('2026-12-05T10:00:00Z');
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp(dialect, { now: () => clock });
    mspId = (await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Seat MSP', region: 'eu', ownerEmail: 'owner@seats.example' }, ['eu']))).account.id;
  });
  afterAll(() => app.close());

  /** A company of the MSP (capped when seats is given) and its IdP's SCIM client. */
  async function company(seats?: number): Promise<ScimClient> {
    const c = await asOp(app.rt.db, (ctx) => addCompany(ctx, { mspId, name: `Seat Co ${n++}`, country: 'DE', seats }));
    const { token } = await asOp(app.rt.db, (ctx) => createScimToken(ctx, c.id));
    return scimClientFor(app.url, token, c.id, mspId);
  }
  const push = (c: ScimClient, active = true) => c.req<Record<string, unknown>>('POST', '/Users', userBody(`u${n++}@seats.example`, { active }));
  const filled = async (id: string) => (await getAccount(app.rt.db, id))!.seatsFilled;
  const capEvents = async (companyId: string) =>
    (await listMspEvents(app.rt.db, mspId, { types: ['seats.cap_reached'] })).filter((e) => e.accountId === companyId);

  it('creates up to the cap, then answers 403 with a SCIM error naming the cap; the MSP hears once per day', async () => {
    const c = await company(5);
    for (let i = 0; i < 5; i++) expect((await push(c)).status).toBe(201);
    const refused = await push(c);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/scim+json');
    expect(refused.body.schemas).toEqual([ERROR]);
    expect(refused.body.status).toBe('403');
    expect(String(refused.body.detail)).toContain('seat cap of 5');
    expect(await filled(c.accountId)).toBe(5);
    // A person pushed inactive takes no seat: still accepted at the cap.
    expect((await push(c, false)).status).toBe(201);
    // Refused again the same day: still one event, with what the MSP needs to act.
    expect((await push(c)).status).toBe(403);
    let events = await capEvents(c.accountId);
    expect(events).toHaveLength(1);
    expect(events[0]!.dedupeKey).toBe(`seats.cap_reached:${c.accountId}:2026-12-05`);
    expect(events[0]!.data).toEqual({ companyId: c.accountId, companyName: expect.stringMatching(/^Seat Co/), seatsTotal: 5, seatsFilled: 5 });
    // The next UTC day a refusal raises the next one.
    clock = new Date('2026-12-06T00:00:05Z');
    expect((await push(c)).status).toBe(403);
    events = await capEvents(c.accountId);
    expect(events.map((e) => e.dedupeKey).sort()).toEqual([`seats.cap_reached:${c.accountId}:2026-12-05`, `seats.cap_reached:${c.accountId}:2026-12-06`]);
    clock = new Date('2026-12-05T10:00:00Z');
  });

  it('is exact under concurrent creates: 12 at once into a cap of 5 → 5 created, 7 refused', async () => {
    const c = await company(5);
    const statuses = await Promise.all(Array.from({ length: 12 }, () => push(c).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(7);
    expect(await filled(c.accountId)).toBe(5);
    const list = await c.req<{ totalResults: number }>('GET', '/Users?count=100');
    expect(list.body.totalResults).toBe(5);
  });

  it('leaves a company created without --seats uncapped: 15 people into the default allowance of 10', async () => {
    const c = await company();
    for (let i = 0; i < 15; i++) expect((await push(c)).status).toBe(201);
    const a = (await getAccount(app.rt.db, c.accountId))!;
    expect([a.seatsTotal, a.seatsFilled, a.seatsCapped]).toEqual([10, 15, false]);
    expect(await capEvents(c.accountId)).toHaveLength(0);
  });

  it('refuses reactivation, revival and a manual invitation at the cap too; frees a seat on suspension', async () => {
    const c = await company(2);
    const a = await push(c);
    const b = await push(c);
    expect([a.status, b.status]).toEqual([201, 201]);
    // Suspending frees a seat, which a new push takes.
    expect((await c.req('PATCH', `/Users/${String(a.body.id)}`, patchOp({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    expect((await push(c)).status).toBe(201);
    // Reactivating the suspended person would be a third seat.
    const back = await c.req<Record<string, unknown>>('PATCH', `/Users/${String(a.body.id)}`, patchOp({ op: 'replace', path: 'active', value: true }));
    expect(back.status).toBe(403);
    expect(String(back.body.detail)).toContain('seat cap of 2');
    // Deleted (suspended) and pushed again: a revival takes a seat as well.
    expect((await c.req('DELETE', `/Users/${String(b.body.id)}`)).status).toBe(204);
    expect((await c.req('POST', '/Users', userBody(String(b.body.userName)))).status).toBe(201);
    expect((await c.req('DELETE', `/Users/${String(b.body.id)}`)).status).toBe(204);
    // A person invited by hand fills the freed seat like anyone else; then the revival is refused.
    await expect(asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: `hand${n++}@seats.example` }))).resolves.toBeDefined();
    const revive = await c.req<Record<string, unknown>>('POST', '/Users', userBody(String(b.body.userName)));
    expect([revive.status, String(revive.body.detail).includes('seat cap of 2')]).toEqual([403, true]);
    await expect(asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId: c.accountId, email: `hand${n++}@seats.example` }))).rejects.toMatchObject({
      code: 'seats.cap_reached',
      details: { seatsTotal: 2, seatsFilled: 2 },
    });
    expect(await filled(c.accountId)).toBe(2);
  });

  it('company update raises or lowers the cap and makes a default allowance a cap (audited)', async () => {
    const c = await company();
    for (let i = 0; i < 3; i++) expect((await push(c)).status).toBe(201);
    const r = await asOp(app.rt.db, (ctx) => updateCompanySeats(ctx, { mspId, companyId: c.accountId, seats: 3 }));
    expect(r).toEqual({ id: c.accountId, seatsTotal: 3, seatsFilled: 3, seatsCapped: true, atCap: true });
    expect((await push(c)).status).toBe(403);
    await asOp(app.rt.db, (ctx) => updateCompanySeats(ctx, { mspId, companyId: c.accountId, seats: 4 }));
    expect((await push(c)).status).toBe(201);
    const audit = await app.rt.db('audit_events').where({ account_id: c.accountId, action: 'company.seats_changed' }).orderBy('id');
    expect(audit).toHaveLength(2);
    expect(JSON.parse(typeof audit[0].data === 'string' ? audit[0].data : JSON.stringify(audit[0].data))).toEqual({
      from: 10,
      to: 3,
      wasCapped: false,
      capped: true,
    });
    await expect(asOp(app.rt.db, (ctx) => updateCompanySeats(ctx, { mspId, companyId: c.accountId, seats: -1 }))).rejects.toMatchObject({
      code: 'company.seats.invalid',
    });
  });
});
