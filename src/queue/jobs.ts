// Queue names and the options every job gets (retries with backoff, bounded retention).
import type { JobsOptions } from 'bullmq';

export const QUEUES = ['invitations', 'recovery', 'region-validation', 'lifecycle', 'signin', 'notifications', 'webhooks'] as const;
export type QueueName = (typeof QUEUES)[number];

export const isQueueName = (s: string): s is QueueName => (QUEUES as readonly string[]).includes(s);

export const JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  // Completed jobs are kept a day so a re-relayed outbox row (same job id) is recognised.
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** The BullMQ job id of an outbox row: BullMQ refuses plain integers as custom ids. */
export const outboxJobId = (rowId: number): string => `outbox-${rowId}`;

/** The outbox row behind a job id, or undefined for jobs not from the outbox (the lifecycle tick). */
export const outboxRowOf = (jobId: string | undefined): number | undefined => {
  const m = /^outbox-(\d+)$/.exec(jobId ?? '');
  return m ? Number(m[1]) : undefined;
};
