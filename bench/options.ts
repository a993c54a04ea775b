// Command-line flags of `npm run bench`, with the defaults issue 9 asks for.
import { parseArgs } from 'node:util';

export const OP_NAMES = ['filter', 'get', 'page', 'post', 'patch-user', 'group-small', 'group-large'] as const;
export type OpName = (typeof OP_NAMES)[number];

export type DbKind = 'sqlite' | 'postgres';

/** The issue-9 scenarios beyond the per-op comparison (bench/scenarios/). */
export const SCENARIO_NAMES = ['sync', 'invite-latency', 'mailer', 'tenants', 'companies', 'scaleout', 'start'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  dbs: DbKind[];
  /** Users in each app directory; every op runs against every size. */
  appUsers: number[];
  baselineUsers: number;
  /** Extra users, in no group, that the group PATCHes add (one per request). */
  pool: number;
  smallGroup: number;
  largeGroup: number;
  connections: number;
  /** Seconds per measured run. */
  duration: number;
  warmup: number;
  /** Measured runs per op and target, interleaved app, baseline, app, baseline… */
  rounds: number;
  ops: OpName[];
  /** Walk every page of every directory once (an IdP's full import). */
  fullImport: boolean;
  pgUrl: string;
  poolMax: number;
  redisUrl: string;
  build: boolean;
  /** Run the app processes with --cpu-prof and summarise where their time went. */
  profile: boolean;
  /** Where the report goes: bench/<out>.md and bench/<out>.json (default RESULTS.md and results.json). */
  out: string | undefined;
  quick: boolean;
  /** Which scenarios run (each off with --no-<name>). */
  scenarios: Record<ScenarioName, boolean>;
  /** Initial sync: users, then groups of groupSize members, over syncConnections. */
  syncUsers: number;
  syncGroups: number;
  syncGroupSize: number;
  syncConnections: number;
  /** Single POSTs timed to their email. */
  inviteSamples: number;
  /** Invitations sent by the worker and by the bare nodemailer loop. */
  mailerCount: number;
  /** Many tenants: accounts, each at tenantRate req/s (open loop) for tenantSeconds, users each. */
  tenants: number;
  tenantRate: number;
  tenantSeconds: number;
  tenantUsers: number;
  /** Past capacity: offered overloadFactor × the rate, for overloadSeconds, per-token limit = tenantRate. */
  overloadFactor: number;
  overloadSeconds: number;
  /** SCIM_RATE_PER_TOKEN of the past-capacity phase (default: the tenant rate). */
  overloadLimit: number;
  /** Managed Companies list: companies under one MSP, loader connections. */
  companies: number;
  companiesConnections: number;
  /** Scale-out: users in the PostgreSQL directory both serve processes read. */
  scaleoutUsers: number;
  /** `mspbridge start`: users pushed before the ops run while their emails drain; WORKER_YIELD_RATE values, one run each. */
  startUsers: number;
  startYieldRates: number[];
  /** The command line as typed, for RESULTS.md. */
  command: string;
}

