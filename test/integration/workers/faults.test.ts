// Nothing lost, nothing twice: 1,000 pushed users give exactly 1,000 invitation emails even when
// Redis stops in the middle of the push, and when a worker process is killed mid-batch.
import { ChildProcess, spawn } from 'node:child_process';
import { OutboxRelay } from '../../../src/queue/outbox-relay';
import { findRedisServer, startPrivateRedis } from '../../../src/queue/privateRedis';
import { startStack, startTestApp, testEnv, type TestApp } from '../../helpers/app';
import { BIN, ROOT } from '../../helpers/cli';
import { scimAccount, userBody, type ScimClient } from '../../helpers/scim';
import { startSmtp, type TestSmtp } from '../../helpers/smtp';

const redisBinary = findRedisServer();
if (!redisBinary) throw new Error('redis-server is needed for the fault tests (apt-get install redis-server)');

async function pushUsers(c: ScimClient, prefix: string, n: number, onProgress?: (done: number) => Promise<void> | void): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await c.req('POST', '/Users', userBody(`${prefix}${i}@faults.example`));
      statuses.push(r.status);
      await onProgress?.(statuses.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return statuses;
}

function exactlyOnce(smtp: TestSmtp, prefix: string, n: number): void {
  const mine = smtp.mails.filter((m) => m.to.some((t) => t.startsWith(prefix)));
  const recipients = new Set(mine.flatMap((m) => m.to));
  expect({ emails: mine.length, recipients: recipients.size }).toEqual({ emails: n, recipients: n });
}

describe('faults: Redis stopped mid-push [sqlite]', () => {
  it('answers every SCIM request 2xx and sends exactly 1,000 invitations once Redis is back', async () => {
    const redis = await startPrivateRedis(redisBinary);
    const smtp = await startSmtp();
    const app = await startStack('sqlite', { smtpUrl: smtp.url, env: { REDIS_URL: redis.url, OUTBOX_REDELIVER_MS: '2000' } });
    let restarted: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
    try {
      const c = await scimAccount(app.rt.db, app.url, { name: 'Redis Down Co' });
      let stopped = false;
      const statuses = await pushUsers(c, 'rd', 1000, async (done) => {
        if (done === 300 && !stopped) {
          stopped = true;
          await redis.stop();
          // Redis comes back (empty: it keeps nothing on disk) while the push goes on.
          setTimeout(() => {
            void startPrivateRedis(redisBinary, redis.port).then((r) => (restarted = r));
          }, 1500);
        }
      });
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      await smtp.waitFor(1000, 90_000);
      await new Promise((r) => setTimeout(r, 1500));
      exactlyOnce(smtp, 'rd', 1000);
      expect(app.relay.redelivered).toBeGreaterThanOrEqual(0);
    } finally {
      await app.close();
      await restarted?.stop();
      await redis.stop();
      await smtp.close();
    }
  }, 150_000);
});

describe('faults: a worker process killed mid-batch [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await app?.close();
    await smtp?.close();
  });

  it('loses no email and sends none twice when the worker is SIGKILLed and another takes over', async () => {
    smtp = await startSmtp();
    const { env } = testEnv('sqlite');
    // The app (SCIM + relay, no workers) and separate `mspbridge worker` processes share the database and Redis.
    app = await startTestApp('sqlite', { env: { ...env, SMTP_URL: smtp.url } });
    const relay = new OutboxRelay({ db: app.rt.db, queues: app.rt.queues, log: app.rt.log, now: app.rt.now, pollMs: 50, redeliverMs: 5000 });
    relay.start();
    const workerEnv = {
      ...env,
      DATABASE_URL: app.rt.config.databaseUrl,
      QUEUE_PREFIX: app.rt.config.queuePrefix,
      PUBLIC_URL: app.url,
      SMTP_URL: smtp.url,
      WORKER_LOCK_MS: '3000',
      MAIL_CLAIM_LEASE_MS: '3000',
      LOG_LEVEL: 'warn',
      SECRET_KEY: 'k'.repeat(40),
    };
    const startWorker = () => {
      const ch = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...workerEnv }, stdio: 'ignore' });
      children.push(ch);
      return ch;
    };
    try {
      const c = await scimAccount(app.rt.db, app.url, { name: 'Kill Co' });
      const first = startWorker();
      const push = pushUsers(c, 'kw', 600);
      await smtp.waitFor(120, 60_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const killedAt = smtp.mails.length;
      expect((await push).filter((s) => s !== 201)).toEqual([]);
      startWorker();
      await smtp.waitFor(600, 120_000);
      await new Promise((r) => setTimeout(r, 4000)); // room for a duplicate to show up
      exactlyOnce(smtp, 'kw', 600);
      expect(killedAt).toBeLessThan(600);
    } finally {
      await relay.stop();
    }
  }, 200_000);
});
