// Issue 20: `mspbridge start` (API + workers in one process, SQLite) as a user runs it. N users
// are pushed over SCIM, then filter, get-by-id, the last page and POST /Users are measured while
// their invitation emails drain, each against the in-memory baseline in the same run. Once per
// WORKER_YIELD_RATE asked for (0: workers never yield, as before issue 20). Afterwards every
// email must have arrived exactly once.
import path from 'node:path';
import { migrateLatest, openDb } from '../../src/db/knex';
import { openDatabase, queuePrefixFor, scimAccount, spawnApp } from '../app-target';
import { startBaseline } from '../baseline-target';
import { freePort } from '../child';
import { HttpClient, jsonOf, pool, tally } from '../http';
import { type Measurement, type Run, merge, runLoads } from '../load';
import { say } from '../log';
import { buildOps } from '../ops';
import type { BenchOptions, OpName } from '../options';
import { SmtpSink } from '../smtp-sink';
import { SCIM_JSON, type Target } from '../target';
import { userBody } from './mail-stack';

// POST first: it is the op the drain slows most, measured while the most emails are still owed.
const OPS: OpName[] = ['post', 'filter', 'get', 'page'];

export interface StartOp {
  op: OpName;
  title: string;
  app: Measurement;
  baseline: Measurement;
  ratio: number;
  /** Invitation emails not yet at the SMTP sink when the op's runs began and ended. */
  pendingBefore: number;
  pendingAfter: number;
  /** Requests per CPU-second of the app ÷ of the baseline (robust to other load on the machine). */
  cpuRatio: number;
}

export interface StartRun {
  /** WORKER_YIELD_RATE of the `start` process. */
  yieldRate: number;
  users: number;
  pushSeconds: number;
  pushStatuses: Record<string, number>;
  ops: StartOp[];
  /** POST again once the backlog drained (same process and database): what the drain itself costs POST. */
  postDrained: StartOp | undefined;
  /** Emails expected (pushed + POSTed users), distinct recipients that got one, duplicates. */
  emails: { expected: number; unique: number; duplicates: number; drainedSeconds: number | undefined };
  rssPeak: number;
  problems: string[];
}

export interface StartResult {
  users: number;
  connections: number;
  runs: StartRun[];
}

