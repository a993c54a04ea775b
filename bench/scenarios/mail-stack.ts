// A deployment that sends mail: a fresh database with one company and its SCIM token,
// `mspbridge serve`, `mspbridge worker` with SMTP_URL at an SMTP sink in this process. The
// initial sync, the single-invitation latency and the worker-vs-nodemailer scenarios share it.
import path from 'node:path';
import type { Db } from '../../src/db/knex';
import { migrateLatest, openDb } from '../../src/db/knex';
import { openDatabase, queuePrefixFor, scimAccount, spawnApp, startServe } from '../app-target';
import type { ServerProcess } from '../child';
import { HttpClient } from '../http';
import type { BenchOptions, DbKind } from '../options';
import { SmtpSink } from '../smtp-sink';
import { SCIM_JSON, USER_SCHEMA } from '../target';

export interface MailStack {
  db: DbKind;
  label: string;
  /** DATABASE_URL. */
  url: string;
  origin: string;
  queuePrefix: string;
  token: string;
  accountId: string;
  serve: ServerProcess;
  worker: ServerProcess | undefined;
  sink: SmtpSink;
  /** The SCIM client (closed loop): at most `connections` sockets. */
  scim(connections: number): HttpClient;
  startWorker(): Promise<ServerProcess>;
  stopWorker(): Promise<void>;
  /** A connection of the bench's own to the database (outbox and delivery checks). */
  query: Db;
  stop(): Promise<void>;
}

/** A SCIM user as an IdP pushes it; the invitation goes to its work email. */
export function userBody(userName: string): Record<string, unknown> {
  const local = userName.split('@')[0]!;
  return {
    schemas: [USER_SCHEMA],
    userName,
    externalId: `ext-${local}`,
    name: { givenName: local, familyName: 'Synced' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
  };
}

export async function startMailStack(opts: BenchOptions, kind: DbKind, runDir: string): Promise<MailStack> {
  const key = `mail-${kind}`;
  const label = `app ${kind} (serve + worker)`;
  const { url, db } = openDatabase(opts, kind, runDir, key);
  let account: { accountId: string; token: string };
  try {
    await migrateLatest(db);
    account = await scimAccount(db, 1_000_000);
  } finally {
    await db.destroy();
  }
  const sink = await SmtpSink.start();
  const queuePrefix = queuePrefixFor(opts);
  const dataDir = path.join(runDir, `${key}-data`);
  const env = { SMTP_URL: sink.url };
  const { proc: serve, origin } = await startServe(opts, `${label}: serve`, { url, queuePrefix, dataDir, env });
  const query = openDb({ url, poolMax: 2 });
  const clients: HttpClient[] = [];
  let workers = 0;
  const stack: MailStack = {
    db: kind,
    label,
    url,
    origin,
    queuePrefix,
    token: account.token,
    accountId: account.accountId,
    serve,
    worker: undefined,
    sink,
    query,
    scim(connections) {
      const c = new HttpClient(`${origin}/scim/v2`, { authorization: `Bearer ${account.token}`, 'content-type': SCIM_JSON, accept: SCIM_JSON }, connections);
      clients.push(c);
      return c;
    },
    async startWorker() {
      // LOG_LEVEL info: the only line it logs unasked is the one that says it is ready.
      // With --profile every worker started writes a CPU profile when it stops (summarised by the run).
      const nodeArgs = opts.profile
        ? ['--cpu-prof', `--cpu-prof-dir=${path.join(__dirname, '..', 'tmp', 'profiles')}`, `--cpu-prof-name=${key}-worker-${++workers}.cpuprofile`]
        : undefined;
      const w = spawnApp(opts, 'worker', `${label}: worker`, { url, queuePrefix, dataDir, origin, env: { ...env, LOG_LEVEL: 'info' }, nodeArgs });
      await w.waitForOutput(/workers started/);
      stack.worker = w;
      return w;
    },
    async stopWorker() {
      await stack.worker?.stop();
      stack.worker = undefined;
    },
    async stop() {
      for (const c of clients) c.close();
      await stack.stopWorker();
      await serve.stop();
      await query.destroy();
      await sink.close();
    },
  };
  await stack.startWorker();
  return stack;
}

/** Invitation jobs still in the outbox, not yet handed to BullMQ. */
export async function unrelayedInvitations(db: Db): Promise<number> {
  const rows = (await db('outbox')
    .where({ queue: 'invitations' })
    .whereNull('relayed_at')
    .andWhere('available_at', '<=', new Date().toISOString())
    .count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(rows[0]!.n);
}
