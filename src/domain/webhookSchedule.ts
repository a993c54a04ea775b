// When a webhook delivery is tried again: exponential backoff from a base delay, each wait at
// most a quarter of the retry window, the last attempt at the window's end (24 h by default).
export const WEBHOOKS_QUEUE = 'webhooks';

export interface RetrySchedule {
  /** The wait after the first failed attempt (WEBHOOK_RETRY_BASE_MS, default 30 s); doubles each time. */
  baseMs: number;
  /** How long after the event's delivery was created attempts go on (WEBHOOK_RETRY_WINDOW_MS, default 24 h). */
  windowMs: number;
  /** One attempt's deadline (WEBHOOK_TIMEOUT_MS, default 10 s). */
  timeoutMs: number;
}

/** The outbox key of one attempt: each attempt is queued once. */
export const attemptKey = (deliveryId: string, attempt: number): string => `webhook:${deliveryId}:attempt:${attempt}`;

/**
 * When attempt `attempt + 1` runs if attempt `attempt` (starting now) fails; null when this is
 * the last one (the window is over).
 */
export function nextAttemptAt(s: RetrySchedule, attempt: number, createdAt: Date, now: Date): Date | null {
  const deadline = createdAt.getTime() + s.windowMs;
  if (now.getTime() >= deadline) return null;
  const wait = Math.min(s.baseMs * 2 ** Math.min(attempt - 1, 40), s.windowMs / 4);
  return new Date(Math.min(now.getTime() + wait, deadline));
}

/** The attempts a delivery that always fails gets, with their offsets from the first (for the docs and tests). */
export function attemptOffsets(s: RetrySchedule): number[] {
  const created = new Date(0);
  const out = [0];
  let at: Date | null = created;
  for (let n = 1; at && out.length < 1000; n++) {
    at = nextAttemptAt(s, n, created, at);
    if (at) out.push(at.getTime());
  }
  return out;
}
