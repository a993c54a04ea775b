// A lean keep-alive HTTP client for the scenarios' own loaders (closed-loop pools, open-loop
// schedules): bounded sockets per client, a deadline per request, latency from a given start.
import http from 'node:http';

export interface HttpReply {
  /** 0 when no answer came (error or deadline). */
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From `startedAt` (or the send) to the end of the answer. */
  ms: number;
  error?: 'timeout' | string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: unknown;
  /** The answer must be complete this long after `startedAt`, else the request is dropped. */
  timeoutMs?: number;
  /** performance.now() at which the request was due (open-loop latency counts from there). */
  startedAt?: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  /** origin plus an optional path prefix (e.g. http://127.0.0.1:3000/scim/v2); at most maxSockets connections. */
  constructor(
    base: string,
    private readonly defaults: Record<string, string>,
    maxSockets: number,
  ) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpReply> {
    const startedAt = opts.startedAt ?? performance.now();
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (r: Omit<HttpReply, 'ms'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, ms: performance.now() - startedAt });
      };
      const req = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path: `${this.url.pathname.replace(/\/$/, '')}${path}`,
          headers: { ...this.defaults, ...opts.headers, ...(payload === undefined ? {} : { 'content-length': Buffer.byteLength(payload) }) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => done({ status: 0, headers: {}, body: '', error: err.message }));
        },
      );
      req.on('error', (err) => done({ status: 0, headers: {}, body: '', error: settled ? undefined : err.message }));
      if (opts.timeoutMs !== undefined) {
        const left = Math.max(0, startedAt + opts.timeoutMs - performance.now());
        timer = setTimeout(() => {
          done({ status: 0, headers: {}, body: '', error: 'timeout' });
          req.destroy();
        }, left);
      }
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Parses a JSON answer, undefined when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(r: HttpReply): T | undefined {
  try {
    return JSON.parse(r.body) as T;
  } catch {
    return undefined;
  }
}

/** Runs `count` jobs with at most `concurrency` at once (a closed-loop loader of `concurrency` clients). */
export async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
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

export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a list of milliseconds. */
export function latencyOf(ms: number[]): Latency {
  if (!ms.length) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = Float64Array.from(ms).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { count: s.length, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export function tally(values: Array<string | number>): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of values) t[String(v)] = (t[String(v)] ?? 0) + 1;
  return t;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until pred holds or timeoutMs passes; returns whether it held. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (await pred()) return true;
    if (performance.now() > until) return false;
    await sleep(everyMs);
  }
}
