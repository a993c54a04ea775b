// Nothing lost, nothing sent twice, with real processes: Redis stopped during a push of 2,000
// users; a worker SIGKILLed mid-batch; an API process SIGKILLed in the middle of a Bulk request.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { findRedisServer, startPrivateRedis } from '../../src/queue/privateRedis';
import { asOp } from '../helpers/ctx';
import { REDIS_URL } from '../helpers/app';
import { scimClientFor, userBody, type ScimClient } from '../helpers/scim';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { type Proc, pool, record, spawnMode, tally } from './harness';

const redisBinary = findRedisServer()!;

async function setup(extra: Record<string, string> = {}) {
  const smtp = await startSmtp();
  const file = path.join(os.tmpdir(), `mspbridge-faults-${crypto.randomBytes(4).toString('hex')}.sqlite`);
  const env: Record<string, string> = {
    DATABASE_URL: `sqlite:${file}`,
    REDIS_URL,
    QUEUE_PREFIX: `faults-${crypto.randomBytes(4).toString('hex')}`,
    SMTP_URL: smtp.url,
    SECRET_KEY: 'faults-secret-key-0123456789-abcdefghij',
    OUTBOX_REDELIVER_MS: '3000',
    WORKER_LOCK_MS: '3000',
    MAIL_CLAIM_LEASE_MS: '3000',
    SCIM_RATE_PER_TOKEN: '100000',
    DATA_DIR: path.join(os.tmpdir(), 'mspbridge-faults-data'),
    ...extra,
  };
  const db = openDb({ url: env.DATABASE_URL! });
  await migrateLatest(db);
  const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Faults MSP', region: 'eu', ownerEmail: 'o@faults.example' }, ['eu']));
  const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Faults Co', country: 'DE', seats: 100_000 }));
  const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
  return { smtp, env, db, companyId: company.id, token };
}

function exactlyOnce(smtp: TestSmtp, prefix: string): { emails: number; recipients: number } {
  const mine = smtp.mails.filter((m) => m.to.some((t) => t.startsWith(prefix)));
  return { emails: mine.length, recipients: new Set(mine.flatMap((m) => m.to)).size };
}

