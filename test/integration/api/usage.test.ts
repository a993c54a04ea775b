// The usage ledger on SQLite and PostgreSQL: a month of daily snapshots with the clock moved, sums
// checked against an independent tally; the worker's schedule; the REST answer (JSON, CSV) and its gate.
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { removeMember } from '../../../src/domain/memberRemoval';
import { addManualMember } from '../../../src/domain/members';
import { type CompanyUsage, snapshotUsage, snapshotUsageBatch, usageOfMsp } from '../../../src/domain/usage';
import { apiClient } from '../../helpers/api';
import { startStack, startTestApp, type TestApp } from '../../helpers/app';
import { asActor, asOp } from '../../helpers/ctx';
import { DIALECTS, describeEachDb } from '../../helpers/db';
import { startSmtp } from '../../helpers/smtp';

const day = (d: number, hour = 12) => new Date(Date.UTC(2026, 10, d, hour, 0, 0)); // November 2026

describeEachDb('usage ledger', (t) => {
  it('sums a simulated month exactly as an independent tally does, one snapshot per company per day', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Ledger MSP', region: 'us', ownerEmail: 'o@ledger.example' }, ['us']), day(1, 0));
    const other = await asOp(db, (ctx) => createMsp(ctx, { name: 'Other MSP', region: 'us', ownerEmail: 'o@other.example' }, ['us']), day(1, 0));
    const a = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Alpha', country: 'US', seats: 50 }), day(1, 0));
    const b = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Beta', country: 'US' }), day(1, 0));
    const elsewhere = await asOp(db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Elsewhere', country: 'US' }), day(1, 0));
    // Gamma arrives on the 10th; Delta is added but never snapshotted in range (it must still be listed).
    let gammaId: string | undefined;
    const tally = new Map<string, { seatDays: number; peak: number; days: number; frozen: number; active: number; setup: number }>();
    const note = (id: string, seats: number, status: string) => {
      const x = tally.get(id) ?? { seatDays: 0, peak: 0, days: 0, frozen: 0, active: 0, setup: 0 };
      x.seatDays += seats;
      x.peak = Math.max(x.peak, seats);
      x.days++;
      if (status === 'frozen') x.frozen++;
      else if (status === 'active') x.active++;
      else if (status === 'setup') x.setup++;
      tally.set(id, x);
    };
    const seatsOf = async (id: string) => (await db('accounts').where({ id }).first()) as { seats_filled: number; status: string };
    const alphaPeople: string[] = [];
    for (let d = 1; d <= 30; d++) {
      // Alpha grows by one person a day and loses one every fifth day; Beta gets two people on the 3rd.
      const added = await asOp(db, (ctx) => addManualMember(ctx, { accountId: a.id, email: `p${d}@alpha.example`, state: 'active' }), day(d, 6));
      alphaPeople.push(added.id);
      if (d % 5 === 0) await asOp(db, (ctx) => removeMember(ctx, { accountId: a.id, memberId: alphaPeople.shift()! }), day(d, 7));
      if (d === 3) {
        for (const e of ['x@beta.example', 'y@beta.example'])
          await asOp(db, (ctx) => addManualMember(ctx, { accountId: b.id, email: e, state: 'invited' }), day(d, 6));
      }
      if (d === 10) gammaId = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Gamma', country: 'US' }), day(d, 6))).id;
      // Beta is frozen from the 20th on (status as the ledger sees it).
      if (d === 20) await db('accounts').where({ id: b.id }).update({ status: 'frozen' });
      const first = await asOp(db, (ctx) => snapshotUsage(ctx), day(d, 12));
      expect(first.day).toBe(`2026-11-${String(d).padStart(2, '0')}`);
      // A second run the same day takes nothing (idempotent), even after seats changed.
      if (d % 7 === 0) {
        await asOp(db, (ctx) => addManualMember(ctx, { accountId: a.id, email: `late${d}@alpha.example`, state: 'active' }), day(d, 13));
        expect((await asOp(db, (ctx) => snapshotUsage(ctx), day(d, 23))).taken).toBe(0);
      }
      for (const id of [a.id, b.id, ...(gammaId ? [gammaId] : [])]) {
        // What the snapshot saw is the state at noon, before the late additions: replay them from the rows.
        const row = (await db('usage_snapshots').where({ account_id: id, day: first.day }).first()) as { seats_filled: number; status: string };
        expect(row).toBeDefined();
        note(id, row.seats_filled, row.status);
      }
      expect(first.taken).toBe(gammaId ? 4 : 3); // Alpha, Beta, (Gamma), Elsewhere
    }
    // The tally read the rows; cross-check it against the live counters at the end of the month.
    expect((await seatsOf(a.id)).seats_filled).toBe(30 - 6 + 4);
    const delta = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Delta', country: 'US' }), day(30, 20));

    const rows = await asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-11-01', '2026-11-30'), day(30, 21));
    expect(rows.map((r) => r.name)).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma']);
    expect(rows.map((r) => r.companyId)).not.toContain(elsewhere.id);
    const by = new Map(rows.map((r) => [r.companyId, r]));
    for (const [id, x] of tally) {
      const r = by.get(id)!;
      expect(r.seatDays).toBe(x.seatDays);
      expect(r.peakSeats).toBe(x.peak);
      expect(r.days).toBe(x.days);
      expect(r.avgSeats).toBeCloseTo(x.seatDays / x.days, 2);
      expect(r.statusDays).toEqual({ trial: 0, active: x.active, frozen: x.frozen, setup: x.setup });
    }
    // Alpha: day d has d people minus floor(d/5) removed (late additions on the 7th, 14th... count the next day).
    const alpha = by.get(a.id)!;
    let expected = 0;
    for (let d = 1; d <= 30; d++) expected += d - Math.floor(d / 5) + Math.floor((d - 1) / 7);
    expect(alpha.seatDays).toBe(expected);
    expect(by.get(b.id)!.statusDays.frozen).toBe(11);
    expect(by.get(gammaId!)!.days).toBe(21);
    expect(by.get(delta.id)).toEqual<CompanyUsage>({
      companyId: delta.id,
      name: 'Delta',
      seatDays: 0,
      avgSeats: 0,
      peakSeats: 0,
      statusDays: { trial: 0, active: 0, frozen: 0, setup: 0 },
      days: 0,
    });
    // A part of the month: only its days.
    const week = await asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-11-08', '2026-11-14'));
    expect(week.find((r) => r.companyId === b.id)!.seatDays).toBe(14);
    // A company that left the MSP keeps its billed days in the MSP's ledger, once.
    await db('accounts').where({ id: gammaId }).update({ msp_id: null, status: 'trial' });
    const after = await asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-11-01', '2026-11-30'));
    expect(after.filter((r) => r.companyId === gammaId)).toHaveLength(1);
    expect(after.map((r) => r.companyId).sort()).toEqual([a.id, b.id, delta.id, gammaId].sort());
  });

  it('answers any range from whole months and edge days exactly as the daily rows sum up', async () => {
    const { db } = t();
    const start = Date.UTC(2026, 8, 20); // 20 September 2026, for 100 days
    const at = (i: number, hour = 12) => new Date(start + i * 86_400_000 + hour * 3_600_000);
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Range MSP', region: 'us', ownerEmail: 'o@months.example' }, ['us']), at(0, 0));
    const ids: string[] = [];
    for (const name of ['One', 'Two', 'Three'])
      ids.push((await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name, country: 'US' }), at(0, 0))).id);
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 100; i++) {
      // Seats move up and down at random; Two is frozen for a while.
      for (const id of ids)
        await db('accounts')
          .where({ id })
          .update({ seats_filled: rnd(30) });
      await db('accounts')
        .where({ id: ids[1] })
        .update({ status: i >= 40 && i < 55 ? 'frozen' : 'active' });
      await asOp(db, (ctx) => snapshotUsage(ctx), at(i));
    }
    const iso = (i: number) => at(i).toISOString().slice(0, 10);
    const ranges: Array<[number, number]> = [
      [0, 99],
      [11, 41],
      [11, 40],
      [10, 71],
      [12, 12],
      [41, 71],
      [3, 9],
    ];
    for (let k = 0; k < 25; k++) {
      const a = rnd(100);
      ranges.push([a, a + rnd(100 - a)]);
    }
    for (const [a, b] of ranges) {
      const got = await asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, iso(a), iso(b)));
      for (const id of ids) {
        const rows = (await db('usage_snapshots').where({ account_id: id }).andWhere('day', '>=', iso(a)).andWhere('day', '<=', iso(b))) as Array<{
          seats_filled: number;
          status: string;
        }>;
        const r = got.find((x) => x.companyId === id)!;
        const want = {
          seatDays: rows.reduce((n, x) => n + Number(x.seats_filled), 0),
          peakSeats: Math.max(0, ...rows.map((x) => Number(x.seats_filled))),
          days: rows.length,
          frozen: rows.filter((x) => x.status === 'frozen').length,
        };
        expect([iso(a), iso(b), r.seatDays, r.peakSeats, r.days, r.statusDays.frozen]).toEqual([
          iso(a),
          iso(b),
          want.seatDays,
          want.peakSeats,
          want.days,
          want.frozen,
        ]);
      }
    }
  });

  it('takes a day in batches that resume where the last one ended, each company once', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Batch MSP', region: 'us', ownerEmail: 'o@batch.example' }, ['us']));
    for (const name of ['A', 'B', 'C', 'D', 'E']) await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name, country: 'US' }));
    const when = day(15);
    const takes: number[] = [];
    let afterId: string | undefined;
    do {
      const r = await asOp(db, (ctx) => snapshotUsageBatch(ctx, { mspId: msp.account.id, afterId, limit: 2 }), when);
      takes.push(r.taken);
      afterId = r.next ?? undefined;
    } while (afterId);
    expect(takes).toEqual([2, 2, 1]);
    expect(await db('usage_snapshots').where({ msp_id: msp.account.id, day: '2026-11-15' })).toHaveLength(5);
    expect((await asOp(db, (ctx) => snapshotUsage(ctx, msp.account.id), when)).taken).toBe(0);
  });

  it('refuses bad ranges with a clear error and keeps the ledger to the MSP’s managers', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Range MSP', region: 'us', ownerEmail: 'o@range.example' }, ['us']));
    const code = async (p: Promise<unknown>) =>
      (
        (await p.then(
          () => undefined,
          (e: unknown) => e,
        )) as DomainError
      ).code;
    expect(await code(asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-11-31', '2026-12-01')))).toBe('usage.day.invalid');
    expect(await code(asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-12-02', '2026-12-01')))).toBe('usage.range.reversed');
    expect(await code(asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2020-01-01', '2026-12-01')))).toBe('usage.range.too_long');
    const tech = await asOp(db, (ctx) =>
      addManualMember(ctx, { accountId: msp.account.id, email: 't@range.example', group: 'MSP Technicians', state: 'active' }),
    );
    const asTech = { kind: 'member' as const, accountId: msp.account.id, memberId: tech.id, label: 't' };
    expect(await code(asActor(db, asTech, (ctx) => usageOfMsp(ctx, msp.account.id, '2026-11-01', '2026-11-30')))).toBe('role.required');
    // Snapshots are the deployment's to take: an MSP person cannot.
    const owner = { kind: 'member' as const, accountId: msp.account.id, memberId: msp.ownerId, label: 'o' };
    expect(await asActor(db, owner, (ctx) => snapshotUsage(ctx)).catch((e: DomainError) => e.code)).toBe('not_found');
  });
});

describe.each(DIALECTS)('usage ledger over HTTP (%s)', (dialect) => {
  let app: TestApp;
  const now = day(1);
  beforeAll(async () => {
    app = await startTestApp(dialect, { now: () => now });
  });
  afterAll(() => app.close());

  it('answers JSON and CSV to the MSP Owner, 404 for another MSP’s company', async () => {
    const db = app.rt.db;
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Http MSP', region: 'us', ownerEmail: 'o@http.example' }, ['us']), now);
    const other = await asOp(db, (ctx) => createMsp(ctx, { name: 'Http Other', region: 'us', ownerEmail: 'o@http-other.example' }, ['us']), now);
    const co = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: '=Formula, "Inc"', country: 'US' }), now);
    const theirs = await asOp(db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Theirs', country: 'US' }), now);
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: co.id, email: 'a@http.example', state: 'active' }), now);
    for (const d of [1, 2, 3]) await asOp(db, (ctx) => snapshotUsage(ctx, msp.account.id), day(d));
    await db('members').where({ id: msp.ownerId }).update({ state: 'active' });
    const s = await asOp(db, async (ctx) => startSession(ctx, (await getMemberAnyState(ctx.tx, msp.account.id, msp.ownerId))!, 'test'));
    const owner = apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken });

    const json = await owner.req<CompanyUsage[]>('GET', '/usage?from=2026-11-01&to=2026-11-30');
    expect(json.status).toBe(200);
    expect(json.body).toEqual([expect.objectContaining({ companyId: co.id, seatDays: 3, avgSeats: 1, peakSeats: 1, days: 3 })]);
    const csv = await owner.req('GET', '/usage?from=2026-11-01&to=2026-11-30&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('usage.csv');
    expect(csv.text).toBe(
      `companyId,name,seatDays,avgSeats,peakSeats,trialDays,activeDays,frozenDays,setupDays\r\n${co.id},"'=Formula, ""Inc""",3,1,1,0,3,0,0\r\n`,
    );
    // Without a range: the month so far (the app's clock says November 1st).
    expect((await owner.req<CompanyUsage[]>('GET', '/usage')).body[0]!.seatDays).toBe(1);
    const series = await owner.req<unknown[]>('GET', `/usage/companies/${co.id}?from=2026-11-01&to=2026-11-30`);
    expect(series.body).toEqual([1, 2, 3].map((d) => ({ day: `2026-11-0${d}`, seatsFilled: 1, seatsTotal: 10, status: 'active' })));
    expect((await owner.req('GET', `/usage/companies/${theirs.id}`)).status).toBe(404);
    const bad = await owner.req<{ error: { code: string } }>('GET', '/usage?from=2026-13-01&to=2026-11-30');
    expect(bad.status).toBe(400);
  });
});

