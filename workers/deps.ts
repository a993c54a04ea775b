// What every queue's handler gets: the database, mail, the clock, the secret, the region directory.
import type { Db } from '../src/db/knex';
import { unitOfWork } from '../src/db/unitOfWork';
import type { Ctx } from '../src/domain/context';
import { authorizeDeployment } from '../src/domain/policy';
import { system } from '../src/domain/principal';
import type { RegionDirectory } from '../src/domain/regions';
import type { Logger } from '../src/logger';
import type { Mailer } from '../src/mail/mailer';
import type { Metrics } from '../src/metrics';
import type { RetrySchedule } from '../src/domain/webhookSchedule';

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
  /** Webhook retries and timeout; allowPrivate lets hooks reach private addresses (tests). */
  webhooks: RetrySchedule & { allowPrivate: boolean };
  /** The request count below which a failing IdP raises no scim.errors. */
  scimErrorMinRequests: number;
}

/** One transaction acting as the named worker (the policy's `jobs.run`, asked every time). */
export function asWorker<T>(deps: WorkerDeps, label: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return unitOfWork(deps.db, async (tx) => {
    const ctx: Ctx = { tx, actor: system(label), now: deps.now() };
    await authorizeDeployment(ctx, 'jobs.run');
    return fn(ctx);
  });
}
