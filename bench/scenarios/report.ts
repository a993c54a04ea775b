// The scenarios' sections of bench/RESULTS.md: how each was measured, then its numbers.
import { mb, num, table } from '../markdown';
import type { Latency } from '../http';
import type { BenchOptions } from '../options';
import { type Failed, type ScenarioResults, isFailed } from './index';
import type { Phase } from './tenants';

type Settings = Omit<BenchOptions, 'command' | 'build' | 'quick'>;

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : num(n));
const s1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : `${num(n, 1)} s`);
const codes = (c: Record<string, number>) =>
  Object.entries(c)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${num(v)}×${k}`)
    .join(' ');
const problems = (list: string[]) => (list.length ? list.map((p) => p.replace(/\|/g, '\\|').slice(0, 200)).join('; ') : 'none');
const failedRow = (what: string, f: Failed, width: number) => [
  what,
  `failed: ${f.failed.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300)}`,
  ...Array<string>(Math.max(0, width - 2)).fill(''),
];

function sync(r: NonNullable<ScenarioResults['sync']>): string {
  const s = r.settings;
  const head = [
    'server',
    'push',
    'users / groups',
    'statuses',
    'emails (distinct / expected)',
    'duplicates',
    'without link',
    'first / last email',
    `within ${s.emailSeconds} s`,
    'emails/s',
    'RSS peak serve / worker',
    'wrong answers',
  ];
  const rows: string[][] = [];
  for (const a of r.apps) {
    if (isFailed(a)) {
      rows.push(failedRow(`app ${a.db ?? ''}`, a, head.length));
      continue;
    }
    const e = a.emails;
    rows.push([
      `app ${a.db}`,
      s1(a.seconds),
      `${s1(a.usersSeconds)} / ${s1(a.groupsSeconds)}`,
      codes(a.statuses),
      `${num(e.unique)} / ${num(e.expected)}`,
      num(e.duplicates),
      num(e.withoutLink),
      `${s1(e.firstSeconds)} / ${s1(e.lastSeconds)}`,
      num(e.withinDeadline),
      num(e.perSecond),
      `${mb(a.rss.serve)} / ${mb(a.rss.worker)}`,
      problems(a.problems),
    ]);
  }
  const b = r.baseline;
  if (b && isFailed(b)) rows.push(failedRow('baseline', b, head.length));
  else if (b)
    rows.push([
      'baseline',
      s1(b.seconds),
      `${s1(b.usersSeconds)} / ${s1(b.groupsSeconds)}`,
      codes(b.statuses),
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      problems(b.problems),
    ]);
  return [
    '## Initial sync',
    '',
    `An IdP's first push: ${num(s.users)} × POST /Users, then ${num(s.groups)} × POST /Groups with ${num(s.groupSize)} members each, over ${s.connections} keep-alive`,
    'connections (closed loop, the same loader for both servers). The app is a fresh database with one company, `mspbridge serve`',
    'and `mspbridge worker` (SMTP_URL at an smtp-server in the bench process, which records every envelope recipient and when its',
    'DATA ended); the baseline is a fresh bench/baseline.ts. Every answer is checked (201, the userName/members sent), then every',
    'group is read back and 20 users are looked up by userName. Email times count from the first POST; "within" counts distinct',
    'recipients whose email ended by the deadline; the run waits up to 2 minutes past it, then 3 s more for late duplicates.',
    'RSS is sampled every 250 ms from the first POST until the last email.',
    '',
    table(head, rows, ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
}

