// Turns one run into bench/results.json (raw numbers) and bench/RESULTS.md (tables), replacing the previous run's.
import fs from 'node:fs';
import path from 'node:path';
import type { ImportResult } from './full-import';
import type { Goal } from './goals';
import type { Measurement } from './load';
import { mb, num, table } from './markdown';
import type { BenchOptions, OpName } from './options';
import type { ProfileSummary } from './profile';
import type { ScenarioResults } from './scenarios';
import { renderScenarios } from './scenarios/report';

export interface TargetReport {
  key: string;
  label: string;
  kind: 'app' | 'baseline' | 'limit';
  db?: string;
  users: number;
  total: number;
  seedSeconds: number;
  bulkMembersSeconds: number;
  fullImport?: ImportResult;
  rssAfterSeed: number;
  rssMaxUnderLoad: number;
  rssPeak: number;
}

export interface OpReport {
  op: OpName;
  title: string;
  /** target key → measurement, or why it could not be measured */
  results: Record<string, Measurement | { failed: string }>;
}

export interface Results {
  command: string;
  date: string;
  machine: { nproc: number; node: string; cpu: string; memoryGb: number; platform: string; loadAvgAtStart: number[]; loadAvgAtEnd: number[] };
  settings: Omit<BenchOptions, 'command' | 'build' | 'quick'>;
  targets: TargetReport[];
  ops: OpReport[];
  goals: Goal[];
  /** The scenarios of bench/scenarios/ (sync, single invitation, worker vs nodemailer, tenants, companies, scale-out). */
  scenarios: ScenarioResults;
  profiles?: ProfileSummary[];
  seconds: number;
}

const BENCH = __dirname;

const isMeasured = (r: Measurement | { failed: string } | undefined): r is Measurement => !!r && !('failed' in r);

function opsTable(results: Results): string {
  const baseline = results.targets.find((t) => t.kind === 'baseline')!;
  const limit = results.targets.find((t) => t.kind === 'limit');
  const rows: string[][] = [];
  for (const op of results.ops) {
    const b = op.results[baseline.key];
    const lim = limit ? op.results[limit.key] : undefined;
    for (const t of results.targets) {
      const r = op.results[t.key];
      if (!r) continue;
      if (!isMeasured(r)) {
        rows.push([op.title, t.label, 'failed', '', '', '', '', '', r.failed.slice(0, 120), '', '', '']);
        continue;
      }
      const ratio = (key: 'rps' | 'perCpuSecond') => {
        if (t.kind !== 'app' || !isMeasured(b)) return '';
        if (b.requests > 0) return `${(r[key] / b[key]).toFixed(2)}×`;
        // No baseline request finished: one alone bounds its rate (see the targets table).
        return key === 'rps' && b.aloneMs ? `≈${(r.rps / (1000 / b.aloneMs)).toFixed(2)}× (est.)` : '';
      };
      // The share of what this machine allows (bench/limit.ts), for the app and the baseline alike.
      const share = t.kind !== 'limit' && isMeasured(lim) && lim.rps > 0 ? `${((100 * r.rps) / lim.rps).toFixed(0)} %` : '';
      const codes = Object.entries(r.statusCodes)
        .filter(([c]) => !c.startsWith('2'))
        .map(([c, n]) => `${n}×${c}`)
        .join(' ');
      let bad = [r.errors ? `${r.errors} errors` : '', codes, r.poolWrapped ? `pool ran out in ${r.poolWrapped} run(s)` : ''].filter(Boolean).join(', ');
      const lat = (v: number) => (r.requests > 0 ? num(v) : '—');
      if (!r.requests) bad = [bad, `no request finished in ${r.runs} runs of ${num(r.seconds / r.runs, 1)} s`].filter(Boolean).join(', ');
      rows.push([
        op.title,
        t.label,
        num(r.rps),
        lat(r.p50),
        lat(r.p99),
        lat(r.max),
        r.aloneMs === undefined ? '' : num(r.aloneMs, 1),
        num(r.perCpuSecond),
        bad || '0',
        ratio('rps'),
        ratio('perCpuSecond'),
        share,
      ]);
    }
  }
  return table(
    [
      'op',
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'one request alone, ms',
      'req per server CPU-s',
      'errors / non-2xx',
      'app / baseline (req/s)',
      'app / baseline (per CPU-s)',
      'share of the limit (req/s)',
    ],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r'],
  );
}

function goalsTable(results: Results): string {
  const mark = { met: '✅ met', 'not met': '❌ not met', 'not measured': '— not measured' } as const;
  const multi = results.settings.dbs.length > 1;
  return table(
    ['target', ...(multi ? ['db'] : []), 'measured', 'verdict'],
    results.goals.map((g) => [g.goal, ...(multi ? [g.db ?? ''] : []), g.measured, mark[g.verdict]]),
  );
}

