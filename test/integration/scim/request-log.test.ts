// The SCIM request log is written off the request: batched, bounded, flushed at shutdown, and
// what it cannot keep is counted, never silently lost.
import { Writable } from 'node:stream';
import { listScimRequests, type ScimRequestEntry } from '../../../src/db/scimRequests.repo';
import { createMsp } from '../../../src/domain/accounts';
import { createLogger } from '../../../src/logger';
import { RequestLog } from '../../../src/scim/requestLog';
import { asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

describeEachDb('SCIM request log buffer', (get) => {
  let accountId: string;
  beforeAll(async () => {
    accountId = (await asOp(get().db, (ctx) => createMsp(ctx, { name: 'Log MSP', region: 'eu', ownerEmail: 'owner@log.example' }, ['eu']))).account.id;
  });
  const entry = (i: number): ScimRequestEntry => ({
    accountId,
    method: 'GET',
    path: `/Users/${i}`,
    status: 200,
    latencyMs: 1,
    idp: null,
    userAgent: null,
    scimType: null,
    detail: null,
    body: undefined,
    requestId: `r${i}`,
    createdAt: new Date().toISOString(),
  });
  const stored = async () => (await listScimRequests(get().db, accountId, { limit: 10_000 })).length;

  it('writes nothing on add, everything at shutdown flush', async () => {
    const before = await stored();
    const { log } = capturingLogger();
    const rl = new RequestLog(get().db, log, 60_000, 100, 1000);
    for (let i = 0; i < 40; i++) rl.add(entry(i));
    expect(await stored()).toBe(before); // nothing yet: the interval is a minute away
    await rl.flush(); // what serve's shutdown does (rt.onClose)
    expect(await stored()).toBe(before + 40);
    expect(rl.counts).toEqual({ written: 40, dropped: 0 });
  });

  it('flushes by itself when a batch is full, and after the interval', async () => {
    const before = await stored();
    const rl = new RequestLog(get().db, capturingLogger().log, 50, 1000, 25);
    for (let i = 0; i < 25; i++) rl.add(entry(i));
    await rl.flush(); // waits for the batch the 25th entry started
    expect(await stored()).toBe(before + 25);
    rl.add(entry(99));
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored()).toBe(before + 26);
  });

  it('stops at its bound, counts and reports what it dropped', async () => {
    const before = await stored();
    const { log, lines } = capturingLogger();
    const rl = new RequestLog(get().db, log, 60_000, 30, 1000);
    for (let i = 0; i < 50; i++) rl.add(entry(i));
    await rl.flush();
    expect(await stored()).toBe(before + 30);
    expect(rl.counts).toEqual({ written: 30, dropped: 20 });
    await new Promise((r) => setTimeout(r, 100)); // pino writes asynchronously
    expect(lines.some((l) => l.dropped === 20 && /buffer full/.test(String(l.msg)))).toBe(true);
  });
});