describe.each(DIALECTS)('the lifecycle worker takes the daily snapshot (%s)', (dialect) => {
  it('takes one per company per UTC day as the clock moves, however often it runs', async () => {
    const smtp = await startSmtp();
    let now = day(5, 10);
    const app = await startStack(dialect, { smtpUrl: smtp.url, now: () => now, env: { USAGE_SNAPSHOT_INTERVAL_MS: '1000' } });
    try {
      const db = app.rt.db;
      const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Worker MSP', region: 'us', ownerEmail: 'o@worker.example' }, ['us']), now);
      await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'One', country: 'US' }), now);
      await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Two', country: 'US' }), now);
      const days = async () => (await db('usage_snapshots').select('day').orderBy('day')).map((r: { day: string }) => r.day);
      const until = async (want: string[]) => {
        const deadline = Date.now() + 20_000;
        while (JSON.stringify(await days()) !== JSON.stringify(want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await days()).toEqual(want);
      };
      await until(['2026-11-05', '2026-11-05']);
      // Several more runs the same day change nothing.
      await new Promise((r) => setTimeout(r, 2500));
      expect(await days()).toEqual(['2026-11-05', '2026-11-05']);
      now = day(6, 0);
      await until(['2026-11-05', '2026-11-05', '2026-11-06', '2026-11-06']);
    } finally {
      await app.close();
      await smtp.close();
    }
  });
});
