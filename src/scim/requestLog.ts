// Buffers SCIM request log entries and writes them in batches, off the request's own transaction.
import type { Db } from '../db/knex';
import { insertScimRequests, type ScimRequestEntry } from '../db/scimRequests.repo';
import type { Logger } from '../logger';
import { unitOfWork } from '../db/unitOfWork';

const SECRET_KEY = /pass(word)?|secret|token|credential/i;
const MAX_BODY_CHARS = 16_384;

/** A copy of a request body with secrets replaced and size bounded, fit for a debugging log. */
export function redact(body: unknown, depth = 0): unknown {
  if (depth > 8) return '[nested]';
  if (Array.isArray(body)) return body.slice(0, 50).map((v) => redact(v, depth + 1));
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  if (typeof body === 'string' && body.length > 1000) return `${body.slice(0, 1000)}…`;
  return body;
}

export function boundedBody(body: unknown): unknown {
  if (body === undefined) return undefined;
  const r = redact(body);
  const text = JSON.stringify(r);
  return text.length > MAX_BODY_CHARS ? { truncated: true, prefix: text.slice(0, MAX_BODY_CHARS) } : r;
}

/** The IdP behind a request, from its User-Agent (what the troubleshooting guide groups by). */
export function detectIdp(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  if (/okta/i.test(userAgent)) return 'okta';
  if (/azure|microsoft|aad|entra/i.test(userAgent)) return 'entra';
  if (/onelogin/i.test(userAgent)) return 'onelogin';
  if (/jumpcloud/i.test(userAgent)) return 'jumpcloud';
  if (/google/i.test(userAgent)) return 'google';
  return 'other';
}

/**
 * The SCIM request log, off the request path: entries wait in a bounded buffer and are written in
 * batches, one transaction each, when the interval passes, when a batch is full, and at shutdown.
 * A request never waits for its log row; when the database cannot keep up, the buffer stops
 * growing at its bound and what does not fit is counted as dropped (and said in the process log).
 */
export class RequestLog {
  private buffer: ScimRequestEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Entries written, and entries lost (buffer full, or their batch failed), since start. */
  readonly counts = { written: 0, dropped: 0 };
  private droppedUnreported = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly flushEveryMs = 250,
    private readonly maxBuffered = 5000,
    private readonly batchSize = 500,
  ) {}

  add(entry: ScimRequestEntry): void {
    if (this.buffer.length >= this.maxBuffered) {
      // The log is best effort; requests are not.
      this.counts.dropped++;
      this.droppedUnreported++;
      return;
    }
    this.buffer.push(entry);
    if (this.buffer.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushEveryMs);
      this.timer.unref();
    }
  }

  /** Writes what is buffered (after the batches already on their way); resolves once it is written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    const dropped = this.droppedUnreported;
    this.droppedUnreported = 0;
    this.flushing = this.flushing.then(async () => {
      if (dropped) this.log.warn({ dropped }, 'SCIM request log buffer full: entries dropped');
      if (!batch.length) return;
      try {
        await unitOfWork(this.db, async (tx) => {
          for (let i = 0; i < batch.length; i += 200) await insertScimRequests(tx, batch.slice(i, i + 200));
        });
        this.counts.written += batch.length;
      } catch (err) {
        this.counts.dropped += batch.length;
        this.log.warn({ err: (err as Error).message, dropped: batch.length }, 'could not write the SCIM request log');
      }
    });
    return this.flushing;
  }
}
