// Opens and closes what a process needs (knex, Redis, metrics, logger) and shuts down in one place.
import type { Redis } from 'ioredis';
import type { Config } from './config';
import { type Db, keepStatistics, openDb } from './db/knex';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { createCommandRedis, DEFAULT_REDIS_URL } from './queue/connection';
import { CredentialChanges, credentialChannel } from './queue/credentialChanges';
import { changeFeedOf } from './db/changeFeed';
import { createQueues, type Queues } from './queue/queues';
import { RequestLoad } from './requestLoad';
import { resolveSecretKey } from './secretKey';
import { applyConfiguredOperators } from './domain/operators';
import { system } from './domain/principal';
import { unitOfWork } from './db/unitOfWork';

export interface Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly metrics: Metrics;
  /** Command connection: producers, readiness, rate limits. */
  readonly redis: Redis;
  readonly redisUrl: string;
  /** BullMQ producers (the outbox relay and the jobs view use them). */
  readonly queues: Queues;
  /** The deployment secret (derived link tokens, sessions). */
  readonly secret: Buffer;
  /** Revoked or rotated credentials, announced to and heard from every process (SCIM's auth cache listens). */
  readonly credentialChanges: CredentialChanges;
  /** HTTP requests in flight in this process; workers in the same process yield to them. */
  readonly load: RequestLoad;
  /** The clock every request and job reads (tests move it). */
  now(): Date;
  /** Registers a closer; closers run in reverse order of registration at shutdown. */
  onClose(name: string, fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log?: Logger;
  redisUrl?: string;
  now?: () => Date;
  /** Redis is a private redis-server of this process (no other process can reach it). */
  privateRedis?: boolean;
  /** Runs after everything else is closed (e.g. stopping a private redis-server). */
  afterClose?: () => Promise<void>;
}

export function createRuntime(config: Config, options: RuntimeOptions = {}): Runtime {
  const log = options.log ?? createLogger(config.logLevel);
  const db = openDb({ url: config.databaseUrl, poolMax: config.databasePoolMax });
  const redisUrl = options.redisUrl ?? config.redisUrl ?? DEFAULT_REDIS_URL;
  const redis = createCommandRedis(redisUrl);
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) log.warn({ err: err.message }, 'redis unavailable');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) log.info('redis reachable again');
    redisDown = false;
  });
  redis.connect().catch(() => undefined);
  const queues = createQueues(redis, config.queuePrefix);
  const credentialChanges = new CredentialChanges(redis, redisUrl, credentialChannel(config.queuePrefix), log, !options.privateRedis);
  changeFeedOf(db).onCredentials((accountId) => credentialChanges.announce(accountId));
  // Closed last of all closers (they run in reverse): announcements of the final writes still go out.
  const closers: Array<{ name: string; fn: () => Promise<void> | void }> = [
    { name: 'credential changes', fn: () => credentialChanges.close() },
    { name: 'queues', fn: () => queues.close() },
  ];
  let closing: Promise<void> | undefined;

  const runtime: Runtime = {
    config,
    log,
    db,
    metrics: createMetrics(),
    redis,
    redisUrl,
    queues,
    credentialChanges,
    secret: resolveSecretKey(config),
    load: new RequestLoad(config.workerYieldRate),
    now: options.now ?? (() => new Date()),
    onClose(name, fn) {
      closers.push({ name, fn });
    },
    close() {
      closing ??= (async () => {
        const deadline = setTimeout(() => {
          log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs);
        deadline.unref();
        for (const { name, fn } of closers.reverse()) {
          try {
            await fn();
          } catch (err) {
            log.error({ err, name }, 'error while closing');
          }
        }
        redis.disconnect();
        await db.destroy();
        await options.afterClose?.().catch((err: Error) => log.error({ err }, 'error after close'));
        clearTimeout(deadline);
      })();
      return closing;
    },
  };
  return runtime;
}

/** What the configuration says about the database's contents (the operators list), applied at start. */
export async function applyConfiguration(rt: Pick<Runtime, 'db' | 'config' | 'now' | 'log' | 'onClose'>): Promise<void> {
  // After migrations (every process that applies its configuration has its schema in place).
  const stop = keepStatistics(rt.db, (err) => rt.log.warn({ err: err.message }, 'pragma optimize failed'));
  rt.onClose('planner statistics', stop);
  await unitOfWork(rt.db, (tx) => applyConfiguredOperators({ tx, actor: system('config'), now: rt.now() }, rt.config.operatorEmails));
}