const HELP = `npm run bench -- [flags]

  --db sqlite|postgres|sqlite,postgres   databases for the app (default sqlite)
  --users 10000,100000                   app directory sizes (1000000 works; seeding takes a while)
  --baseline-users 10000                 users in the scimmy baseline
  --pool 5000                            extra users the group PATCHes add, one per request
  --groups 10,10000                      members of the small and the large group
  --connections 32  --duration 5  --warmup 1  --rounds 2
  --quick                                2 s runs, 1 s warmups (smoke run)
  --ops ${OP_NAMES.join(',')}
  --no-import                            skip the page-by-page full import
  --pg-url postgres://postgres@127.0.0.1:5432/test   --pool-max 10
  --redis-url redis://127.0.0.1:6379
  --no-build                             do not rebuild dist/ first
  --profile                              --cpu-prof the app processes, summary in RESULTS.md
  --out RESULTS-1M                       write bench/RESULTS-1M.md and bench/results-1M.json instead of RESULTS.md / results.json
  --ops none                             skip the per-op comparison (only the scenarios below)

Scenarios (after the per-op comparison; each off with --no-<name>, or pick with --scenarios a,b):
  --no-sync             initial sync: --sync-users 10000 --sync-groups 100 --sync-group-size 100
                        --sync-connections 8 (quick: 1000 users, 10 groups); app (serve + worker +
                        SMTP sink) vs the baseline; every invitation email within 60 s, exactly once
  --no-invite-latency   --invite-samples 10: single POST /Users → email at the SMTP server
  --no-mailer           --mailer-count 2000 (quick 300): invitation worker vs a bare pooled nodemailer loop
  --no-tenants          --tenants 40 --tenant-rate 25 --tenant-seconds 60 (quick 15) --tenant-users 1000
                        (quick 200), open loop; then --overload 3 × the rate for --overload-seconds 20
                        (quick 8) with SCIM_RATE_PER_TOKEN = --overload-limit (default: the tenant rate)
  --no-companies        --companies 10000 --companies-connections 8: GET /api/v1/companies search + sort
  --no-start            \`mspbridge start\` (API + workers in one process, SQLite): --start-users 20000
                        (quick 2000) pushed over SCIM, then filter/get/page/POST while their emails drain,
                        vs the baseline; once per --start-yield rate (WORKER_YIELD_RATE, default 20; 0,20
                        compares with workers that never yield)
  --no-scaleout         two serve processes vs one on PostgreSQL (own schema; needs --pg-url),
                        --scaleout-users 10000, --duration/--rounds/--connections as the ops
`;

