// Drives autocannon at one target for one op, and merges the runs of an op/target pair into one measurement.
import autocannon, { type RawResult } from 'autocannon';
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

let current: { stop(): void } | undefined;

/** Stops a run in progress (cleanup on Ctrl-C). */
export function stopLoad(): void {
  current?.stop();
}

export async function runLoad(t: Target, gen: Generator, seconds: number, connections: number): Promise<Run> {
  const url = new URL(t.base);
  const instance = autocannon({
    url: url.origin,
    connections,
    duration: seconds,
    timeout: 30,
    skipAggregateResult: true,
    headers: { authorization: `Bearer ${t.token}`, 'content-type': SCIM_JSON, accept: SCIM_JSON },
    requests: [
      {
        setupRequest(req) {
          const r = gen.next();
          req.method = r.method;
          req.path = `${url.pathname}${r.path}`;
          req.body = r.body === undefined ? undefined : JSON.stringify(r.body);
          return req;
        },
      },
    ],
  });
  current = instance;
  const cpuBefore = t.process.cpuSeconds();
  try {
    const raw = await instance;
    const cpuSeconds = t.process.cpuSeconds() - cpuBefore;
    const drainSeconds = await t.process.waitIdle();
    return { raw, cpuSeconds, drainSeconds, poolWrapped: await gen.settle() };
  } finally {
    current = undefined;
  }
}

export function merge(url: string, runs: Run[], connections: number, aloneMs?: number): Measurement {
  const raws = runs.map((r) => r.raw);
  const agg = autocannon.aggregateResult(raws, { url, connections });
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
