// `mspbridge worker` on SIGTERM: running jobs finish (their emails go out once), then it exits 0;
// failed jobs show in `jobs failed` and `jobs retry` runs one again.
import { spawn } from 'node:child_process';
import { inviteByEmail } from '../../../src/domain/invitations';
import { OutboxRelay } from '../../../src/queue/outbox-relay';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { BIN, ROOT, cliJson } from '../../helpers/cli';
import { scimAccount } from '../../helpers/scim';
import { startSmtp, type TestSmtp } from '../../helpers/smtp';

describe('worker shutdown and the failed-jobs view [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  let relay: OutboxRelay;
  let env: Record<string, string>;
  let accountId: string;

  beforeAll(async () => {
    smtp = await startSmtp({ dataDelayMs: 1500 });
    app = await startTestApp('sqlite', { env: { SMTP_URL: smtp.url } });
    relay = new OutboxRelay({ db: app.rt.db, queues: app.rt.queues, log: app.rt.log, now: app.rt.now, pollMs: 50, redeliverMs: 60_000 });
    relay.start();
    accountId = (await scimAccount(app.rt.db, app.url, { name: 'Shutdown Co' })).accountId;
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: app.rt.config.databaseUrl,
      REDIS_URL: app.rt.redisUrl,
      QUEUE_PREFIX: app.rt.config.queuePrefix,
      PUBLIC_URL: app.url,
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'warn',
      DATA_DIR: app.rt.config.dataDir,
    };
  });
  afterAll(async () => {
    await relay.stop();
    await app.close();
    await smtp.close();
  });

  it('finishes the email in flight on SIGTERM and exits 0', async () => {
    const worker = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId, email: 'inflight@shutdown.example' }));
    const until = Date.now() + 20_000;
    while (smtp.started() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(smtp.started()).toBe(1);
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(smtp.mails.map((m) => m.to[0])).toEqual(['inflight@shutdown.example']);
    const delivery = await app.rt.db('email_deliveries').where({ recipient: 'inflight@shutdown.example' }).first();
    expect(delivery.status).toBe('sent');
  });

  it('lists a permanently failed job and retries it on request', async () => {
    smtp.reject.add('nobody@shutdown.example');
    const worker = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env, stdio: 'ignore' });
    try {
      await asOp(app.rt.db, (ctx) => inviteByEmail(ctx, { accountId, email: 'nobody@shutdown.example' }));
      let failed: Array<{ queue: string; id: string; failedReason: string }> = [];
      const until = Date.now() + 20_000;
      while (!failed.length && Date.now() < until) {
        failed = cliJson(['jobs', 'failed', '--queue', 'invitations'], env);
        if (!failed.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(failed).toEqual([expect.objectContaining({ queue: 'invitations', failedReason: expect.stringMatching(/550/) })]);
      const stats = cliJson<Record<string, { failed: number }>>(['jobs', 'stats'], env);
      expect(stats.invitations!.failed).toBe(1);
      smtp.reject.delete('nobody@shutdown.example');
      expect(cliJson(['jobs', 'retry', '--queue', 'invitations', '--id', failed[0]!.id], env)).toMatchObject({ retried: true });
      const until2 = Date.now() + 20_000;
      while (!smtp.mails.some((m) => m.to.includes('nobody@shutdown.example')) && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
      expect(smtp.mails.filter((m) => m.to.includes('nobody@shutdown.example'))).toHaveLength(1);
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
