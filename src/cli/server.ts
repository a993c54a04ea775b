// `mspbridge start | serve | worker | migrate`: the long-running processes and migrations.
import http from 'node:http';
import type { Command } from 'commander';
import { startWorkers } from '../../workers';
import { buildApp } from '../app';
import { loadConfig } from '../config';
import { type Db, migrateLatest, openDb, pendingMigrations } from '../db/knex';
import { createLogger } from '../logger';
import { redisAnswers, DEFAULT_REDIS_URL } from '../queue/connection';
import { findRedisServer, INSTALL_REDIS_HINT, startPrivateRedis, type PrivateRedis } from '../queue/privateRedis';
import { OutboxRelay } from '../queue/outbox-relay';
import { applyConfiguration, createRuntime } from '../runtime';
import { action } from './action';
import { CliError, printResult } from './output';

type Mode = 'start' | 'serve' | 'worker';

/** Rolls back the most recent batch (or every batch), newest first; the names rolled back. */
async function migrateDown(db: Db, all: boolean): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(undefined, all)) as [number, string[]];
  return rolledBack;
}

async function runProcess(mode: Mode): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = openDb({ url: config.databaseUrl, poolMax: 1 });
  try {
    if (mode === 'start') {
      const applied = await migrateLatest(db);
      if (applied.length) log.info({ applied }, 'migrations applied');
    } else {
      const pending = await pendingMigrations(db);
      if (pending.length) throw new CliError(`database has ${pending.length} pending migration(s): run "mspbridge migrate" first`);
    }
  } finally {
    await db.destroy();
  }

  let privateRedis: PrivateRedis | undefined;
  let redisUrl = config.redisUrl;
  if (!redisUrl && mode === 'start' && !(await redisAnswers(DEFAULT_REDIS_URL))) {
    const binary = findRedisServer();
    if (!binary) throw new CliError(INSTALL_REDIS_HINT);
    privateRedis = await startPrivateRedis(binary);
    redisUrl = privateRedis.url;
    log.info({ redis: redisUrl }, 'started a private redis-server (nothing kept on disk)');
  }

  const rt = createRuntime(config, {
    log,
    redisUrl,
    privateRedis: Boolean(privateRedis),
    afterClose: privateRedis ? () => privateRedis!.stop() : undefined,
  });
  await applyConfiguration(rt);

  // Every process relays the outbox (several relays are safe: the job id is the row id).
  const relay = new OutboxRelay({
    db: rt.db,
    queues: rt.queues,
    log: rt.log.child({ component: 'relay' }),
    now: rt.now,
    pollMs: config.outboxPollMs,
    redeliverMs: config.outboxRedeliverMs,
  });
  relay.start();
  rt.onClose('outbox relay', () => relay.stop());
  if (mode !== 'serve') {
    const workers = await startWorkers(rt);
    rt.onClose('workers', () => workers.close());
  }
  if (mode !== 'worker') {
    const server = http.createServer(buildApp(rt));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info({ port, publicUrl: config.publicUrl, mode }, 'listening');
    process.stdout.write(`mspbridge ${mode}: listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}\n`);
    rt.onClose('http', async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    });
  }

  let signalled = false;
  const stop = (signal: string) => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'shutting down');
    rt.close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerServer(program: Command): void {
  program
    .command('start')
    .description('migrate, then API + SCIM + console + workers in one process')
    .action(action(() => runProcess('start')));
  program
    .command('serve')
    .description('HTTP only (scale-out)')
    .action(action(() => runProcess('serve')));
  program
    .command('worker')
    .description('workers only (scale-out)')
    .action(action(() => runProcess('worker')));
  program
    .command('migrate')
    .description("apply database migrations (--down: roll back; the first migration's down drops every table and its data)")
    .option('--down', 'roll back the most recent batch of migrations instead of applying')
    .option('--all', 'with --down: roll back every applied migration')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { down?: boolean; all?: boolean; json?: boolean }) => {
        if (opts.all && !opts.down) throw new CliError('--all only goes with --down');
        const config = loadConfig();
        const db = openDb({ url: config.databaseUrl, poolMax: 1 });
        try {
          if (opts.down) {
            const rolledBack = await migrateDown(db, opts.all ?? false);
            printResult(opts.json, { rolledBack }, (o) => (o.rolledBack.length ? `Rolled back ${o.rolledBack.join(', ')}.` : 'Nothing to roll back.'));
            return;
          }
          const applied = await migrateLatest(db);
          printResult(opts.json, { applied }, (o) => (o.applied.length ? `Applied ${o.applied.join(', ')}.` : 'Database is up to date.'));
        } finally {
          await db.destroy();
        }
      }),
    );
}
