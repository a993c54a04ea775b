// What every queue's handler gets: the database, mail, the clock, the secret, the region directory.
import type { Db } from '../src/db/knex';
import { requireWork, unitOfWork } from '../src/db/unitOfWork';
import type { Ctx } from '../src/domain/context';
import { authorizeDeployment } from '../src/domain/policy';
import { system } from '../src/domain/principal';
import type { RegionDirectory } from '../src/domain/regions';
import type { Logger } from '../src/logger';
import { reopenDelivery } from '../src/db/deliveries.repo';
import { type Mailer, type OutgoingMail, SendFailedAfterCommit } from '../src/mail/mailer';
import type { Metrics } from '../src/metrics';
import { UnrecoverableError } from 'bullmq';

export interface WorkerDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  secret: Buffer;
  publicUrl: string;
  mailer: Mailer;
  metrics: Metrics;
  /** Send-claim lease (MAIL_CLAIM_LEASE_MS). */
  leaseMs: number;
  /** Other regions' directories (the local database is always asked first). */
  remoteDirectory?: RegionDirectory;
}

/** One transaction acting as the named worker (the policy's `jobs.run`, asked every time). */
export function asWorker<T>(deps: WorkerDeps, label: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return unitOfWork(deps.db, async (tx) => {
    const ctx: Ctx = { tx, actor: system(label), now: deps.now() };
    await authorizeDeployment(ctx, 'jobs.run');
    return fn(ctx);
  });
}

/**
 * The record step of sendMail: marks the email sent in one worker transaction and lets the SMTP
 * message finish the instant that transaction commits (UnitOfWork.afterCommit), so a process killed
 * between "recorded as sent" and "finished at the server" needs to die within one system call.
 */
export function recordSent(deps: WorkerDeps, label: string, mark: (ctx: Ctx, messageId: string) => Promise<unknown>) {
  return (messageId: string, end: () => void): Promise<void> =>
    asWorker(deps, label, async (ctx) => {
      await mark(ctx, messageId);
      requireWork(ctx.tx).afterCommit(end);
    });
}

/** A Message-ID that is the same every time the same logical email is sent. */
export function messageIdFor(key: string, publicUrl: string): string {
  const host = new URL(publicUrl).hostname || 'mspbridge.local';
  return `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@${host}>`;
}

/**
 * Sends one claimed email; `record` marks it sent in the database and runs before the message
 * is finished (see Mailer.send). A permanent SMTP refusal (5xx) fails the job without retries;
 * any failure releases the send claim (and undoes the record) so a retry may send.
 */
export async function sendMail(deps: WorkerDeps, mail: OutgoingMail, kind: string, key: string, record: (messageId: string, end: () => void) => Promise<void>): Promise<void> {
  try {
    await deps.mailer.send(mail, (end) => record(mail.messageId, end));
    deps.metrics.emailsSent.inc({ kind });
  } catch (err) {
    const original = err instanceof SendFailedAfterCommit ? err.original : (err as Error);
    // The server did not take the message (the final "." was never acknowledged): release the
    // claim so the next attempt, or a manual retry, can send at once.
    await unitOfWork(deps.db, (tx) => reopenDelivery(tx, key)).catch(() => undefined);
    const code = (original as { responseCode?: number }).responseCode;
    if (code && code >= 500) throw new UnrecoverableError(`SMTP refused the message permanently (${code}): ${original.message}`);
    throw original;
  }
}

/** Thrown when another worker holds the email's send claim: the job retries after backoff. */
export class ClaimBusy extends Error {
  constructor(key: string) {
    super(`another worker is sending ${key}; retrying later`);
  }
}
