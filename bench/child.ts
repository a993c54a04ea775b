// A measured server process: started with its own event loop, watched for memory, stopped for sure.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { onCleanup } from './cleanup';

export interface Memory {
  /** Resident set now (VmRSS), bytes. */
  rss: number;
  /** Peak resident set since the process started (VmHWM), bytes. */
  peak: number;
}

// /proc/<pid>/stat counts CPU time in clock ticks.
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

export class ServerProcess {
  private readonly proc: ChildProcess;
  private output = '';
  private exited: Promise<number | null>;

  constructor(
    readonly label: string,
    args: string[],
    env: Record<string, string>,
    cwd: string,
  ) {
    this.proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    // Keep the tail of what the child says: it is all we have when it fails to start.
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    onCleanup(`stop ${label}`, () => this.stop());
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Polls url until it answers 2xx; fails early when the child dies. */
  async waitReady(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.label} exited during start-up:\n${this.output}`);
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.label} did not answer ${url} within ${timeoutMs / 1000} s:\n${this.output}`);
  }

  /** Waits for a line of stdout matching re (e.g. the port a child picked). */
  async waitForOutput(re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = re.exec(this.output);
      if (m) return m;
      if (!this.running) throw new Error(`${this.label} exited during start-up:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.label} printed nothing matching ${re} within ${timeoutMs / 1000} s:\n${this.output}`);
  }

  memory(): Memory {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }

  /**
   * CPU seconds (user + system) the process has used so far: on a machine shared with other
   * work, requests per CPU second stay comparable when requests per second do not.
   */
  cpuSeconds(): number {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after it are fixed (utime = 14, stime = 15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  /**
   * Waits until the process stops using CPU: requests the loader abandoned at the end of a run
   * are still being worked on, and must neither steal CPU from the next server's run nor
   * land after a reset. Returns the seconds waited.
   */
  async waitIdle(maxMs = 90_000): Promise<number> {
    const started = Date.now();
    const sliceMs = 250;
    while (this.running && Date.now() - started < maxMs) {
      const before = this.cpuSeconds();
      await new Promise((r) => setTimeout(r, sliceMs));
      // Under 5% of a CPU: only timers (the app's outbox relay polls) are left.
      if (this.running && this.cpuSeconds() - before < 0.05 * (sliceMs / 1000)) break;
    }
    return (Date.now() - started) / 1000;
  }

  /** SIGTERM (lets --cpu-prof write its profile), SIGKILL if it lingers. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Busy and total CPU seconds of the whole machine so far, all CPUs together (/proc/stat). */
export function machineCpu(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** A free port on 127.0.0.1 for a child that must know its URL before it listens (PUBLIC_URL). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