function serversTable(results: Results): string {
  return table(
    [
      'server',
      'users (+ pool)',
      'seeded in',
      `${num(results.settings.largeGroup)} members in one PATCH`,
      'full import (pages of 100)',
      'RSS seeded',
      'RSS max under load',
      'RSS peak',
    ],
    results.targets.map((t) => [
      t.label,
      `${num(t.users)} (+${num(t.total - t.users)})`,
      `${t.seedSeconds.toFixed(1)} s`,
      `${t.bulkMembersSeconds.toFixed(2)} s`,
      t.fullImport ? `${t.fullImport.seconds.toFixed(1)} s, ${num(t.fullImport.pages)} pages${t.fullImport.problem ? ` (${t.fullImport.problem})` : ''}` : '—',
      mb(t.rssAfterSeed),
      mb(t.rssMaxUnderLoad),
      mb(t.rssPeak),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function profilesSection(profiles: ProfileSummary[]): string {
  return profiles
    .map((p) =>
      [
        `### ${p.file} (${num(p.busyMs / 1000, 1)} s busy)`,
        '',
        table(
          ['package / file', 'self ms', '%'],
          p.byPackage.map((s) => [s.name, num(s.ms), s.percent.toFixed(1)]),
          ['l', 'r', 'r'],
        ),
        '',
        table(
          ['function', 'self ms', '%'],
          p.byFunction.map((s) => [`\`${s.name}\``, num(s.ms), s.percent.toFixed(1)]),
          ['l', 'r', 'r'],
        ),
        '',
        table(
          ['our function, callees included', 'ms', '%'],
          p.inclusiveOurs.map((s) => [`\`${s.name}\``, num(s.ms), s.percent.toFixed(1)]),
          ['l', 'r', 'r'],
        ),
      ].join('\n'),
    )
    .join('\n\n');
}

/** The tables a reader needs, also printed at the end of a run. */
export function renderTables(results: Results): string {
  const scenarios = renderScenarios(results.scenarios, results.settings);
  return [
    ...(results.ops.length ? [`## Per op (${results.settings.connections} connections)`, '', opsTable(results), ''] : []),
    '## Targets (issues 9 and 20)',
    '',
    goalsTable(results),
    ...(results.targets.length ? ['', '## Servers', '', serversTable(results)] : []),
    ...(scenarios ? ['', scenarios] : []),
  ].join('\n');
}

export function renderMarkdown(results: Results): string {
  const s = results.settings;
  const m = results.machine;
  return [
    '# Benchmark results',
    '',
    `Produced by \`${results.command}\` on ${results.date} (${(results.seconds / 60).toFixed(1)} min).`,
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${num(m.memoryGb, 1)} GB RAM, Node ${m.node}, ${m.platform}.`,
    `Load average (1/5/15 min) before the run ${m.loadAvgAtStart.map((l) => l.toFixed(1)).join(' / ')}, at its end ${m.loadAvgAtEnd.map((l) => l.toFixed(1)).join(' / ')} (the run itself adds about 2: a server and the loader); more means other work competed for the CPUs.`,
    `App database: ${s.dbs.join(' and ')}${s.dbs.includes('postgres') ? ` (pool ${s.poolMax})` : ''}. Each op ran ${s.rounds}× ${s.duration} s per server after a ${s.warmup} s warmup, the servers interleaved run by run.`,
    '',
    'Method: every server is a child process on 127.0.0.1, loaded by autocannon from this process (the loader shares the machine',
    'with the servers; ratios are what to read). The app is `node bin/mspbridge.js serve` on a fresh database seeded directly',
    `(users as a SCIM push leaves them, then \`analyze\`), Redis for its outbox relay, SCIM_RATE_PER_TOKEN=1000000. The baseline`,
    'is bench/baseline.ts: scimmy + scimmy-routers on Express 5, users in memory (Map by id, userName index, req.query pinned so',
    'paging works, one page converted per list request). Both hold the same users plus a pool of users in no group: each group',
    'PATCH adds the next pool user, and after every run they are taken out again. Filters pick a random user, get-by-id a',
    'random id, POST a new userName, PATCH user flips `active` on the next user. "req per server CPU-s" divides the completed',
    'requests by the CPU time the server process used meanwhile (/proc/<pid>/stat): it holds when other work on the machine',
    'steals CPU, where req/s does not (PostgreSQL\'s own CPU time is not in it). "one request alone" is a single request sent',
    'after the warmup, with nothing else in flight. Where no baseline request finished within a run (slow ops at 32 connections: autocannon drops',
    "what is in flight when a run ends), the ratio is estimated against 1 / (one request alone), the baseline's rate bound",
    'as a single in-memory event loop.',
    '',
    'The limit server (bench/limit.ts, issue 20) is what this machine allows for the four hot ops: ~90 lines of node:http and',
    'better-sqlite3 with prepared statements, a hashed bearer token looked up per request, SCIM JSON rendered from the row, POST',
    'writing the user, an outbox row and an audit row in one transaction, the last page by OFFSET; it holds as many users as',
    'the largest app directory and runs in the same run. "share of the limit" is req/s of a server ÷ req/s of the limit server.',
    '',
    renderTables(results),
    ...(results.profiles?.length ? ['', '## CPU profiles of the app processes (self time, whole run)', '', profilesSection(results.profiles)] : []),
    '',
  ].join('\n');
}

export function writeResults(results: Results, out?: string): { markdown: string; json: string } {
  const markdown = path.join(BENCH, `${out ?? 'RESULTS'}.md`);
  const json = path.join(BENCH, `${(out ?? 'RESULTS').replace(/^RESULTS/, 'results')}.json`);
  fs.writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(markdown, renderMarkdown(results));
  return { markdown, json };
}