function outName(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[\w-]+$/.test(raw)) throw new Error(`--out takes a file name stem (letters, digits, - _), got "${raw}"`);
  return raw;
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, got "${raw}"`);
  return n;
}

function seconds(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number of seconds, got "${raw}"`);
  return n;
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      db: { type: 'string', default: 'sqlite' },
      users: { type: 'string', default: '10000,100000' },
      'baseline-users': { type: 'string', default: '10000' },
      pool: { type: 'string', default: '5000' },
      groups: { type: 'string', default: '10,10000' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
      ops: { type: 'string', default: OP_NAMES.join(',') },
      'no-import': { type: 'boolean', default: false },
      'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
      'pool-max': { type: 'string', default: '10' },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
      'no-build': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
      scenarios: { type: 'string', default: SCENARIO_NAMES.join(',') },
      ...Object.fromEntries(SCENARIO_NAMES.map((n) => [`no-${n}`, { type: 'boolean' as const, default: false }])),
      'sync-users': { type: 'string' },
      'sync-groups': { type: 'string' },
      'sync-group-size': { type: 'string', default: '100' },
      'sync-connections': { type: 'string', default: '8' },
      'invite-samples': { type: 'string' },
      'mailer-count': { type: 'string' },
      tenants: { type: 'string', default: '40' },
      'tenant-rate': { type: 'string', default: '25' },
      'tenant-seconds': { type: 'string' },
      'tenant-users': { type: 'string' },
      overload: { type: 'string', default: '3' },
      'overload-seconds': { type: 'string' },
      'overload-limit': { type: 'string' },
      companies: { type: 'string', default: '10000' },
      'companies-connections': { type: 'string', default: '8' },
      'scaleout-users': { type: 'string', default: '10000' },
      'start-users': { type: 'string' },
      'start-yield': { type: 'string', default: '20' },
    },
  });
  const flag = (name: string) => (values as Record<string, unknown>)[name] as string | undefined;
  const quick = values.quick!;
  const int = (name: string, full: number, short = full) => positiveInt(name, flag(name) ?? String(quick ? short : full));
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const dbs = list(values.db!).map((d) => {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--db takes sqlite and/or postgres, got "${d}"`);
    return d;
  });
  const ops = (values.ops === 'none' ? [] : list(values.ops!)).map((o) => {
    if (!(OP_NAMES as readonly string[]).includes(o)) throw new Error(`unknown op "${o}" (known: ${OP_NAMES.join(', ')})`);
    return o as OpName;
  });
  const [smallGroup, largeGroup] = list(values.groups!).map((g) => positiveInt('groups', g));
  if (smallGroup === undefined || largeGroup === undefined) throw new Error('--groups takes two sizes, e.g. 10,10000');
  const appUsers = [...new Set(list(values.users!).map((u) => positiveInt('users', u)))].sort((a, b) => a - b);
  const baselineUsers = positiveInt('baseline-users', values['baseline-users']!);
  const smallest = Math.min(baselineUsers, ...appUsers);
  if (largeGroup > smallest) throw new Error(`the large group (${largeGroup}) cannot have more members than the smallest directory (${smallest} users)`);
  const poolMax = positiveInt('pool-max', values['pool-max']!);
  const picked = list(values.scenarios!).map((n) => {
    if (!(SCENARIO_NAMES as readonly string[]).includes(n)) throw new Error(`unknown scenario "${n}" (known: ${SCENARIO_NAMES.join(', ')})`);
    return n as ScenarioName;
  });
  const scenarios = Object.fromEntries(SCENARIO_NAMES.map((n) => [n, picked.includes(n) && !(values as Record<string, unknown>)[`no-${n}`]])) as Record<
    ScenarioName,
    boolean
  >;
  const overloadFactor = Number(values.overload);
  if (!Number.isFinite(overloadFactor) || overloadFactor <= 1) throw new Error(`--overload must be a factor above 1, got "${values.overload}"`);
  if (dbs.includes('postgres') && poolMax < 8) throw new Error('issue 9 measures PostgreSQL with a pool of at least 8: --pool-max ≥ 8');
  return {
    dbs: [...new Set(dbs)],
    appUsers,
    baselineUsers,
    pool: positiveInt('pool', values.pool!),
    smallGroup,
    largeGroup,
    connections: positiveInt('connections', values.connections!),
    duration: values.duration ? seconds('duration', values.duration) : values.quick ? 2 : 5,
    warmup: values.warmup ? seconds('warmup', values.warmup) : 1,
    rounds: positiveInt('rounds', values.rounds!),
    ops,
    fullImport: !values['no-import'],
    pgUrl: values['pg-url']!,
    poolMax,
    redisUrl: values['redis-url']!,
    build: !values['no-build'],
    profile: values.profile!,
    out: outName(values.out),
    quick,
    scenarios,
    syncUsers: int('sync-users', 10_000, 1000),
    syncGroups: int('sync-groups', 100, 10),
    syncGroupSize: int('sync-group-size', 100),
    syncConnections: int('sync-connections', 8),
    inviteSamples: int('invite-samples', 10),
    mailerCount: int('mailer-count', 2000, 300),
    tenants: int('tenants', 40),
    tenantRate: int('tenant-rate', 25),
    tenantSeconds: values['tenant-seconds'] ? seconds('tenant-seconds', values['tenant-seconds']) : quick ? 15 : 60,
    tenantUsers: int('tenant-users', 1000, 200),
    overloadFactor,
    overloadLimit: values['overload-limit'] ? positiveInt('overload-limit', values['overload-limit']) : positiveInt('tenant-rate', values['tenant-rate']!),
    overloadSeconds: values['overload-seconds'] ? seconds('overload-seconds', values['overload-seconds']) : quick ? 8 : 20,
    companies: int('companies', 10_000),
    companiesConnections: int('companies-connections', 8),
    scaleoutUsers: int('scaleout-users', 10_000),
    startUsers: int('start-users', 20_000, 2000),
    startYieldRates: list(values['start-yield']!).map((r) => {
      const n = Number(r);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--start-yield takes rates ≥ 0, got "${r}"`);
      return n;
    }),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}
