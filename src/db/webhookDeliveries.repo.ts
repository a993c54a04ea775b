// One row per (webhook, event): its attempts, last answer, next attempt and final status.
import type { Tx } from './knex';
import { int, optText, rowCodec, text, time } from './codec';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  mspId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  sendingUntil: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const optInt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const DELIVERY = rowCodec<WebhookDelivery>({
  id: text,
  mspId: text,
  webhookId: text,
  eventId: text,
  eventType: text,
  status: text,
  attempts: int,
  lastStatusCode: optInt,
  lastError: optText,
  lastAttemptAt: optText,
  nextAttemptAt: optText,
  sendingUntil: optText,
  createdAt: time,
  finishedAt: optText,
});

/** Inserts the delivery unless the hook has one for the event; returns the row that exists now. */
export async function ensureDelivery(tx: Tx, d: WebhookDelivery): Promise<WebhookDelivery> {
  await tx('webhook_deliveries').insert(DELIVERY.write(d)).onConflict(['webhook_id', 'event_id']).ignore();
  return DELIVERY.read(await tx('webhook_deliveries').where({ webhook_id: d.webhookId, event_id: d.eventId }).first());
}

export async function getDelivery(tx: Tx, id: string): Promise<WebhookDelivery | undefined> {
  return DELIVERY.maybe(await tx('webhook_deliveries').where({ id }).first());
}

/**
 * Takes attempt `attempt` of a pending delivery: only when the one before it was the last taken
 * and no sender is in flight. Returns false when someone else took it or it is finished.
 */
export async function claimAttempt(
  tx: Tx,
  id: string,
  attempt: number,
  c: { now: string; sendingUntil: string; nextAttemptAt: string | null },
): Promise<boolean> {
  const n = await tx('webhook_deliveries')
    .where({ id, status: 'pending', attempts: attempt - 1 })
    .andWhere((w) => w.whereNull('sending_until').orWhere('sending_until', '<', c.now))
    .update({ attempts: attempt, last_attempt_at: c.now, sending_until: c.sendingUntil, next_attempt_at: c.nextAttemptAt });
  return n > 0;
}

/** What the attempt got: delivered, failed for good, or failed with a next attempt already queued. */
export async function recordAttempt(
  tx: Tx,
  id: string,
  attempt: number,
  r: { status: DeliveryStatus; statusCode: number | null; error: string | null; now: string },
): Promise<void> {
  await tx('webhook_deliveries')
    .where({ id, attempts: attempt })
    .update({
      status: r.status,
      last_status_code: r.statusCode,
      last_error: r.error?.slice(0, 500) ?? null,
      sending_until: null,
      ...(r.status === 'pending' ? {} : { finished_at: r.now, next_attempt_at: null }),
    });
}

export async function listDeliveries(tx: Tx, mspId: string, q: { webhookId?: string; limit: number }): Promise<WebhookDelivery[]> {
  const query = tx('webhook_deliveries').where({ msp_id: mspId });
  if (q.webhookId) query.andWhere({ webhook_id: q.webhookId });
  return (
    await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(q.limit)
  ).map(DELIVERY.read);
}
