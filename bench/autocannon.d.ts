// Types for the part of autocannon 9's API the harness uses (the package ships none).
declare module 'autocannon' {
  function autocannon(opts: autocannon.Options): autocannon.Instance;

  namespace autocannon {
    function aggregateResult(results: RawResult[], opts: { url: string; connections?: number }): Result;

    interface RawRequest {
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string | Buffer;
    }

    interface RequestSpec {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      setupRequest?: (req: RawRequest, context: Record<string, unknown>) => RawRequest | false;
    }

    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      timeout?: number;
      headers?: Record<string, string>;
      requests?: RequestSpec[];
      /** Resolve with the raw result (encoded histograms) so several runs can be merged. */
      skipAggregateResult?: boolean;
    }

    /** What a run resolves to with skipAggregateResult: counters and HDR histograms, encoded. */
    interface RawResult {
      latencies: string;
      requests: string;
      throughput: string;
      totalCompletedRequests: number;
      totalRequests: number;
      totalBytes: number;
      samples: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      duration: number;
      start: Date;
      finish: Date;
      statusCodeStats: Record<string, { count: number }>;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      latency: Histogram & { totalCount: number };
      requests: Histogram & { sent: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends PromiseLike<RawResult> {
      stop(): void;
    }
  }

  export = autocannon;
}
