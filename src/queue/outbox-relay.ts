// Moves outbox rows to BullMQ (job id = the row id), then marks them relayed. Redis being away
// only delays this: rows wait in the database, and SCIM/API writes never depend on Redis.
import type { Db } from '../db/knex';
import { markDone, markRelayed, nextUnrelayed, touchRelayed, unfinishedSince, type OutboxRow } from '../db/outbox.repo';
import type { Logger } from '../logger';
import { isQueueName, outboxJobId } from './jobs';
import type { Queues } from './queues';

export interface RelayOptions {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  pollMs: number;
  /** How long a relayed job may stay unfinished before the relay checks BullMQ still has it. */
  redeliverMs: number;
  batch?: number;
}

export class OutboxRelay {
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private failing = false;
  private lastSweep = 0;
  relayed = 0;
  redelivered = 0;

  constructor(private readonly o: RelayOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** One pass: relays up to a batch; returns how many rows moved. */
  async relayOnce(): Promise<number> {
    // No transaction is held while talking to Redis: on SQLite that would block every writer.
    const rows = await nextUnrelayed(this.o.db, this.o.now().toISOString(), this.o.batch ?? 200);
    if (!rows.length) return 0;
    const byQueue = new Map<string, OutboxRow[]>();
    for (const r of rows) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
    const done: number[] = [];
    for (const [queue, list] of byQueue) {
      if (!isQueueName(queue)) {
        this.o.log.error({ queue, ids: list.map((r) => r.id) }, 'outbox rows name an unknown queue; left in place');
        continue;
      }
      // A row relayed twice (a crash before markRelayed) reuses its job id: BullMQ ignores it.
      await this.o.queues.get(queue).addBulk(list.map((r) => ({ name: r.name, data: r.payload, opts: { jobId: outboxJobId(r.id) } })));
      done.push(...list.map((r) => r.id));
    }
    await markRelayed(this.o.db, done, this.o.now().toISOString());
    this.relayed += done.length;
    return done.length;
  }

  /**
   * Redis without persistence forgets jobs when it restarts. Rows relayed long ago and not
   * done are looked up: a job BullMQ no longer has is relayed again (the handlers are
   * idempotent, so at worst it finds its work done); a completed one is marked done.
   */
  async sweepOnce(): Promise<number> {
    const before = new Date(this.o.now().getTime() - this.o.redeliverMs).toISOString();
    const rows = await unfinishedSince(this.o.db, before, this.o.batch ?? 200);
    if (!rows.length) return 0;
    const lost: OutboxRow[] = [];
    const finished: number[] = [];
    const alive: number[] = [];
    for (const r of rows) {
      if (!isQueueName(r.queue)) continue;
      const job = await this.o.queues.get(r.queue).getJob(outboxJobId(r.id));
      if (!job) lost.push(r);
      else if (await job.isCompleted()) finished.push(r.id);
      else alive.push(r.id);
    }
    for (const r of lost) {
      await this.o.queues.get(r.queue as Parameters<Queues['get']>[0]).add(r.name, r.payload, { jobId: outboxJobId(r.id) });
    }
    const now = this.o.now().toISOString();
    await markDone(this.o.db, finished, now);
    // Alive (waiting, delayed, failed) or just re-added: look again after another period.
    await touchRelayed(this.o.db, [...alive, ...lost.map((r) => r.id)], now);
    if (lost.length) this.o.log.warn({ count: lost.length }, 'outbox relay: jobs lost by Redis were relayed again');
    this.redelivered += lost.length;
    return lost.length;
  }

  private async run(): Promise<void> {
    let delay = this.o.pollMs;
    while (!this.stopped) {
      try {
        if (Date.now() - this.lastSweep > this.o.redeliverMs / 2) {
          this.lastSweep = Date.now();
          await this.sweepOnce();
        }
        const moved = await this.relayOnce();
        if (this.failing) this.o.log.info('outbox relay: Redis reachable again, relaying');
        this.failing = false;
        delay = this.o.pollMs;
        if (moved > 0) continue; // drain without sleeping
      } catch (err) {
        if (!this.failing) this.o.log.warn({ err: (err as Error).message }, 'outbox relay: cannot reach Redis; jobs wait in the outbox');
        this.failing = true;
        delay = Math.min(Math.max(delay * 2, 250), 2000);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
