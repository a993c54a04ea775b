// Starts every queue's BullMQ worker in this process (and the lifecycle schedule); closes them
// gracefully: running jobs finish (or are handed back when the deadline passes).
import { Worker, type Job, type Processor } from 'bullmq';
import { markDone } from '../src/db/outbox.repo';
import { httpDirectory } from '../src/http/directory';
import { createMailer } from '../src/mail/mailer';
import { createWorkerRedis } from '../src/queue/connection';
import { outboxRowOf, type QueueName } from '../src/queue/jobs';
import type { Runtime } from '../src/runtime';
import type { WorkerDeps } from './deps';
import { invitationsProcessor } from './invitations';
import { lifecycleProcessor } from './lifecycle';
import { notificationsProcessor } from './notifications';
import { recoveryProcessor } from './recovery';
import { regionValidationProcessor } from './region-validation';
import { signinProcessor } from './signin';
import { webhooksProcessor } from './webhooks';

export interface WorkerSet {
  names: QueueName[];
  workers: Worker[];
  close(): Promise<void>;
}

/** How long finished jobs wait to have their outbox rows marked done together. */
const DONE_FLUSH_MS = 100;

const CONCURRENCY: Record<QueueName, number> = {
  invitations: 16,
  recovery: 4,
  'region-validation': 4,
  lifecycle: 1,
  signin: 4,
  notifications: 4,
  webhooks: 16,
};

export async function startWorkers(rt: Runtime): Promise<WorkerSet> {
  const mailer = createMailer({ smtpUrl: rt.config.smtpUrl, from: rt.config.mailFrom, dataDir: rt.config.dataDir, log: rt.log });
  const deps: WorkerDeps = {
    db: rt.db,
    log: rt.log.child({ component: 'workers' }),
    now: rt.now,
    secret: rt.secret,
    publicUrl: rt.config.publicUrl,
    mailer,
    metrics: rt.metrics,
    leaseMs: rt.config.mailClaimLeaseMs,
    webhooks: {
      baseMs: rt.config.webhooks.retryBaseMs,
      windowMs: rt.config.webhooks.retryWindowMs,
      timeoutMs: rt.config.webhooks.timeoutMs,
      allowPrivate: rt.config.webhooks.allowPrivate,
    },
    scimErrorMinRequests: rt.config.scimErrorMinRequests,
    remoteDirectory: Object.keys(rt.config.regionDirectory).length ? httpDirectory(rt.config.regionDirectory, rt.config.directoryToken) : undefined,
  };
  const processors: Record<QueueName, Processor> = {
    invitations: invitationsProcessor(deps) as Processor,
    recovery: recoveryProcessor(deps) as Processor,
    'region-validation': regionValidationProcessor(deps) as Processor,
    lifecycle: lifecycleProcessor(deps) as Processor,
    signin: signinProcessor(deps) as Processor,
    notifications: notificationsProcessor(deps) as Processor,
    webhooks: webhooksProcessor(deps) as Processor,
  };
  const connection = createWorkerRedis(rt.redisUrl);
  connection.on('error', () => undefined); // reconnects on its own; readiness reports it
  const workers: Worker[] = [];
  // A finished job marks its outbox row done, so the relay's redelivery check leaves it alone.
  // Rows are marked in batches (one write per DONE_FLUSH_MS, not one per job): a row left unmarked
  // by a crash is only looked at again by the relay, which finds its job completed in BullMQ.
  let doneRows: number[] = [];
  let doneTimer: NodeJS.Timeout | undefined;
  const flushDone = async (): Promise<void> => {
    clearTimeout(doneTimer);
    doneTimer = undefined;
    const rows = doneRows;
    doneRows = [];
    if (!rows.length) return;
    await markDone(rt.db, rows, rt.now().toISOString()).catch((err: Error) =>
      deps.log.warn({ err: err.message, rows: rows.length }, 'could not mark outbox rows done; the relay will check them'),
    );
  };
  const reporting =
    (p: Processor): Processor =>
    async (job: Job) => {
      // In `mspbridge start` the HTTP requests of this process go first (see RequestLoad).
      await rt.load.turn();
      const result = await p(job);
      const row = outboxRowOf(job.id);
      if (row !== undefined) {
        doneRows.push(row);
        if (doneRows.length >= 200) void flushDone();
        else doneTimer ??= setTimeout(() => void flushDone(), DONE_FLUSH_MS);
      }
      return result;
    };
  for (const [name, processor] of Object.entries(processors) as Array<[QueueName, Processor]>) {
    const w = new Worker(name, reporting(processor), {
      connection,
      prefix: rt.config.queuePrefix,
      concurrency: CONCURRENCY[name],
      lockDuration: rt.config.workerLockMs,
      stalledInterval: Math.max(1000, Math.round(rt.config.workerLockMs / 2)),
      maxStalledCount: 3,
    });
    w.on('failed', (job, err) => deps.log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    w.on('error', (err) => deps.log.warn({ queue: name, err: err.message }, 'worker error'));
    workers.push(w);
  }
  // One repeatable tick for the whole deployment, however many workers run it (retried until
  // Redis answers, if it is down at start).
  let scheduleTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = async (): Promise<void> => {
    if (closed) return;
    try {
      const lifecycle = rt.queues.get('lifecycle');
      const opts = { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
      await lifecycle.upsertJobScheduler('lifecycle-tick', { every: rt.config.lifecycleIntervalMs }, { name: 'tick', data: {}, opts });
      await lifecycle.upsertJobScheduler('usage-snapshot', { every: rt.config.usageSnapshotIntervalMs }, { name: 'usage-snapshot', data: {}, opts });
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'could not schedule the lifecycle jobs yet; retrying');
    }
    // Upserted again now and then: a Redis restart without persistence forgets schedules.
    if (!closed) {
      scheduleTimer = setTimeout(() => void schedule(), 60_000);
      scheduleTimer.unref();
    }
  };
  await schedule();
  deps.log.info({ queues: Object.keys(processors), mail: mailer.describe() }, 'workers started');
  if (deps.webhooks.allowPrivate) deps.log.warn('WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses (meant for tests)');
  return {
    names: Object.keys(processors) as QueueName[],
    workers,
    async close() {
      closed = true;
      clearTimeout(scheduleTimer);
      // Worker.close() waits for running jobs; the runtime's shutdown deadline bounds it.
      await Promise.allSettled(workers.map((w) => w.close()));
      await flushDone();
      connection.disconnect();
      mailer.close();
    },
  };
}
