// Issue 9, scale-out on PostgreSQL + Redis: two `mspbridge serve` processes on one database vs
// one, on reads (GET /Users/{id}, filter userName eq). The loader is the same in both
// configurations, two autocannon instances of half the connections each: both at one server, or
// one at each. The runs alternate, one, two, one, two… Besides req/s, the CPU of each server,
// of the loader (this process) and of the whole machine says what bounds the ratio.
import path from 'node:path';
import { isPg, migrateLatest } from '../../src/db/knex';
import { recountSeats } from '../../src/db/members.repo';
import { openDatabase, queuePrefixFor, scimAccount, seedMembers, startServe } from '../app-target';
import os from 'node:os';
import type { ServerProcess } from '../child';
import { type LoadSpec, type Run, merge, runLoads } from '../load';
import { buildOps } from '../ops';
import { unitOfWork } from '../../src/db/unitOfWork';
import type { BenchOptions } from '../options';
import { type Target, scim } from '../target';
import { say } from '../log';

export interface ScaleoutConfig {
  servers: 1 | 2;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU seconds of each serve process, of this process (the loader) and of everything else on the machine (PostgreSQL, Redis, other work). */
  serverCpuSeconds: number[];
  loaderCpuSeconds: number;
  otherCpuSeconds: number;
  /** Requests per CPU second of the serve processes together. */
  perServerCpuSecond: number;
  /** Share of all CPUs busy during the runs (1 = every core all the time). */
  machineBusy: number;
}

export interface ScaleoutOp {
  op: 'get' | 'filter';
  title: string;
  one: ScaleoutConfig;
  two: ScaleoutConfig;
  /** two / one req/s. */
  ratio: number;
  problems: string[];
}

export interface ScaleoutResult {
  users: number;
  connections: number;
  poolMax: number;
  cpus: number;
  ops: ScaleoutOp[];
}

function targetFor(key: string, label: string, origin: string, token: string, userIds: string[], proc: ServerProcess): Target {
  return {
    key,
    label,
    kind: 'app',
    db: 'postgres',
    users: userIds.length,
    total: userIds.length,
    base: `${origin}/scim/v2`,
    token,
    userIds,
    poolIds: [],
    // Reads only: no group fixtures.
    groups: { small: { id: '', size: 0 }, large: { id: '', size: 0 } },
    process: proc,
    seedSeconds: 0,
    bulkMembersSeconds: 0,
    rssAfterSeed: proc.memory().rss,
    resetGroup: async () => undefined,
  };
}

interface Sample {
  runs: Run[];
  seconds: number;
  server: number[];
  loader: number;
  busy: number;
  total: number;
}

function summarise(servers: 1 | 2, s: Sample, base: string, connections: number): ScaleoutConfig {
  const m = merge(base, s.runs, connections);
  const serverCpu = s.server.reduce((a, b) => a + b, 0);
  return {
    servers,
    requests: m.requests,
    seconds: s.seconds,
    rps: m.requests / s.seconds,
    p50: m.p50,
    p99: m.p99,
    non2xx: m.non2xx,
    errors: m.errors,
    serverCpuSeconds: s.server,
    loaderCpuSeconds: s.loader,
    otherCpuSeconds: Math.max(0, s.busy - serverCpu - s.loader),
    perServerCpuSecond: serverCpu > 0 ? m.requests / serverCpu : 0,
    machineBusy: s.total > 0 ? s.busy / s.total : 0,
  };
}

