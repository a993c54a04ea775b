// `npm run bench`: starts the app and the scimmy baseline, loads them op by op, interleaved, and writes the results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startApp } from './app-target';
import { startBaseline } from './baseline-target';
import { LIMIT_OPS, startLimit } from './limit-target';
import { cleanup, cleanupOnSignals, onCleanup } from './cleanup';
import { fullImport } from './full-import';
import { evaluateGoals } from './goals';
import { type Measurement, type Run, merge, runLoad, stopLoad } from './load';
import { type Generator, buildOps } from './ops';
import { type BenchOptions, type OpName, parseOptions } from './options';
import { type ProfileSummary, summariseProfile } from './profile';
import { type OpReport, type Results, type TargetReport, renderTables, writeResults } from './report';
import { runScenarios } from './scenarios';
import { type Target, scim } from './target';
import { say } from './log';

const ROOT = path.join(__dirname, '..');
const WRITES: ReadonlySet<OpName> = new Set(['post', 'patch-user', 'group-small', 'group-large']);

function build(): void {
  say('building dist/ (tsc -p tsconfig.build.json)');
  const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the build failed; the app cannot start from a stale dist/ (or pass --no-build)');
}

/** Fails early, with the reason, when a service the app needs is not there. */
async function checkServices(opts: BenchOptions): Promise<void> {
  const redis = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at ${opts.redisUrl} does not answer (${(err as Error).message}); the app's outbox relay needs it`);
  } finally {
    redis.disconnect();
  }
  if (opts.dbs.includes('postgres') || opts.scenarios.scaleout) {
    const client = new pg.Client({ connectionString: opts.pgUrl });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (err) {
      throw new Error(
        `PostgreSQL at ${opts.pgUrl} does not answer (${(err as Error).message})${opts.dbs.includes('postgres') ? '' : '; the scale-out scenario needs it (or pass --no-scaleout)'}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Samples every server's RSS while load runs (VmHWM alone would also count seeding). */
function watchMemory(targets: Target[]): { max: Map<string, number>; stop(): void } {
  const max = new Map<string, number>();
  const timer = setInterval(() => {
    for (const t of targets) {
      if (!t.process.running) continue;
      const { rss } = t.process.memory();
      max.set(t.key, Math.max(max.get(t.key) ?? 0, rss));
    }
  }, 250);
  timer.unref();
  return { max, stop: () => clearInterval(timer) };
}

/** One request by hand, checked: a wrong answer (or a paging bug) must not pass for speed. */
async function oneRequest(t: Target, gen: Generator): Promise<{ ms: number; problem?: string }> {
  const req = gen.next();
  const reply = await scim(t.base, t.token, req.method, req.path, req.body);
  const problem = gen.check(req, reply);
  await gen.settle();
  return { ms: reply.ms, problem };
}

async function measureOp(opts: BenchOptions, op: OpName, targets: Target[]): Promise<OpReport> {
  const spec = buildOps({ small: opts.smallGroup, large: opts.largeGroup })[op];
  const results: OpReport['results'] = {};
  const live: Array<{ t: Target; gen: Generator; runs: Run[]; aloneMs: number }> = [];
  for (const t of targets) {
    if (t.kind === 'limit' && !LIMIT_OPS.has(op)) continue;
    const gen = spec.generator(t);
    const { problem } = await oneRequest(t, gen);
    if (problem) {
      say(`  ${t.label}: ${op} answers wrongly, not measured: ${problem}`);
      results[t.key] = { failed: problem };
      continue;
    }
    live.push({ t, gen, runs: [], aloneMs: NaN });
  }
  for (const l of live) {
    await runLoad(l.t, l.gen, opts.warmup, opts.connections);
    // Timed once warm, with nothing else in flight.
    l.aloneMs = (await oneRequest(l.t, l.gen)).ms;
  }
  for (let round = 0; round < opts.rounds; round++) {
    for (const l of live) {
      const run = await runLoad(l.t, l.gen, opts.duration, opts.connections);
      l.runs.push(run);
      const rps = run.raw.totalCompletedRequests / run.raw.duration;
      const notes = [
        run.raw.non2xx || run.raw.errors ? `${run.raw.non2xx} non-2xx, ${run.raw.errors} errors` : '',
        run.drainSeconds >= 1 ? `${run.drainSeconds.toFixed(0)} s to finish abandoned requests` : '',
      ].filter(Boolean);
      say(`  ${op} ${l.t.label} round ${round + 1}: ${rps.toFixed(0)} req/s${notes.length ? ` (${notes.join('; ')})` : ''}`);
    }
  }
  for (const l of live) results[l.t.key] = merge(l.t.base, l.runs, opts.connections, l.aloneMs);
  return { op, title: spec.title, results };
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAvgAtStart = os.loadavg();
  const opts = parseOptions(process.argv.slice(2));
  cleanupOnSignals();
  onCleanup('stop load', stopLoad);
  const runDir = path.join(ROOT, 'bench', 'tmp', `run-${process.pid}-${Date.now()}`);
  fs.mkdirSync(runDir, { recursive: true });
  onCleanup('remove temp files', () => {
    fs.rmSync(runDir, { recursive: true, force: true });
    // bench/tmp/ itself goes too when this run was all it held.
    if (!fs.readdirSync(path.dirname(runDir)).length) fs.rmdirSync(path.dirname(runDir));
  });
  const profileDir = opts.profile ? path.join(ROOT, 'bench', 'tmp', 'profiles') : undefined;
  if (profileDir) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.mkdirSync(profileDir, { recursive: true });
  }

  if (opts.build) build();
  await checkServices(opts);

  // The per-op comparison (and the full import) need the seeded servers; `--ops none --no-import` runs only the scenarios.
  const compare = opts.ops.length > 0 || opts.fullImport;
  const targets: Target[] = [];
  let baseline: Target | undefined;
  if (compare) {
    for (const db of opts.dbs) {
      for (const users of opts.appUsers) {
        say(`app on ${db}: seeding ${users.toLocaleString('en-US')} users + ${opts.pool} pool users`);
        const t = await startApp(opts, db, users, runDir, profileDir);
        say(`  ${t.label}: seeded in ${t.seedSeconds.toFixed(1)} s, ${opts.largeGroup} members in one PATCH took ${t.bulkMembersSeconds.toFixed(2)} s`);
        targets.push(t);
      }
    }
    say(`baseline: seeding ${opts.baselineUsers.toLocaleString('en-US')} users + ${opts.pool} pool users`);
    baseline = await startBaseline(opts);
    say(
      `  ${baseline.label}: seeded in ${baseline.seedSeconds.toFixed(1)} s, ${opts.largeGroup} members in one PATCH took ${baseline.bulkMembersSeconds.toFixed(2)} s`,
    );
    targets.push(baseline);
    if (opts.ops.some((o) => LIMIT_OPS.has(o))) {
      say(`limit server (bench/limit.ts): seeding ${Math.max(...opts.appUsers).toLocaleString('en-US')} users + ${opts.pool} pool users`);
      const limit = await startLimit(opts, runDir);
      say(`  ${limit.label}: seeded in ${limit.seedSeconds.toFixed(1)} s`);
      targets.push(limit);
    }
  }

  const memory = watchMemory(targets);
  const opReports: OpReport[] = [];
  const imports = new Map<string, Awaited<ReturnType<typeof fullImport>>>();
  // Reads first, on the directory as seeded; the full import too, before POSTs grow it.
  const ordered = [...opts.ops.filter((o) => !WRITES.has(o)), ...opts.ops.filter((o) => WRITES.has(o))];
  let imported = !opts.fullImport;
  for (const op of ordered) {
    if (!imported && WRITES.has(op)) {
      await runImports(targets, imports);
      imported = true;
    }
    say(`${op}: warmup ${opts.warmup} s, then ${opts.rounds} × ${opts.duration} s per server`);
    opReports.push(await measureOp(opts, op, targets));
  }
  if (!imported && targets.length) await runImports(targets, imports);
  memory.stop();

  const reports: TargetReport[] = targets.map((t) => {
    const mem = t.process.memory();
    return {
      key: t.key,
      label: t.label,
      kind: t.kind,
      db: t.db,
      users: t.users,
      total: t.total,
      seedSeconds: t.seedSeconds,
      bulkMembersSeconds: t.bulkMembersSeconds,
      fullImport: imports.get(t.key),
      rssAfterSeed: t.rssAfterSeed,
      rssMaxUnderLoad: memory.max.get(t.key) ?? mem.rss,
      rssPeak: mem.peak,
    };
  });

  let profiles: ProfileSummary[] | undefined;
  if (profileDir) {
    // --cpu-prof writes its file when the process exits.
    for (const t of targets) if (t.kind === 'app') await t.process.stop();
    profiles = fs
      .readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .map((f) => summariseProfile(path.join(profileDir, f)));
  }

  // The scenarios start their own processes: the per-op servers are done.
  for (const t of targets) await t.process.stop();
  const scenarios = await runScenarios(opts, runDir);

  const opsByName: Partial<Record<OpName, Record<string, Measurement | undefined>>> = {};
  for (const r of opReports) {
    opsByName[r.op] = Object.fromEntries(Object.entries(r.results).map(([k, v]) => [k, 'failed' in v ? undefined : v]));
  }
  const { command: _c, build: _b, quick: _q, ...settings } = opts;
  const results: Results = {
    command: opts.command,
    date: new Date().toISOString(),
    machine: {
      nproc: os.availableParallelism(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: os.totalmem() / 2 ** 30,
      platform: `${os.type()} ${os.release()}`,
      loadAvgAtStart,
      loadAvgAtEnd: os.loadavg(),
    },
    settings,
    targets: reports,
    ops: opReports,
    goals: evaluateGoals({
      dbs: opts.dbs,
      baselineKey: baseline?.key ?? '',
      limitKey: targets.find((t) => t.kind === 'limit')?.key,
      baselineUsers: opts.baselineUsers,
      groupSizes: { small: opts.smallGroup, large: opts.largeGroup },
      targets: reports.map((r) => ({
        key: r.key,
        kind: r.kind,
        db: r.db as BenchOptions['dbs'][number] | undefined,
        users: r.users,
        bulkMembersSeconds: r.bulkMembersSeconds,
        fullImport: r.fullImport,
        rssPeak: r.rssPeak,
      })),
      ops: opsByName,
      scenarios,
      scenarioSettings: {
        on: opts.scenarios,
        tenants: opts.tenants,
        tenantRate: opts.tenantRate,
        tenantSeconds: opts.tenantSeconds,
        overloadFactor: opts.overloadFactor,
        companies: opts.companies,
        companiesConnections: opts.companiesConnections,
        mailerCount: opts.mailerCount,
      },
    }),
    scenarios,
    profiles,
    seconds: (performance.now() - started) / 1000,
  };
  const written = writeResults(results, opts.out);
  process.stdout.write(
    `\n${renderTables(results)}\n\nWritten: ${path.relative(ROOT, written.markdown)}, ${path.relative(ROOT, written.json)}${profileDir ? `; profiles in ${path.relative(ROOT, profileDir)}` : ''}\n`,
  );
}

async function runImports(targets: Target[], out: Map<string, Awaited<ReturnType<typeof fullImport>>>): Promise<void> {
  for (const t of targets) {
    if (t.kind === 'limit') continue;
    say(`full import: ${t.label}, ${t.total.toLocaleString('en-US')} users in pages of 100`);
    const r = await fullImport(t, 300);
    say(`  ${r.seconds.toFixed(1)} s, ${r.pages} pages${r.problem ? ` (${r.problem})` : ''}`);
    out.set(t.key, r);
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    // Sockets of fetch's keep-alive pool and the like must not hold the finished run open.
    process.exit();
  });
