// Issue 9: the invitation worker sends ≥ 0.7× the mails/s of a bare pooled nodemailer loop to the
// same SMTP server. N invitations wait in BullMQ (POSTed with the worker stopped, relayed by
// serve); a fresh worker then sends them. The same N messages (same template) go out through
// nodemailer.createTransport({ pool: true }) from this process. Both timed at the sink, first to
// last message, so neither start-up counts.
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { invitationMail } from '../../src/mail/templates';
import { pool, sleep, tally, waitUntil } from '../http';
import type { DbKind } from '../options';
import type { Tally } from '../smtp-sink';
import { type MailStack, unrelayedInvitations, userBody } from './mail-stack';
import { say } from '../log';

export interface SendRun {
  unique: number;
  messages: number;
  duplicates: number;
  withoutLink: number;
  /** First to last message at the sink. */
  seconds: number;
  /** (messages − 1) / seconds. */
  perSecond: number;
  /** CPU seconds of the sender while it sent: the worker process; for the loop, this process (the sink's share included). */
  senderCpuSeconds: number;
}

export interface MailerResult {
  db: DbKind;
  count: number;
  /** SMTP connections of both (the app's SMTP_URL pool default, nodemailer's maxConnections). */
  connections: number;
  worker: SendRun;
  nodemailer: SendRun;
  /** worker / nodemailer mails per second. */
  ratio: number;
  /** Seconds to POST the N users (worker stopped) and to see every job relayed. */
  enqueueSeconds: number;
  problems: string[];
}

const CONNECTIONS = 5;

function sendRun(t: Tally, senderCpuSeconds: number): SendRun {
  const seconds = t.first !== undefined && t.last !== undefined ? (t.last - t.first) / 1000 : 0;
  return {
    unique: t.unique,
    messages: t.messages,
    duplicates: t.duplicates,
    withoutLink: t.withoutLink,
    seconds,
    perSecond: seconds > 0 ? (t.messages - 1) / seconds : 0,
    senderCpuSeconds,
  };
}

const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function measureMailer(stack: MailStack, count: number): Promise<MailerResult> {
  const problems: string[] = [];
  const waitMs = Math.max(120_000, count * 100);

  // 1. N invitation jobs queued, no worker running.
  await stack.stopWorker();
  const enqueueStarted = performance.now();
  const client = stack.scim(8);
  const wAddr = (i: number) => `mw${i}@${stack.db}.mailer.example`;
  const statuses = await pool(count, 8, async (i) => (await client.request('POST', '/Users', { body: userBody(wAddr(i)), timeoutMs: 120_000 })).status);
  const bad = Object.entries(tally(statuses)).filter(([s]) => s !== '201');
  if (bad.length) problems.push(`POST /Users answered ${bad.map(([s, n]) => `${n}× ${s}`).join(', ')}`);
  if (!(await waitUntil(async () => (await unrelayedInvitations(stack.query)) === 0, 120_000, 200)))
    problems.push('the outbox relay left invitations unrelayed after 120 s');
  await stack.serve.waitIdle();
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
  const expected = count - bad.reduce((s, [, n]) => s + n, 0);

  // 2. The real worker drains them.
  const w = await stack.startWorker();
  const workerCpu = w.cpuSeconds();
  if (!(await stack.sink.waitForUnique('mw', expected, waitMs)))
    problems.push(`worker: ${stack.sink.uniqueWith('mw')} of ${expected} emails after ${waitMs / 1000} s`);
  const workerCpuSeconds = w.cpuSeconds() - workerCpu;
  await sleep(2000);
  const worker = sendRun(stack.sink.tally('mw'), workerCpuSeconds);
  say(`  ${stack.label}: worker sent ${worker.messages} in ${worker.seconds.toFixed(1)} s (${worker.perSecond.toFixed(0)}/s)`);
  await stack.worker?.waitIdle();

  // 3. A bare pooled nodemailer loop, the same template, to the same sink.
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: stack.sink.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
  });
  const nAddr = (i: number) => `nm${i}@${stack.db}.mailer.example`;
  const loopCpu = ownCpu();
  try {
    const sends = Array.from({ length: count }, (_, i) => {
      const url = `${stack.origin}/invitations/${crypto.randomBytes(32).toString('base64url')}`;
      const m = invitationMail('en', {
        name: `nm${i} Synced`,
        inviter: 'Bench Company',
        accountName: 'Bench Company',
        url,
        expiresAt: new Date(Date.now() + 5 * 86_400_000),
      });
      return transport
        .sendMail({
          from: 'mspbridge <no-reply@mspbridge.local>',
          to: nAddr(i),
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: `<invitation.${crypto.randomUUID()}.send.1@127.0.0.1>`,
          headers: { 'Content-Language': m.language, 'Auto-Submitted': 'auto-generated' },
        })
        .then(
          () => undefined,
          (err: Error) => err.message,
        );
    });
    const failures = (await Promise.all(sends)).filter(Boolean);
    if (failures.length) problems.push(`nodemailer: ${failures.length} sends failed (${failures[0]})`);
  } finally {
    transport.close();
  }
  await stack.sink.waitForUnique('nm', count, 30_000);
  const loopCpuSeconds = ownCpu() - loopCpu;
  await sleep(500);
  const bare = sendRun(stack.sink.tally('nm'), loopCpuSeconds);
  say(`  nodemailer loop sent ${bare.messages} in ${bare.seconds.toFixed(1)} s (${bare.perSecond.toFixed(0)}/s)`);

  if (worker.unique !== expected || worker.duplicates)
    problems.push(`worker: ${worker.unique} distinct recipients of ${expected}, ${worker.duplicates} duplicates`);
  if (worker.withoutLink) problems.push(`worker: ${worker.withoutLink} emails without an invitation link`);
  if (bare.unique !== count || bare.duplicates) problems.push(`nodemailer: ${bare.unique} distinct recipients of ${count}, ${bare.duplicates} duplicates`);
  return {
    db: stack.db,
    count,
    connections: CONNECTIONS,
    worker,
    nodemailer: bare,
    ratio: bare.perSecond > 0 ? worker.perSecond / bare.perSecond : 0,
    enqueueSeconds,
    problems,
  };
}