async function runOnce(opts: BenchOptions, runDir: string, yieldRate: number, baseline: Target): Promise<StartRun> {
  const key = `start-sqlite-yield${yieldRate}`;
  const { url, db } = openDatabase(opts, 'sqlite', runDir, key);
  let account: { accountId: string; token: string };
  try {
    await migrateLatest(db);
    account = await scimAccount(db, 1_000_000);
  } finally {
    await db.destroy();
  }
  const sink = await SmtpSink.start();
  const origin = `http://127.0.0.1:${await freePort()}`;
  const proc = spawnApp(opts, 'start', `mspbridge start (WORKER_YIELD_RATE=${yieldRate})`, {
    url,
    origin,
    queuePrefix: queuePrefixFor(opts),
    dataDir: path.join(runDir, `${key}-data`),
    env: { SMTP_URL: sink.url, WORKER_YIELD_RATE: String(yieldRate) },
    nodeArgs: opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(__dirname, '..', 'tmp', 'profiles')}`, `--cpu-prof-name=${key}.cpuprofile`] : undefined,
  });
  const problems: string[] = [];
  // The users the app holds (pushed and POSTed, whatever the loader saw answered): the emails it owes.
  const watch = openDb({ url });
  const owed = async () => Number(((await watch('members').where({ account_id: account.accountId }).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
  const arrived = () => sink.uniqueWith('user') + sink.uniqueWith('new');
  let rssPeak = 0;
  const rssTimer = setInterval(() => {
    if (proc.running) rssPeak = Math.max(rssPeak, proc.memory().rss);
  }, 250);
  try {
    await proc.waitReady(`${origin}/readyz`);
    const base = `${origin}/scim/v2`;
    const client = new HttpClient(base, { authorization: `Bearer ${account.token}`, 'content-type': SCIM_JSON, accept: SCIM_JSON }, 8);
    const n = opts.startUsers;
    const ids = new Array<string>(n);
    const statuses: number[] = [];
    const pushStarted = performance.now();
    try {
      await pool(n, 8, async (i) => {
        const userName = `user${i}@bulk.example`;
        const r = await client.request('POST', '/Users', { body: userBody(userName), timeoutMs: 120_000 });
        statuses.push(r.status);
        const b = jsonOf<{ id?: string }>(r);
        if (r.status === 201 && b?.id) ids[i] = b.id;
        else if (problems.length < 5) problems.push(`push ${userName}: HTTP ${r.status || r.error} ${r.body.slice(0, 150)}`);
      });
    } finally {
      client.close();
    }
    const pushSeconds = (performance.now() - pushStarted) / 1000;
    say(`  pushed ${n.toLocaleString('en-US')} users in ${pushSeconds.toFixed(1)} s; ${sink.uniqueWith('user')} emails arrived so far`);
    const app = {
      key,
      label: `start yield ${yieldRate}`,
      kind: 'app',
      db: 'sqlite',
      users: n,
      total: n,
      base,
      token: account.token,
      userIds: ids,
      poolIds: [],
      process: proc,
    } as unknown as Target;
    const specs = buildOps({ small: opts.smallGroup, large: opts.largeGroup });
    const ops: StartOp[] = [];
    // No process is watched: the bench's usual wait for the server to go idle after a run would
    // here wait for the whole email backlog to drain, and the next run would not measure a drain.
    // `again` names the users of a second POST round apart from the first's (no 409 for a name taken).
    const measureOp = async (op: OpName, again = ''): Promise<StartOp> => {
      const measure = async (t: Target) => {
        const gen = specs[op].generator({ ...t, key: `${t.key}${again}` });
        const spec = { base: t.base, token: t.token, gen, connections: opts.connections };
        await runLoads([spec], opts.warmup, []);
        const runs: Run[] = [];
        for (let round = 0; round < opts.rounds; round++) {
          // The server's CPU is read around the run by hand: runLoads would wait for it to go idle.
          const cpu = t.process.cpuSeconds();
          const r = await runLoads([spec], opts.duration, []);
          runs.push({ raw: r.raws[0]!, cpuSeconds: t.process.cpuSeconds() - cpu, drainSeconds: 0, poolWrapped: false });
        }
        return merge(t.base, runs, opts.connections);
      };
      const pendingBefore = (await owed()) - arrived();
      const a = await measure(app);
      const pendingAfter = (await owed()) - arrived();
      const b = await measure(baseline);
      const ratio = b.rps ? a.rps / b.rps : 0;
      const cpuRatio = b.perCpuSecond ? a.perCpuSecond / b.perCpuSecond : 0;
      say(
        `  ${op}: ${a.rps.toFixed(0)} req/s p99 ${a.p99} ms vs baseline ${b.rps.toFixed(0)} (${ratio.toFixed(2)}×; per server CPU-s ${a.perCpuSecond.toFixed(0)} vs ${b.perCpuSecond.toFixed(0)}, ${cpuRatio.toFixed(2)}×), ${pendingAfter} emails pending`,
      );
      return { op, title: specs[op].title, app: a, baseline: b, ratio, pendingBefore, pendingAfter, cpuRatio };
    };
    for (const op of OPS) ops.push(await measureOp(op));
    // Every email, exactly once: the pushed users' and the POSTed users'.
    const drainStarted = performance.now();
    const drain = async () => {
      const expected = await owed();
      const deadline = performance.now() + 300_000;
      while (arrived() < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      return arrived() >= expected;
    };
    const drained = await drain();
    const drainedSeconds = drained ? (performance.now() - drainStarted) / 1000 : undefined;
    // The same POST with no backlog: the difference to the first POST row is what the drain costs.
    let postDrained: StartOp | undefined;
    if (drained) {
      say('  backlog drained; POST again without it');
      postDrained = await measureOp('post', '-again');
      if (!(await drain())) problems.push('the emails of the POSTs after the drain did not all arrive within 300 s');
    }
    const expected = await owed();
    await new Promise((r) => setTimeout(r, 3000)); // late duplicates
    const t = [sink.tally('user'), sink.tally('new')];
    return {
      yieldRate,
      users: n,
      pushSeconds,
      pushStatuses: tally(statuses),
      ops,
      postDrained,
      emails: { expected, unique: t[0]!.unique + t[1]!.unique, duplicates: t[0]!.duplicates + t[1]!.duplicates, drainedSeconds },
      rssPeak,
      problems,
    };
  } finally {
    clearInterval(rssTimer);
    await watch.destroy();
    await proc.stop();
    await sink.close();
  }
}

export async function measureStart(opts: BenchOptions, runDir: string): Promise<StartResult> {
  const baseline = await startBaseline(opts);
  try {
    const runs: StartRun[] = [];
    for (const rate of opts.startYieldRates) {
      say(`mspbridge start (sqlite, WORKER_YIELD_RATE=${rate}): ${opts.startUsers.toLocaleString('en-US')} users pushed, then ops while their emails drain`);
      runs.push(await runOnce(opts, runDir, rate, baseline));
    }
    return { users: opts.startUsers, connections: opts.connections, runs };
  } finally {
    await baseline.process.stop();
  }
}
