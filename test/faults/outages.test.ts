// Outages of the things the product stands on, with real processes: PostgreSQL restarted in the
// middle of a 2,000-user push (the IdP sees retryable 503s, never a 500 storm; nothing lost or
// doubled once it is back), and the SMTP server down for two minutes (every email delivered
// exactly once after it returns).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { type Db, migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { REDIS_URL } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { scimClientFor, userBody } from '../helpers/scim';
import { type TestSmtp, startSmtp } from '../helpers/smtp';
import { type Proc, pool, record, spawnMode, tally } from './harness';
import { type PrivatePostgres, startPrivatePostgres } from './privatePostgres';

const SMTP_OUTAGE_MS = Number(process.env.SMTP_OUTAGE_MS ?? 120_000);

async function setup(databaseUrl: string, smtp: TestSmtp) {
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: `outage-${crypto.randomBytes(4).toString('hex')}`,
    SMTP_URL: smtp.url,
    SECRET_KEY: 'outage-secret-key-0123456789-abcdefghij',
    OUTBOX_REDELIVER_MS: '3000',
    WORKER_LOCK_MS: '3000',
    MAIL_CLAIM_LEASE_MS: '3000',
    SCIM_RATE_PER_TOKEN: '100000',
    DATA_DIR: path.join(os.tmpdir(), `mspbridge-outage-${crypto.randomBytes(4).toString('hex')}`),
  };
  const db = openDb({ url: databaseUrl });
  await migrateLatest(db);
  const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Outage MSP', region: 'eu', ownerEmail: 'o@outage.example' }, ['eu']));
  const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Outage Co', country: 'DE', seats: 100_000 }));
  const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
  return { env, db, companyId: company.id, token };
}

const mailsTo = (smtp: TestSmtp, prefix: string) => {
  const mine = smtp.mails.filter((m) => m.to.some((t) => t.startsWith(prefix)));
  return { emails: mine.length, recipients: new Set(mine.flatMap((m) => m.to)).size };
};

