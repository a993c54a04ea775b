// Workers in the same process as the HTTP server yield to its requests: while any is in flight,
// job starts are spaced by 1000 / WORKER_YIELD_RATE ms; when none is, jobs start at once.
import { RequestLoad } from '../../src/requestLoad';

function clocked(rate: number) {
  let now = 1000;
  const load = new RequestLoad(rate, () => now);
  return { load, advance: (ms: number) => (now += ms) };
}

describe('RequestLoad', () => {
  it('lets jobs start at once while no request is being served', () => {
    const { load } = clocked(20);
    expect(load.busy).toBe(false);
    expect([load.delayForJob(), load.delayForJob(), load.delayForJob()]).toEqual([0, 0, 0]);
  });

  it('spaces job starts by 1000 / rate ms while requests are in flight', () => {
    const { load, advance } = clocked(20);
    const end = load.enter();
    expect(load.busy).toBe(true);
    expect([load.delayForJob(), load.delayForJob(), load.delayForJob()]).toEqual([0, 50, 100]);
    advance(120);
    // The slots already handed out stand; the next comes after them.
    expect(load.delayForJob()).toBe(30);
    end();
    end(); // idempotent: a response's finish and close both call it
    advance(10);
    expect(load.busy).toBe(true); // keep-alive clients send the next request at once
    advance(50);
    expect(load.busy).toBe(false);
    expect(load.delayForJob()).toBe(0);
  });

  it('counts overlapping requests and is idle only when all ended', () => {
    const { load, advance } = clocked(10);
    const a = load.enter();
    const b = load.enter();
    a();
    advance(1000);
    expect(load.busy).toBe(true);
    b();
    advance(1000);
    expect(load.busy).toBe(false);
  });

  it('never holds jobs back with a rate of 0 (WORKER_YIELD_RATE=0)', () => {
    const { load } = clocked(0);
    load.enter();
    expect([load.delayForJob(), load.delayForJob()]).toEqual([0, 0]);
  });

  it("turn() sleeps until the job's slot, and no longer once the requests ended", async () => {
    const { load, advance } = clocked(4);
    const end = load.enter();
    let slept = 0;
    const sleep = async (ms: number) => {
      slept += ms;
      advance(ms);
    };
    await load.turn(sleep);
    expect(slept).toBe(0);
    await load.turn(sleep); // the slot 250 ms on
    expect(slept).toBe(250);
    const third = load.delayForJob();
    expect(third).toBe(250);
    end();
    slept = 0;
    await load.turn(sleep); // its slot would be 500 ms on; idle after the 50 ms settle time, it goes
    expect(slept).toBeLessThanOrEqual(50);
    expect(load.delayForJob()).toBe(0);
  });
});
