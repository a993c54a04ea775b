// `mspbridge jobs stats|failed|retry`: the queues as BullMQ sees them (dead-letter view).
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { createCommandRedis, DEFAULT_REDIS_URL } from '../queue/connection';
import { QUEUES, isQueueName, type QueueName } from '../queue/jobs';
import { createQueues, type Queues } from '../queue/queues';
import { action, parseIntOption } from './action';
import { CliError, printResult, table } from './output';

async function withQueues<T>(fn: (q: Queues) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = createCommandRedis(config.redisUrl ?? DEFAULT_REDIS_URL);
  redis.on('error', () => undefined);
  try {
    await redis.connect().catch(() => {
      throw new CliError(`cannot reach Redis at ${config.redisUrl ?? DEFAULT_REDIS_URL}`);
    });
    const queues = createQueues(redis, config.queuePrefix);
    try {
      return await fn(queues);
    } finally {
      await queues.close();
    }
  } finally {
    redis.disconnect();
  }
}

function queueOption(v: string | undefined): QueueName[] {
  if (!v) return [...QUEUES];
  if (!isQueueName(v)) throw new CliError(`--queue must be one of ${QUEUES.join(', ')}`);
  return [v];
}

export function registerJobs(program: Command): void {
  const cmd = program.command('jobs').description('background jobs (BullMQ)');
  cmd
    .command('stats')
    .description('jobs per queue and state')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const counts = await withQueues((q) => q.counts());
        printResult(opts.json, counts, (c) =>
          table(
            ['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'FAILED', 'COMPLETED'],
            Object.entries(c).map(([name, n]) => [name, n.waiting, n.active, n.delayed, n.failed, n.completed]),
          ),
        );
      }),
    );
  cmd
    .command('failed')
    .description('jobs that failed for good (after their retries)')
    .option('--queue <name>', `one of ${QUEUES.join(', ')}`)
    .option('--limit <n>', 'at most this many per queue', parseIntOption('--limit'))
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { queue?: string; limit?: number; json?: boolean }) => {
        const names = queueOption(opts.queue);
        const rows = await withQueues(async (q) => {
          const out: Array<{ queue: string; id: string; name: string; failedReason: string; attemptsMade: number; finishedOn: string | null; data: unknown }> =
            [];
          for (const name of names) {
            for (const job of await q.get(name).getFailed(0, (opts.limit ?? 50) - 1)) {
              out.push({
                queue: name,
                id: String(job.id),
                name: job.name,
                failedReason: job.failedReason,
                attemptsMade: job.attemptsMade,
                finishedOn: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
                data: job.data,
              });
            }
          }
          return out;
        });
        printResult(opts.json, rows, (rs) =>
          rs.length
            ? table(
                ['QUEUE', 'ID', 'NAME', 'ATTEMPTS', 'FAILED AT', 'REASON'],
                rs.map((r) => [r.queue, r.id, r.name, r.attemptsMade, r.finishedOn, r.failedReason]),
              )
            : 'No failed jobs.',
        );
      }),
    );
  cmd
    .command('retry')
    .description('retry one failed job')
    .requiredOption('--queue <name>', `one of ${QUEUES.join(', ')}`)
    .requiredOption('--id <id>', 'job id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { queue: string; id: string; json?: boolean }) => {
        const [name] = queueOption(opts.queue);
        await withQueues(async (q) => {
          const job = await q.get(name!).getJob(opts.id);
          if (!job) throw new CliError(`no job ${opts.id} in ${name}`);
          if (!(await job.isFailed())) throw new CliError(`job ${opts.id} has not failed`);
          await job.retry('failed');
        });
        printResult(opts.json, { queue: name, id: opts.id, retried: true }, () => `Job ${opts.id} queued again.`);
      }),
    );
}