export async function measureScaleout(opts: BenchOptions, runDir: string): Promise<ScaleoutResult> {
  const { url, db } = openDatabase(opts, 'postgres', runDir, 'scaleout');
  let token: string;
  let userIds: string[];
  try {
    if (!isPg(db)) throw new Error('scale-out needs PostgreSQL');
    await migrateLatest(db);
    const account = await scimAccount(db);
    token = account.token;
    userIds = await seedMembers(db, account.accountId, 'user', opts.scaleoutUsers, Date.now());
    await unitOfWork(db, (tx) => recountSeats(tx, account.accountId));
    await db.raw('vacuum analyze members');
  } finally {
    await db.destroy();
  }
  const queuePrefix = queuePrefixFor(opts);
  const servers = [];
  for (const n of [1, 2])
    servers.push(await startServe(opts, `app postgres serve #${n}`, { url, queuePrefix, dataDir: path.join(runDir, `scaleout-${n}-data`) }));
  const [a, b] = servers.map((s, i) => targetFor(`scaleout-${i + 1}`, `serve #${i + 1}`, s.origin, token, userIds, s.proc)) as [Target, Target];
  const half = Math.max(1, Math.floor(opts.connections / 2));
  const ops = buildOps({ small: 1, large: 1 });
  const out: ScaleoutOp[] = [];
  try {
    for (const op of ['get', 'filter'] as const) {
      const spec = ops[op];
      const problems: string[] = [];
      // Both answer right (ten random requests each) before either is timed.
      for (const t of [a, b]) {
        const gen = spec.generator(t);
        for (let k = 0; k < 10 && problems.length < 3; k++) {
          const req = gen.next();
          const why = gen.check(req, await scim(t.base, t.token, req.method, req.path, req.body));
          if (why) problems.push(`${t.label}: ${why}`);
        }
      }
      if (problems.length) {
        out.push({
          op,
          title: spec.title,
          one: summarise(1, { runs: [], seconds: 1, server: [], loader: 0, busy: 0, total: 0 }, a.base, opts.connections),
          two: summarise(2, { runs: [], seconds: 1, server: [], loader: 0, busy: 0, total: 0 }, a.base, opts.connections),
          ratio: 0,
          problems,
        });
        continue;
      }
      const specsFor = (to: [Target, Target]): LoadSpec[] => to.map((t) => ({ base: t.base, token: t.token, gen: spec.generator(t), connections: half }));
      const configs: Array<{ servers: 1 | 2; to: [Target, Target]; sample: Sample }> = [
        { servers: 1, to: [a, a], sample: { runs: [], seconds: 0, server: [0, 0], loader: 0, busy: 0, total: 0 } },
        { servers: 2, to: [a, b], sample: { runs: [], seconds: 0, server: [0, 0], loader: 0, busy: 0, total: 0 } },
      ];
      await runLoads(specsFor([a, b]), opts.warmup, [a.process, b.process]);
      for (let round = 0; round < opts.rounds; round++) {
        for (const c of configs) {
          const r = await runLoads(specsFor(c.to), opts.duration, [a.process, b.process]);
          const s = c.sample;
          r.raws.forEach((raw, i) => s.runs.push({ raw, cpuSeconds: 0, drainSeconds: r.drainSeconds, poolWrapped: r.poolWrapped[i]! }));
          s.seconds += Math.max(...r.raws.map((x) => x.duration));
          s.server = s.server.map((v, i) => v + r.cpuSeconds[i]!);
          s.loader += r.loaderCpuSeconds;
          s.busy += r.machine.busy;
          s.total += r.machine.total;
          const rps = r.raws.reduce((x, y) => x + y.totalCompletedRequests, 0) / Math.max(...r.raws.map((x) => x.duration));
          say(`  scale-out ${op}, ${c.servers} serve, round ${round + 1}: ${rps.toFixed(0)} req/s`);
        }
      }
      const [one, two] = configs.map((c) => summarise(c.servers, c.sample, a.base, opts.connections)) as [ScaleoutConfig, ScaleoutConfig];
      for (const c of [one, two]) if (c.non2xx || c.errors) problems.push(`${c.servers} serve: ${c.non2xx} non-2xx, ${c.errors} errors`);
      out.push({ op, title: spec.title, one, two, ratio: one.rps > 0 ? two.rps / one.rps : 0, problems });
    }
  } finally {
    for (const s of servers) await s.proc.stop();
  }
  return { users: opts.scaleoutUsers, connections: opts.connections, poolMax: opts.poolMax, cpus: os.availableParallelism(), ops: out };
}
