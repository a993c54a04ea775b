// How busy this process is with HTTP requests, so that workers running in the same process
// (`mspbridge start`) yield to them: on one SQLite writer and one event loop, a worker draining
// thousands of emails would otherwise take the write lock and the CPU from every SCIM request.
/** A request that ended less than this long ago still counts (keep-alive clients send the next at once). */
const SETTLE_MS = 50;

export class RequestLoad {
  private inFlight = 0;
  private lastEnd = -Infinity;
  private nextStart = 0;

  /**
   * @param busyRate jobs per second one throttle lets start while requests are being served
   * (WORKER_YIELD_RATE; 0: never hold jobs back)
   * @param clock milliseconds (tests move it)
   */
  constructor(
    readonly busyRate: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** One request started; the function returned ends it (idempotent). */
  enter(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.lastEnd = this.clock();
    };
  }

  /** Whether requests are being served now (or one just ended). */
  get busy(): boolean {
    return this.inFlight > 0 || this.clock() - this.lastEnd < SETTLE_MS;
  }

  /**
   * How long a job that wants to start now should wait: 0 while no request is being served;
   * otherwise job starts are spaced 1000 / busyRate ms apart (the first at once), so the
   * backlog still drains, slowly, under sustained load and at full speed as soon as it stops.
   */
  delayForJob(): number {
    const now = this.clock();
    if (this.busyRate <= 0 || !this.busy) {
      this.nextStart = now; // slots handed out in a busy spell do not outlive it
      return 0;
    }
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 1000 / this.busyRate;
    return start - now;
  }

  /** Waits for this job's turn (see delayForJob), or less when the requests end meanwhile. */
  async turn(sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
    const until = this.clock() + this.delayForJob();
    while (this.busy && this.clock() < until) await sleep(Math.min(SETTLE_MS, until - this.clock()));
  }
}
