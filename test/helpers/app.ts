// Starts the real app for a test: its own database (SQLite file or PostgreSQL schema), real Redis
// with a random queue prefix, listening on 127.0.0.1 port 0.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { migrateLatest } from '../../src/db/knex';
import { createLogger } from '../../src/logger';
import { OutboxRelay } from '../../src/queue/outbox-relay';
import { applyConfiguration, createRuntime, type Runtime } from '../../src/runtime';
import { startWorkers } from '../../workers';
import { type Dialect, testDbUrl } from './db';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  rt: Runtime;
  url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  now?: () => Date;
  /** Hook to start extra parts (workers) before the app listens. */
  beforeListen?: (rt: Runtime) => Promise<() => Promise<void>>;
  /** A fixed port (e.g. one an OIDC client's redirect URI names); 0 by default. */
  port?: number;
}

/** A fresh database and data folder for one test app; `drop` removes both (nothing left in the temp directory). */
export function testEnv(dialect: Dialect, extra: Record<string, string> = {}): { env: Record<string, string>; drop: () => Promise<void> } {
  const db = testDbUrl(dialect);
  const dataDir = extra.DATA_DIR ?? path.join(os.tmpdir(), `mspbridge-data-${crypto.randomBytes(5).toString('hex')}`);
  return {
    drop: async () => {
      await db.drop();
      if (!extra.DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
    },
    env: {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: `test-${crypto.randomBytes(5).toString('hex')}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATA_DIR: dataDir,
      PORT: '0',
      NODE_ENV: 'test',
      ...extra,
    },
  };
}

export async function startTestApp(dialect: Dialect, options: TestAppOptions = {}): Promise<TestApp> {
  // Listen first so PUBLIC_URL (links in emails, SCIM locations) names the real port.
  const server = http.createServer();
  // As in production (cli/server.ts): longer than a client's idle keep-alive, so a request sent
  // on a reused connection never meets a server that just closed it (ECONNRESET after a slow step).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const { env, drop } = testEnv(dialect, { PUBLIC_URL: url, ...options.env });
  const config = loadConfig(env);
  const rt = createRuntime(config, { log: createLogger(config.logLevel), now: options.now });
  await migrateLatest(rt.db);
  await applyConfiguration(rt);
  const stopExtra = options.beforeListen ? await options.beforeListen(rt) : async () => undefined;
  server.on('request', buildApp(rt));
  return {
    rt,
    url,
    close: async () => {
      await stopExtra();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rt.close();
      await drop();
    },
  };
}

/** The app plus everything `mspbridge start` runs in-process: the outbox relay and the workers. */
export async function startStack(dialect: Dialect, options: TestAppOptions & { smtpUrl: string }): Promise<TestApp & { relay: OutboxRelay }> {
  let relay: OutboxRelay | undefined;
  const app = await startTestApp(dialect, {
    ...options,
    env: { SMTP_URL: options.smtpUrl, OUTBOX_POLL_MS: '50', LIFECYCLE_INTERVAL_MS: '3600000', ...options.env },
    beforeListen: async (rt) => {
      relay = new OutboxRelay({
        db: rt.db,
        queues: rt.queues,
        log: rt.log,
        now: rt.now,
        pollMs: rt.config.outboxPollMs,
        redeliverMs: rt.config.outboxRedeliverMs,
      });
      relay.start();
      const workers = await startWorkers(rt);
      const extra = options.beforeListen ? await options.beforeListen(rt) : async () => undefined;
      return async () => {
        await extra();
        await relay!.stop();
        await workers.close();
      };
    },
  });
  return { ...app, relay: relay! };
}

export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