describe('delivery under faults', () => {
  const procs: Proc[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
  });

  it('keeps answering while Redis is down in the middle of 2,000 pushes, then sends exactly 2,000 invitations', async () => {
    const redis = await startPrivateRedis(redisBinary);
    const { smtp, env, db, token, companyId } = await setup({ REDIS_URL: redis.url });
    let restarted: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
    try {
      const serve = await spawnMode('serve', { ...env, PUBLIC_URL: 'http://127.0.0.1' });
      procs.push(serve, await spawnMode('worker', env));
      const c: ScimClient = scimClientFor(serve.url!, token, companyId);
      let stoppedAt = 0;
      let downFor = 0;
      const started = Date.now();
      const statuses = await pool(2000, 16, async (i) => {
        if (i === 600 && !stoppedAt) {
          stoppedAt = Date.now();
          await redis.stop();
          setTimeout(() => {
            void startPrivateRedis(redisBinary, redis.port).then((r) => {
              restarted = r;
              downFor = Date.now() - stoppedAt;
            });
          }, 3000);
        }
        return (await c.req('POST', '/Users', userBody(`rd${i}@faults.example`))).status;
      });
      const pushMs = Date.now() - started;
      const retryable = statuses.filter((s) => s === 503 || s === 429).length;
      expect(statuses.filter((s) => s !== 201 && s !== 503 && s !== 429)).toEqual([]);
      // An IdP retries what was answered 503/429.
      for (const [i, s] of statuses.entries()) if (s !== 201) expect((await c.req('POST', '/Users', userBody(`rd${i}@faults.example`))).status).toBe(201);
      await smtp.waitFor(2000, 180_000);
      await new Promise((r) => setTimeout(r, 4000));
      const got = exactlyOnce(smtp, 'rd');
      expect(got).toEqual({ emails: 2000, recipients: 2000 });
      record({
        scenario: 'Redis stopped during a push of 2,000 users',
        injected: `redis-server shut down after request 600 (${new Date(stoppedAt).toISOString()}), restarted empty (no persistence) ~${Math.round(downFor / 1000)} s later`,
        checked: ['every SCIM request answered 2xx or a retryable 503/429', 'after Redis returned: exactly 2,000 invitation emails, one per person'],
        figures: {
          requests: 2000,
          '201': statuses.filter((s) => s === 201).length,
          retryable,
          '5xx other': 0,
          pushSeconds: Math.round(pushMs / 100) / 10,
          emails: got.emails,
          distinctRecipients: got.recipients,
          redisDownSeconds: Math.round(downFor / 100) / 10,
        },
        command: 'npm run test:faults -- -t "Redis is down"',
      });
    } finally {
      await restarted?.stop();
      await redis.stop();
      await db.destroy();
      await smtp.close();
    }
  });

  it('loses and duplicates nothing when a worker is SIGKILLed mid-batch and another takes over', async () => {
    const { smtp, env, db, token, companyId } = await setup();
    try {
      const serve = await spawnMode('serve', { ...env, PUBLIC_URL: 'http://127.0.0.1' });
      const w1 = await spawnMode('worker', env);
      const w2 = await spawnMode('worker', env);
      procs.push(serve, w1, w2);
      const c = scimClientFor(serve.url!, token, companyId);
      const push = pool(1500, 8, async (i) => (await c.req('POST', '/Users', userBody(`kw${i}@faults.example`))).status);
      await smtp.waitFor(300, 60_000);
      const killedAfter = smtp.mails.length;
      w1.child.kill('SIGKILL');
      const statuses = await push;
      expect(tally(statuses)).toEqual({ '201': 1500 });
      await smtp.waitFor(1500, 120_000).catch(async (err: Error) => {
        // Say which people are missing and what the database knows of their email.
        const received = new Set(smtp.mails.flatMap((m) => m.to));
        const missing = Array.from({ length: 1500 }, (_, i) => `kw${i}@faults.example`).filter((r) => !received.has(r));
        const rows = await db('email_deliveries').whereIn('recipient', missing.slice(0, 10));
        const outbox = await db('outbox').whereNull('done_at').count({ n: '*' });
        throw new Error(
          `${err.message}; missing ${JSON.stringify(missing.slice(0, 10))}; their deliveries ${JSON.stringify(rows)}; outbox rows not done ${JSON.stringify(outbox)}; killed after ${killedAfter}\n${w1.output().slice(-1500)}\n${w2.output().slice(-1500)}`,
        );
      });
      await new Promise((r) => setTimeout(r, 5000));
      const got = exactlyOnce(smtp, 'kw');
      expect(got).toEqual({ emails: 1500, recipients: 1500 });
      const deliveries = await db('email_deliveries').where({ status: 'sent' }).count({ n: '*' });
      expect(Number(deliveries[0]!.n)).toBe(1500);
      record({
        scenario: 'A worker SIGKILLed mid-batch',
        injected: `two worker processes; one got SIGKILL after ${killedAfter} emails`,
        checked: [
          'the other worker picks up the killed worker’s jobs (stalled-job recovery)',
          'every invitation email exactly once',
          'one "sent" delivery marker per email',
        ],
        figures: { users: 1500, emailsBeforeKill: killedAfter, emails: got.emails, distinctRecipients: got.recipients, sentMarkers: Number(deliveries[0]!.n) },
        command: 'npm run test:faults -- -t "worker is SIGKILLed"',
      });
    } finally {
      await db.destroy();
      await smtp.close();
    }
  });

  it('stays consistent when the API process is SIGKILLed in the middle of a Bulk, and the IdP’s retry succeeds', async () => {
    const { smtp, env, db, token, companyId } = await setup();
    try {
      const worker = await spawnMode('worker', env);
      let serve = await spawnMode('serve', { ...env, PUBLIC_URL: 'http://127.0.0.1' });
      procs.push(worker);
      const ops = Array.from({ length: 400 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: userBody(`bk${i}@faults.example`) }));
      const bulk = { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops };
      const first = scimClientFor(serve.url!, token, companyId)
        .req('POST', '/Bulk', bulk)
        .catch((e: Error) => ({ status: 0, error: e.message }));
      // Kill it once part of the Bulk is in.
      const until = Date.now() + 30_000;
      while (Number((await db('members').where({ account_id: companyId }).count({ n: '*' }))[0]!.n) < 100 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      serve.child.kill('SIGKILL');
      await serve.stop('SIGKILL');
      const firstReply = await first;
      const afterKill = Number((await db('members').where({ account_id: companyId }).count({ n: '*' }))[0]!.n);
      expect(afterKill).toBeGreaterThan(0);
      expect(afterKill).toBeLessThan(400);
      // Consistent: every person written has exactly one invitation and one outbox job.
      const orphans = await db('members as m')
        .leftJoin('invitations as i', 'i.member_id', 'm.id')
        .where('m.account_id', companyId)
        .whereNull('i.id')
        .count({ n: '*' });
      expect(Number(orphans[0]!.n)).toBe(0);
      serve = await spawnMode('serve', { ...env, PUBLIC_URL: 'http://127.0.0.1' });
      procs.push(serve);
      const retry = await scimClientFor(serve.url!, token, companyId).req<{ Operations: Array<{ status: string; response?: { scimType?: string } }> }>(
        'POST',
        '/Bulk',
        bulk,
      );
      expect(retry.status).toBe(200);
      const outcome = tally(retry.body.Operations.map((o) => Number(o.status)));
      expect(outcome['201']! + (outcome['409'] ?? 0)).toBe(400);
      expect(retry.body.Operations.filter((o) => o.status === '409').every((o) => o.response?.scimType === 'uniqueness')).toBe(true);
      expect(Number((await db('members').where({ account_id: companyId }).count({ n: '*' }))[0]!.n)).toBe(400);
      await smtp.waitFor(400, 60_000);
      await new Promise((r) => setTimeout(r, 3000));
      const got = exactlyOnce(smtp, 'bk');
      expect(got).toEqual({ emails: 400, recipients: 400 });
      record({
        scenario: 'The API process SIGKILLed mid-Bulk',
        injected: `serve process SIGKILLed after ${afterKill} of 400 Bulk operations were applied (the IdP saw ${'status' in firstReply ? `status ${firstReply.status}` : 'a dropped connection'})`,
        checked: [
          'each applied operation complete (user + invitation + outbox + audit in one transaction)',
          'the IdP’s retry of the same Bulk: the rest 201, the applied ones 409 uniqueness',
          'exactly 400 users and 400 emails',
        ],
        figures: {
          operations: 400,
          appliedBeforeKill: afterKill,
          retry201: outcome['201'] ?? 0,
          retry409: outcome['409'] ?? 0,
          users: 400,
          emails: got.emails,
        },
        command: 'npm run test:faults -- -t "mid-Bulk"',
      });
    } finally {
      await db.destroy();
      await smtp.close();
    }
  });
});
