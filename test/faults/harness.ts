// What the fault scenarios share: real `mspbridge` processes, their memory and file handles, and
// the figures each scenario records for bench/RELIABILITY.md.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { BIN, ROOT } from '../helpers/cli';
import { REDIS_URL, freePort } from '../helpers/app';

export const FIGURES_DIR = path.join(ROOT, 'test-artifacts', 'reliability');

export interface Figures {
  scenario: string;
  injected: string;
  checked: string[];
  figures: Record<string, number | string>;
  command: string;
}

/** Saves one scenario's figures (bench/RELIABILITY.md is written from these after the run). */
export function record(f: Figures): void {
  fs.mkdirSync(FIGURES_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(FIGURES_DIR, `${f.scenario.replace(/\W+/g, '-').toLowerCase()}.json`),
    JSON.stringify({ ...f, at: new Date().toISOString() }, null, 2),
  );
}

export interface Proc {
  child: ChildProcess;
  url?: string;
  port?: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `mspbridge <mode>` as its own process; for serve, waits until it answers /healthz. */
export async function spawnMode(mode: 'serve' | 'worker' | 'start', env: Record<string, string>): Promise<Proc> {
  const port = mode === 'worker' ? undefined : await freePort();
  const child = spawn(process.execPath, [BIN, mode], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env, ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = port ? `http://127.0.0.1:${port}` : undefined;
  if (url) {
    const until = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mspbridge ${mode} exited: ${out}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`mspbridge ${mode} did not come up: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    url,
    port,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Resident memory of a process (Linux /proc), in MB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Open file descriptors of a process (sockets, files, pipes). */
export function openFds(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

/** Runs `count` async jobs with at most `concurrency` at once. */
export async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

export function tally(statuses: number[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const s of statuses) t[String(s)] = (t[String(s)] ?? 0) + 1;
  return t;
}

/** The heap still in use after a full garbage collection in the serve process (see gc-probe.js). */
export async function liveHeapMb(child: ChildProcess, file: string): Promise<number> {
  fs.rmSync(file, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  const usage = JSON.parse(fs.readFileSync(file, 'utf8')) as { heapUsed: number };
  return Math.round((usage.heapUsed / 1048576) * 10) / 10;
}

/** Removes the BullMQ keys the serve processes' outbox relays wrote under this run's prefix. */
export async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
