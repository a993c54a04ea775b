// Command-line flags of `npm run bench`, with the defaults issue 9 asks for.
import { parseArgs } from 'node:util';

export const OP_NAMES = ['filter', 'get', 'page', 'post', 'patch-user', 'group-small', 'group-large'] as const;
export type OpName = (typeof OP_NAMES)[number];

export type DbKind = 'sqlite' | 'postgres';

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
  quick: boolean;
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
`;

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
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const dbs = list(values.db!).map((d) => {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--db takes sqlite and/or postgres, got "${d}"`);
    return d;
  });
  const ops = list(values.ops!).map((o) => {
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
    quick: values.quick!,
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}
