// The scimmy baseline as a target: bench/baseline.ts in its own process, seeded through its control endpoint.
import crypto from 'node:crypto';
import path from 'node:path';
import { ServerProcess } from './child';
import type { BenchOptions } from './options';
import { type Target, createGroups, sizeLabel } from './target';

const ROOT = path.join(__dirname, '..');

async function control<T>(origin: string, route: string, body?: unknown): Promise<T | undefined> {
  const res = await fetch(`${origin}/bench${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`baseline ${route}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : ((await res.json()) as T);
}

/** An empty baseline server (bench/baseline.ts) in its own process. */
export async function spawnBaseline(label: string): Promise<{ proc: ServerProcess; origin: string; token: string }> {
  const token = crypto.randomBytes(16).toString('hex');
  // --import tsx keeps a single process (tsx's CLI would put a supervisor in front), so the pid is the server's.
  const proc = new ServerProcess(
    label,
    ['--import', 'tsx', path.join(__dirname, 'baseline.ts')],
    { BASELINE_TOKEN: token, PORT: '0', NODE_ENV: 'production' },
    ROOT,
  );
  const port = Number((await proc.waitForOutput(/"listening":(\d+)/))[1]);
  return { proc, origin: `http://127.0.0.1:${port}`, token };
}

export async function startBaseline(opts: BenchOptions): Promise<Target> {
  const users = opts.baselineUsers;
  const label = `baseline ${sizeLabel(users)}`;
  const { proc, origin, token } = await spawnBaseline(label);
  const seedStarted = performance.now();
  const userIds = (await control<{ ids: string[] }>(origin, '/seed', { prefix: 'user', count: users }))!.ids;
  const poolIds = (await control<{ ids: string[] }>(origin, '/seed', { prefix: 'pool', count: opts.pool }))!.ids;
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const base = `${origin}/scim/v2`;
  const groups = await createGroups(base, token, userIds, { small: opts.smallGroup, large: opts.largeGroup });
  await control(origin, '/checkpoint');
  return {
    key: `baseline-${users}`,
    label,
    kind: 'baseline',
    users,
    total: users + opts.pool,
    base,
    token,
    userIds,
    poolIds,
    groups: { small: groups.small, large: groups.large },
    process: proc,
    seedSeconds,
    bulkMembersSeconds: groups.bulkMembersSeconds,
    rssAfterSeed: proc.memory().rss,
    // scimmy would rewrite the whole group for a removal too; a direct restore keeps resets cheap.
    async resetGroup() {
      await control(origin, '/restore');
    },
  };
}
