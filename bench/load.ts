// Drives autocannon at one target for one op, and merges the runs of an op/target pair into one measurement.
import autocannon, { type RawResult } from 'autocannon';
import { type ServerProcess, machineCpu } from './child';
import type { Generator } from './ops';
import { SCIM_JSON, type Target } from './target';

export interface Measurement {
  runs: number;
  seconds: number;
  requests: number;
  /** Completed requests per second over all measured runs. */
  rps: number;
  /** CPU seconds the server process used during the runs. */
  cpuSeconds: number;
  /** Completed requests per CPU second of the server: robust to other load on the machine. */
  perCpuSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Runs that needed more pool users than there were (their later adds were no-ops). */
  poolWrapped: number;
  /** One request on its own once warm, nothing else in flight: latency without queueing. */
  aloneMs?: number;
}

export interface Run {
  raw: RawResult;
  poolWrapped: boolean;
  cpuSeconds: number;
  /** How long the server kept working on abandoned requests after the run. */
  drainSeconds: number;
}

const current = new Set<{ stop(): void }>();

/** Stops the runs in progress (cleanup on Ctrl-C). */
export function stopLoad(): void {
  for (const c of current) c.stop();
}

/** One autocannon load: the generator's requests below base (origin + path prefix), with the token. */
export interface LoadSpec {
  base: string;
  token: string;
  gen: Generator;
  connections: number;
  /** Replaces the SCIM content type and accept headers (e.g. for /api/v1). */
  headers?: Record<string, string>;
}

function startAutocannon(spec: LoadSpec, seconds: number): autocannon.Instance {
  const url = new URL(spec.base);
  const prefix = url.pathname.replace(/\/$/, '');
  return autocannon({
    url: url.origin,
    connections: spec.connections,
    duration: seconds,
    timeout: 30,
    skipAggregateResult: true,
    headers: { authorization: `Bearer ${spec.token}`, ...(spec.headers ?? { 'content-type': SCIM_JSON, accept: SCIM_JSON }) },
    requests: [
      {
        setupRequest(req) {
          const r = spec.gen.next();
          req.method = r.method;
          req.path = `${prefix}${r.path}`;
          req.body = r.body === undefined ? undefined : JSON.stringify(r.body);
          return req;
        },
      },
    ],
  });
}

export interface ParallelRun {
  /** One per spec, in order. */
  raws: RawResult[];
  /** CPU seconds each watched process used during the runs, in order. */
  cpuSeconds: number[];
  /** CPU seconds this process (the loader) used meanwhile. */
  loaderCpuSeconds: number;
  /** Wall seconds from start to the last run's end. */
  wallSeconds: number;
  /** Busy and elapsed CPU seconds of the whole machine (all CPUs) over the same span. */
  machine: { busy: number; total: number };
  drainSeconds: number;
  poolWrapped: boolean[];
}

/**
 * Several autocannon loads at once, all driven from this process, for the same seconds; the
 * CPU time of the watched server processes is taken around them, and the servers are let
 * finish abandoned requests before it returns.
 */
export async function runLoads(specs: LoadSpec[], seconds: number, watch: ServerProcess[]): Promise<ParallelRun> {
  const cpuBefore = watch.map((p) => p.cpuSeconds());
  const loaderBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const started = performance.now();
  const instances = specs.map((s) => startAutocannon(s, seconds));
  for (const i of instances) current.add(i);
  try {
    const raws = await Promise.all(instances.map((i) => Promise.resolve(i)));
    const wallSeconds = (performance.now() - started) / 1000;
    const cpuSeconds = watch.map((p, i) => p.cpuSeconds() - cpuBefore[i]!);
    const loader = process.cpuUsage(loaderBefore);
    const machineAfter = machineCpu();
    let drainSeconds = 0;
    for (const p of new Set(watch)) drainSeconds = Math.max(drainSeconds, await p.waitIdle());
    const poolWrapped: boolean[] = [];
    for (const s of specs) poolWrapped.push(await s.gen.settle());
    return {
      raws,
      cpuSeconds,
      loaderCpuSeconds: (loader.user + loader.system) / 1e6,
      wallSeconds,
      machine: { busy: machineAfter.busy - machineBefore.busy, total: machineAfter.total - machineBefore.total },
      drainSeconds,
      poolWrapped,
    };
  } finally {
    for (const i of instances) current.delete(i);
  }
}

export async function runLoad(t: Target, gen: Generator, seconds: number, connections: number): Promise<Run> {
  const r = await runLoads([{ base: t.base, token: t.token, gen, connections }], seconds, [t.process]);
  return { raw: r.raws[0]!, cpuSeconds: r.cpuSeconds[0]!, drainSeconds: r.drainSeconds, poolWrapped: r.poolWrapped[0]! };
}

export function merge(url: string, runs: Run[], connections: number, aloneMs?: number): Measurement {
  const raws = runs.map((r) => r.raw);
  // aggregateResult adds later runs' status counts into the first run's objects: give it copies.
  const agg = autocannon.aggregateResult(
    raws.map((r) => ({ ...r, statusCodeStats: structuredClone(r.statusCodeStats) })),
    { url, connections },
  );
  const requests = raws.reduce((s, r) => s + r.totalCompletedRequests, 0);
  const seconds = raws.reduce((s, r) => s + r.duration, 0);
  const cpuSeconds = runs.reduce((s, r) => s + r.cpuSeconds, 0);
  const statusCodes: Record<string, number> = {};
  for (const r of raws) for (const [code, { count }] of Object.entries(r.statusCodeStats)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    runs: runs.length,
    seconds,
    requests,
    rps: seconds > 0 ? requests / seconds : 0,
    cpuSeconds,
    perCpuSecond: cpuSeconds > 0 ? requests / cpuSeconds : 0,
    p50: agg.latency.p50,
    p99: agg.latency.p99,
    max: agg.latency.max,
    errors: raws.reduce((s, r) => s + r.errors, 0),
    non2xx: raws.reduce((s, r) => s + r.non2xx, 0),
    statusCodes,
    poolWrapped: runs.filter((r) => r.poolWrapped).length,
    aloneMs,
  };
}