function latency(list: NonNullable<ScenarioResults['inviteLatency']>): string {
  const head = ['app', 'POSTs', 'POST answer p50 / max', 'POST → email p50', 'POST → email max', 'missing', 'duplicates', 'wrong answers'];
  const rows = list.map((r) =>
    isFailed(r)
      ? failedRow(`app ${r.db ?? ''}`, r, head.length)
      : [
          `app ${r.db}`,
          num(r.samples),
          `${ms(r.post.p50)} / ${ms(r.post.max)} ms`,
          `${ms(r.mail.p50)} ms`,
          `${ms(r.mail.max)} ms`,
          num(r.missing),
          num(r.duplicates),
          problems(r.problems),
        ],
  );
  return [
    '## A single invitation',
    '',
    'On the same deployment once the sync is done and both processes are idle: one POST /Users at a time, 300 ms apart, each',
    "timed from the start of the POST to the end of its email's DATA at the SMTP sink (outbox row → relay poll, OUTBOX_POLL_MS",
    'default 200 ms → BullMQ → invitations worker → SMTP).',
    '',
    table(head, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
}

function mailer(list: NonNullable<ScenarioResults['mailer']>): string {
  const head = [
    'app',
    'emails each',
    'worker: first → last',
    'worker mails/s',
    'nodemailer: first → last',
    'nodemailer mails/s',
    'worker ÷ nodemailer',
    'CPU ms per mail: worker / loop + sink',
    'distinct (worker / nodemailer)',
    'duplicates',
    'wrong',
  ];
  const rows = list.map((r) =>
    isFailed(r)
      ? failedRow(`app ${r.db ?? ''}`, r, head.length)
      : [
          `app ${r.db}`,
          num(r.count),
          s1(r.worker.seconds),
          num(r.worker.perSecond),
          s1(r.nodemailer.seconds),
          num(r.nodemailer.perSecond),
          `${r.ratio.toFixed(2)}×`,
          `${num((r.worker.senderCpuSeconds * 1000) / Math.max(1, r.worker.messages), 1)} / ${num((r.nodemailer.senderCpuSeconds * 1000) / Math.max(1, r.nodemailer.messages), 1)}`,
          `${num(r.worker.unique)} / ${num(r.nodemailer.unique)}`,
          `${num(r.worker.duplicates)} / ${num(r.nodemailer.duplicates)}`,
          problems(r.problems),
        ],
  );
  return [
    '## Invitation worker vs a bare nodemailer loop',
    '',
    "With the worker stopped, N users are POSTed and serve's outbox relay hands their N invitation jobs to BullMQ (checked: no",
    'invitation row left unrelayed). Then a fresh `mspbridge worker` drains them: outbox job → claim in the database → SMTP (its',
    'pool of 5 connections, the SMTP_URL default) → "sent" recorded before the final "." → job done. After it, the bench process',
    'sends N messages from the same template through `nodemailer.createTransport({ pool: true, maxConnections: 5 })`, all queued',
    'at once. Both are timed at the sink from their first message to their last (so neither start-up counts), and each',
    'recipient must get exactly one message. CPU: the worker process while it drained; for the loop, the bench process (the SMTP',
    "sink included, which the worker's figure leaves out).",
    '',
    table(head, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
}

function lat(l: Latency | undefined): string {
  return l && l.count ? `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}` : '—';
}

function tenants(list: NonNullable<ScenarioResults['tenants']>, settings: Settings): string {
  const head = [
    'app',
    'phase',
    'offered req/s',
    'per-token limit',
    'answered/s',
    '2xx/s',
    'all p50 / p99 / max ms',
    '2xx p50 / p99 / max ms',
    '429 p50 / p99 / max ms',
    'statuses',
    'integer Retry-After',
    'wrong',
    'drain',
    'loader late p99 / max ms',
    'CPU-s server / loader',
  ];
  const rows: string[][] = [];
  const phaseRow = (db: string, name: string, p: Phase) => [
    `app ${db}`,
    name,
    num(p.offeredRate),
    `${num(p.perTokenLimit)}/s`,
    num(p.answeredRate),
    num(p.okRate),
    lat(p.latency),
    lat(p.ok),
    lat(p.limited),
    codes(p.statuses),
    p.retryAfter.answers ? `${num(p.retryAfter.integer)} of ${num(p.retryAfter.answers)}` : '—',
    `${num(p.wrong)}${p.problems.length ? ` (${problems(p.problems)})` : ''}`,
    s1(p.drainSeconds),
    `${ms(p.schedulerLag.p99)} / ${ms(p.schedulerLag.max)}`,
    `${num(p.serverCpuSeconds, 1)} / ${num(p.loaderCpuSeconds, 1)}`,
  ];
  for (const r of list) {
    if (isFailed(r)) {
      rows.push(failedRow(`app ${r.db ?? ''}`, r, head.length));
      continue;
    }
    rows.push(phaseRow(r.db, `${num(r.normal.seconds)} s at the rate`, r.normal));
    rows.push(phaseRow(r.db, `${num(r.overload.seconds)} s at ${settings.overloadFactor}×`, r.overload));
  }
  return [
    '## Many tenants',
    '',
    `${settings.tenants} companies under one MSP, each with its own SCIM token and ${num(settings.tenantUsers)} users (seeded directly) plus one pushed group of 50;`,
    `each company sends ${settings.tenantRate} req/s at a constant rate, open loop: request k of a tenant is due at start + k/rate whatever the`,
    "server does, sent on that tenant's keep-alive connections (at most 8), and its latency counts from when it was due (so",
    'queueing in the server or on the connections shows, and the loader is not slowed down by a slow server). The mix: 40% filter',
    'userName eq, 25% GET /Users/{id}, 10% a page of 20, 10% PATCH active, 10% PATCH a group +1 member, 5% POST /Users; every 2xx',
    'answer is checked (the right user, a full page, the userName posted). A request without an answer 10 s after it was due is',
    `a timeout. First at the product's default per-token limit (1000/s); then, on a restarted serve with`,
    `SCIM_RATE_PER_TOKEN=${settings.overloadLimit} (burst twice that), every tenant offers ${settings.overloadFactor}× its rate: the part above the limit must be`,
    'answered 429 with an integer Retry-After, nothing 5xx, nothing left unanswered (the limiter counts requests as serve gets to',
    'them: when serve handles fewer than the limits allow in total, nobody is limited and the queue grows). "loader late" is how far behind schedule',
    'this process sent requests (its own event loop competing for the CPUs); "drain" how long after the schedule\'s end the last',
    'answer came.',
    '',
    table(head, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'l', 'r', 'r', 'r']),
  ].join('\n');
}

function companies(list: NonNullable<ScenarioResults['companies']>, settings: Settings): string {
  const head = [
    'app',
    'companies',
    'connections',
    'req/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'req per server CPU-s',
    'non-2xx / errors',
    'queries checked',
    'wrong answers',
    'slowest queries alone',
  ];
  const rows = list.map((r) =>
    isFailed(r)
      ? failedRow(`app ${r.db ?? ''}`, r, head.length)
      : [
          `app ${r.db}`,
          num(r.companies),
          num(r.connections),
          num(r.load.rps),
          num(r.load.p50),
          num(r.load.p99),
          num(r.load.max),
          num(r.load.perCpuSecond),
          `${num(r.load.non2xx)} / ${num(r.load.errors)}`,
          num(r.checked),
          problems(r.problems),
          r.slowest.map((q) => `\`${q.path.replace(/^\/companies\?/, '')}\` ${num(q.ms, 1)} ms`).join('<br>'),
        ],
  );
  return [
    '## Managed Companies list',
    '',
    `One MSP with ${num(settings.companies)} companies added by the domain (\`addCompany\`, as \`mspbridge company add\`), then given statuses`,
    "(active 50%, setup 20%, pending_link 20%, frozen 10%) and filled seats (0–250) directly. An API token of the MSP's Owner",
    '(`createApiToken`, as `mspbridge api-token create`) calls `GET /api/v1/companies` with 10 search terms (none, names, a',
    'word part, a number, one that matches nothing) × sort name/status/seats × asc/desc, plus a status filter and a later page;',
    'limit 50. First every one of those queries is checked against the answer computed from what was seeded (total, and the',
    `exact companies of the page in order), then each is timed alone; then autocannon cycles through them at the given connections,`,
    `${settings.rounds}× ${settings.duration} s after a ${settings.warmup} s warmup.`,
    '',
    table(head, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l']),
  ].join('\n');
}

function scaleout(r: NonNullable<ScenarioResults['scaleout']>, settings: Settings): string {
  const intro = [
    '## Scale-out on PostgreSQL + Redis',
    '',
    `One PostgreSQL schema with ${num(settings.scaleoutUsers)} users, two \`mspbridge serve\` processes on it (DATABASE_POOL_MAX ${settings.poolMax} each,`,
    `one Redis queue prefix). The loader is the same in both configurations: two autocannon instances of ${Math.max(1, Math.floor(settings.connections / 2))} connections each, both`,
    `at serve #1 ("1 serve") or one at each ("2 serve"), ${settings.rounds}× ${settings.duration} s each, alternating. CPU seconds: each serve process`,
    '(/proc/<pid>/stat), the loader (this process), and "other" = the whole machine\'s busy time (/proc/stat) minus those (PostgreSQL,',
    'Redis, and anything else running on the machine).',
    '',
  ];
  if (isFailed(r)) return [...intro, `Failed: ${r.failed}`].join('\n');
  const head = [
    'op',
    'servers',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU-s per serve',
    'req per serve CPU-s',
    'CPU-s loader',
    'CPU-s other',
    'machine busy',
    'non-2xx / errors',
    'two ÷ one',
  ];
  const rows: string[][] = [];
  for (const o of r.ops) {
    for (const c of [o.one, o.two]) {
      rows.push([
        o.title,
        String(c.servers),
        num(c.rps),
        num(c.p50),
        num(c.p99),
        c.serverCpuSeconds
          .slice(0, c.servers)
          .map((v) => num(v, 1))
          .join(' + '),
        num(c.perServerCpuSecond),
        num(c.loaderCpuSeconds, 1),
        num(c.otherCpuSeconds, 1),
        `${num(c.machineBusy * 100)}% of ${r.cpus} CPUs`,
        `${num(c.non2xx)} / ${num(c.errors)}`,
        c.servers === 2 ? `${o.ratio.toFixed(2)}×` : '',
      ]);
    }
  }
  return [...intro, table(head, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']), '', scaleoutNote(r)].join('\n');
}

/** What bounds the ratio, from the CPU figures. */
export function scaleoutNote(r: Exclude<NonNullable<ScenarioResults['scaleout']>, Failed>): string {
  const parts = r.ops.map((o) => {
    const serve = o.two.serverCpuSeconds.reduce((a, b) => a + b, 0);
    const busy = o.two.machineBusy;
    const eff = o.one.perServerCpuSecond > 0 ? o.two.perServerCpuSecond / o.one.perServerCpuSecond : 0;
    const split = `serve ${num(serve, 1)} s, loader ${num(o.two.loaderCpuSeconds, 1)} s, other ${num(o.two.otherCpuSeconds, 1)} s of CPU over ${num(o.two.seconds, 1)} s`;
    const bound =
      busy >= 0.9
        ? `the ${r.cpus} CPUs were ${num(busy * 100)}% busy with two serve processes (${split}): the machine's CPU, not the app, bounds the ratio`
        : `the CPUs were only ${num(busy * 100)}% busy with two serve processes (${split}): something other than CPU (database locks, connection pools, the loader) bounds it`;
    return `${o.title}: ${o.ratio.toFixed(2)}×; ${bound}; per serve CPU-second the two did ${eff.toFixed(2)}× what one did.`;
  });
  return `Closing note: ${parts.join(' ')}`;
}

function start(r: NonNullable<ScenarioResults['start']>): string {
  const intro = [
    '## `mspbridge start`: requests while the invitation emails drain',
    '',
    'API and workers in one process on SQLite (`mspbridge start`, SMTP_URL at an SMTP sink in the bench process). The users are',
    'pushed over SCIM (8 connections), then each op runs (a warmup, then the rounds, same connections and seconds as the per-op',
    'comparison) while their invitation emails drain, the baseline (bench/baseline.ts) run right after each. "pending" counts the',
    'emails not yet at the sink when the op began / ended. WORKER_YIELD_RATE 0 is the worker as before issue 20 (it never',
    'yields); otherwise job starts are spaced 1000 / rate ms apart while HTTP requests are in flight. Afterwards every pushed and',
    'POSTed user must get exactly one email.',
    '',
  ].join('\n');
  if (isFailed(r)) return `${intro}\n${table(['run', 'result'], [failedRow('mspbridge start', r, 2)])}`;
  const head = [
    'WORKER_YIELD_RATE',
    'op',
    'app req/s',
    'p50 ms',
    'p99 ms',
    'baseline req/s',
    'app ÷ baseline',
    'per server CPU-s: app / baseline',
    'pending before / after',
    'non-2xx / errors',
  ];
  const rows: string[][] = [];
  const mails: string[][] = [];
  for (const run of r.runs) {
    for (const o of [...run.ops, ...(run.postDrained ? [run.postDrained] : [])]) {
      rows.push([
        String(run.yieldRate),
        o === run.postDrained ? `${o.title} (after the drain)` : o.title,
        num(o.app.rps),
        num(o.app.p50),
        num(o.app.p99),
        num(o.baseline.rps),
        `${o.ratio.toFixed(2)}×`,
        o.cpuRatio === undefined ? '—' : `${num(o.app.perCpuSecond)} / ${num(o.baseline.perCpuSecond)} (${o.cpuRatio.toFixed(2)}×)`,
        `${num(o.pendingBefore)} / ${num(o.pendingAfter)}`,
        `${num(o.app.non2xx)} / ${num(o.app.errors)}`,
      ]);
    }
    const e = run.emails;
    mails.push([
      String(run.yieldRate),
      `${num(run.users)} in ${num(run.pushSeconds, 1)} s`,
      codes(run.pushStatuses),
      `${num(e.unique)} / ${num(e.expected)}`,
      num(e.duplicates),
      s1(e.drainedSeconds),
      mb(run.rssPeak),
      problems(run.problems),
    ]);
  }
  return [
    intro,
    table(head, rows, ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
    table(['WORKER_YIELD_RATE', 'push', 'push statuses', 'emails (distinct / expected)', 'duplicates', 'rest drained in', 'RSS peak', 'problems'], mails, [
      'r',
      'r',
      'l',
      'r',
      'r',
      'r',
      'r',
      'l',
    ]),
  ].join('\n');
}

export function renderScenarios(r: ScenarioResults, settings: Settings): string {
  const sections: string[] = [];
  if (r.sync) sections.push(sync(r.sync));
  if (r.inviteLatency) sections.push(latency(r.inviteLatency));
  if (r.mailer) sections.push(mailer(r.mailer));
  if (r.tenants) sections.push(tenants(r.tenants, settings));
  if (r.companies) sections.push(companies(r.companies, settings));
  if (r.scaleout) sections.push(scaleout(r.scaleout, settings));
  if (r.start) sections.push(start(r.start));
  return sections.join('\n\n');
}
