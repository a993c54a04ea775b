// The limit server (bench/limit.ts) as a target: what this machine allows for the four hot SCIM ops.
import crypto from 'node:crypto';
import path from 'node:path';
import { ServerProcess } from './child';
import type { BenchOptions, OpName } from './options';
import { type Target, sizeLabel } from './target';

const ROOT = path.join(__dirname, '..');

/** The ops the limit server answers; the others are not measured against it. */
export const LIMIT_OPS: ReadonlySet<OpName> = new Set(['filter', 'get', 'page', 'post']);

/** A SQLite file in the run's folder with the largest app directory's users, served by bench/limit.ts. */
export async function startLimit(opts: BenchOptions, runDir: string): Promise<Target> {
  const users = Math.max(...opts.appUsers);
  const token = crypto.randomBytes(16).toString('hex');
  const label = `limit sqlite ${sizeLabel(users)}`;
  const started = performance.now();
  const proc = new ServerProcess(
    label,
    ['--import', 'tsx', path.join(__dirname, 'limit.ts')],
    {
      LIMIT_TOKEN: token,
      LIMIT_USERS: String(users),
      LIMIT_POOL: String(opts.pool),
      LIMIT_DB: path.join(runDir, 'limit.sqlite'),
      PORT: '0',
      NODE_ENV: 'production',
    },
    ROOT,
  );
  const port = Number((await proc.waitForOutput(/"listening":(\d+)/, 120_000))[1]);
  const origin = `http://127.0.0.1:${port}`;
  const ids = (await (await fetch(`${origin}/bench/ids`)).json()) as string[];
  const seedSeconds = (performance.now() - started) / 1000;
  const none = { id: '', size: 0 };
  return {
    key: `limit-sqlite-${users}`,
    label,
    kind: 'limit',
    db: 'sqlite',
    users,
    total: users + opts.pool,
    base: `${origin}/scim/v2`,
    token,
    userIds: ids.slice(0, users),
    poolIds: ids.slice(users),
    groups: { small: none, large: none },
    process: proc,
    seedSeconds,
    bulkMembersSeconds: 0,
    rssAfterSeed: proc.memory().rss,
    async resetGroup() {
      throw new Error('the limit server has no groups');
    },
  };
}