describe('outages', () => {
  const procs: Proc[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
  });

  it('answers 503 with Retry-After (never a 500 storm) while PostgreSQL restarts mid-push, and loses or doubles nobody', async () => {
    const pg: PrivatePostgres = await startPrivatePostgres();
    const smtp = await startSmtp();
    let db: Db | undefined;
    try {
      const s = await setup(pg.url, smtp);
      db = s.db;
      const serve = await spawnMode('serve', s.env);
      procs.push(serve, await spawnMode('worker', s.env));
      const c = scimClientFor(serve.url!, s.token, s.companyId);
      let downAt = 0;
      let upAt = 0;
      const retryAfter: Array<string | null> = [];
      const odd: string[] = [];
      const statuses = await pool(2000, 16, async (i) => {
        if (i === 600 && !downAt) {
          downAt = Date.now();
          pg.stop();
          setTimeout(() => {
            pg.start();
            upAt = Date.now();
          }, 3000);
        }
        const res = await c.req('POST', '/Users', userBody(`pg${i}@outage.example`));
        if (res.status === 503) retryAfter.push(res.headers.get('retry-after'));
        if (res.status >= 500 && res.status !== 503) odd.push(`${res.status} ${res.text.slice(0, 300)}`);
        return res.status;
      });
      const counts = tally(statuses);
      // Only created or "retry later": no 500 and no other error while the database was away.
      const unexpected = Object.keys(counts).filter((k) => k !== '201' && k !== '503' && k !== '429');
      if (unexpected.length) throw new Error(`answers ${JSON.stringify(counts)}; bodies: ${odd.slice(0, 3).join(' | ')}`);
      expect(retryAfter.every((v) => v !== null && Number(v) >= 1)).toBe(true);
      // The IdP retries what was refused; a create that committed just before the answer was lost
      // to the restart comes back as 409 (the IdP then matches the existing user).
      const retries: number[] = [];
      for (const [i, st] of statuses.entries()) {
        if (st === 201) continue;
        let r = await c.req('POST', '/Users', userBody(`pg${i}@outage.example`));
        for (let n = 0; n < 20 && (r.status === 503 || r.status === 429); n++) {
          await new Promise((w) => setTimeout(w, 500));
          r = await c.req('POST', '/Users', userBody(`pg${i}@outage.example`));
        }
        retries.push(r.status);
      }
      expect(retries.filter((st) => st !== 201 && st !== 409)).toEqual([]);
      const people = await s.db('members').where({ account_id: s.companyId }).where('user_name', 'like', 'pg%').count({ n: '*' });
      expect(Number((people[0] as { n: number | string }).n)).toBe(2000);
      await smtp.waitFor(2000, 180_000);
      await new Promise((r) => setTimeout(r, 3000));
      expect(mailsTo(smtp, 'pg')).toEqual({ emails: 2000, recipients: 2000 });
      record({
        scenario: 'PostgreSQL restarted during a push of 2,000 users',
        injected: `a private PostgreSQL stopped (fast shutdown) after request 600, started again ~${Math.round((upAt - downAt) / 1000)} s later`,
        checked: [
          'every answer 201 or a retryable 503/429 with Retry-After (no 500)',
          "the IdP's retries succeed (201, or 409 for a create that had committed)",
          'exactly 2,000 people and 2,000 invitation emails, one each',
        ],
        figures: {
          requests: 2000,
          '201': counts['201'] ?? 0,
          '503': counts['503'] ?? 0,
          '429': counts['429'] ?? 0,
          retried409: retries.filter((st) => st === 409).length,
          emails: mailsTo(smtp, 'pg').emails,
        },
        command: 'npm run test:faults -- -t "PostgreSQL restarts"',
      });
    } finally {
      await db?.destroy();
      await smtp.close();
      pg.destroy();
    }
  });

  it('delivers every email exactly once after the SMTP server was down for two minutes', async () => {
    const smtp = await startSmtp();
    const file = path.join(os.tmpdir(), `mspbridge-outage-${crypto.randomBytes(4).toString('hex')}.sqlite`);
    const s = await setup(`sqlite:${file}`, smtp);
    try {
      const serve = await spawnMode('serve', s.env);
      procs.push(serve, await spawnMode('worker', s.env));
      const c = scimClientFor(serve.url!, s.token, s.companyId);
      await c.req('POST', '/Users', userBody('before@outage.example'));
      await smtp.waitFor(1, 30_000);
      await smtp.crash();
      const downAt = Date.now();
      const statuses = await pool(300, 8, async (i) => (await c.req('POST', '/Users', userBody(`sm${i}@outage.example`))).status);
      expect(tally(statuses)).toEqual({ '201': 300 });
      await new Promise((r) => setTimeout(r, Math.max(0, SMTP_OUTAGE_MS - (Date.now() - downAt))));
      expect(mailsTo(smtp, 'sm').emails).toBe(0);
      await smtp.restart();
      const upAt = Date.now();
      await smtp.waitFor(301, 240_000);
      const deliveredIn = Date.now() - upAt;
      await new Promise((r) => setTimeout(r, 5000));
      expect(mailsTo(smtp, 'sm')).toEqual({ emails: 300, recipients: 300 });
      const failed = await s.db('email_deliveries').whereNot('status', 'sent').count({ n: '*' });
      expect(Number((failed[0] as { n: number | string }).n)).toBe(0);
      record({
        scenario: 'SMTP server down for two minutes',
        injected: `the SMTP server crashed (listener closed, connections cut) for ${Math.round(SMTP_OUTAGE_MS / 1000)} s while 300 people were pushed`,
        checked: ['every push answered 201 meanwhile', 'after the server returned: exactly 300 invitation emails, one per person, every delivery marked sent'],
        figures: {
          pushed: 300,
          outageSeconds: Math.round(SMTP_OUTAGE_MS / 1000),
          emails: mailsTo(smtp, 'sm').emails,
          lastEmailSecondsAfterReturn: Math.round(deliveredIn / 1000),
        },
        command: 'npm run test:faults -- -t "SMTP server was down"',
      });
    } finally {
      await s.db.destroy();
      await smtp.close();
    }
  });
});
