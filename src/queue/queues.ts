// Producer-side BullMQ queues, created lazily on the runtime's fail-fast Redis connection.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_OPTIONS, QUEUES, type QueueName } from './jobs';

export interface Queues {
  get(name: QueueName): Queue;
  counts(): Promise<Record<QueueName, Record<string, number>>>;
  close(): Promise<void>;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = new Map<QueueName, Queue>();
  const get = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
      q.on('error', () => undefined); // surfaced by the relay and readiness, not as crashes
      queues.set(name, q);
    }
    return q;
  };
  return {
    get,
    async counts() {
      const out = {} as Record<QueueName, Record<string, number>>;
      for (const name of QUEUES) out[name] = await get(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
      return out;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}
