// An MSP's webhooks: adding one (its signing secret shown once, stored sealed), listing and
// removing them, their deliveries, and each delivery attempt's claim and record.
import crypto from 'node:crypto';
import { newId } from '../db/codec';
import { getMspEvent } from '../db/mspEvents.repo';
import { type Webhook, deleteWebhook, getWebhook, insertWebhook, listWebhooks } from '../db/notifications.repo';
import { type WebhookDelivery, claimAttempt, getDelivery, listDeliveries, recordAttempt } from '../db/webhookDeliveries.repo';
import { enqueue } from '../db/outbox.repo';
import { auditOn } from './audit';
import { requireMsp } from './companies';
import { type Ctx, nowIso } from './context';
import { Invalid, NotFound } from './errors';
import { MSP_EVENT_TYPES } from './mspEvents';
import { openSealed, sealSecret } from './secrets';
import { type RetrySchedule, WEBHOOKS_QUEUE, attemptKey, nextAttemptAt } from './webhookSchedule';

const SEAL_PURPOSE = 'webhook-secret';
export const MAX_WEBHOOKS_PER_MSP = 20;

export interface WebhookView {
  id: string;
  url: string;
  events: string[] | null;
  createdAt: string;
}

const webhookView = (w: Webhook): WebhookView => ({ id: w.id, url: w.url, events: w.events, createdAt: w.createdAt });

/** The event names a hook may ask for; unknown ones are refused with the list. */
export function parseEvents(raw: string[] | undefined): string[] | null {
  if (!raw) return null;
  const names = [...new Set(raw.map((e) => e.trim()).filter(Boolean))];
  if (!names.length) return null;
  const unknown = names.filter((e) => !(MSP_EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length)
    throw new Invalid('webhook.events.unknown', `Unknown event ${unknown.join(', ')}; the events are: ${MSP_EVENT_TYPES.join(', ')}.`, {
      unknown,
      valid: [...MSP_EVENT_TYPES],
    });
  return names;
}

export interface AddWebhookInput {
  mspId: string;
  url: string;
  events?: string[];
}

/**
 * `webhook add`: the URL is vetted by the adapter (`vet` resolves the host and refuses private
 * addresses); the secret is returned this once and kept only sealed with the deployment key.
 */
export async function addWebhook(
  ctx: Ctx,
  input: AddWebhookInput,
  deps: { secret: Buffer; vet: (url: string) => Promise<URL> },
): Promise<{ id: string; secret: string }> {
  const msp = await requireMsp(ctx, input.mspId, 'notifications.manage');
  const events = parseEvents(input.events);
  const url = (await deps.vet(input.url)).toString();
  if (url.length > 2000) throw new Invalid('webhook.url.too_long', 'The webhook URL is longer than 2000 characters.');
  if ((await listWebhooks(ctx.tx, msp.id)).length >= MAX_WEBHOOKS_PER_MSP)
    throw new Invalid('webhook.limit', `An MSP has at most ${MAX_WEBHOOKS_PER_MSP} webhooks; remove one first.`);
  const secret = `whsec_${crypto.randomBytes(32).toString('base64url')}`;
  const id = newId();
  await insertWebhook(ctx.tx, {
    id,
    mspId: msp.id,
    url,
    events,
    secretSealed: sealSecret(deps.secret, SEAL_PURPOSE, secret),
    createdBy: ctx.actor.label,
    createdAt: nowIso(ctx),
  });
  await auditOn(ctx, msp, 'webhook.added', { type: 'webhook', id }, { url, events });
  return { id, secret };
}

export async function listWebhooksOf(ctx: Ctx, mspId: string): Promise<WebhookView[]> {
  const msp = await requireMsp(ctx, mspId, 'notifications.read');
  return (await listWebhooks(ctx.tx, msp.id)).map(webhookView);
}

/** Removes a hook; its pending deliveries stop (their rows go with it). */
export async function removeWebhook(ctx: Ctx, input: { mspId: string; webhookId: string }): Promise<void> {
  const msp = await requireMsp(ctx, input.mspId, 'notifications.manage');
  const hook = await getWebhook(ctx.tx, msp.id, input.webhookId);
  if (!hook || !(await deleteWebhook(ctx.tx, msp.id, hook.id))) throw new NotFound('webhook.not_found', 'No such webhook.');
  await auditOn(ctx, msp, 'webhook.removed', { type: 'webhook', id: hook.id }, { url: hook.url });
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: WebhookDelivery['status'];
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const deliveryView = (d: WebhookDelivery): DeliveryView => ({
  id: d.id,
  webhookId: d.webhookId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  lastAttemptAt: d.lastAttemptAt,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  createdAt: d.createdAt,
  finishedAt: d.finishedAt,
});

export async function webhookDeliveries(ctx: Ctx, input: { mspId: string; webhookId?: string; limit?: number }): Promise<DeliveryView[]> {
  const msp = await requireMsp(ctx, input.mspId, 'notifications.read');
  if (input.webhookId && !(await getWebhook(ctx.tx, msp.id, input.webhookId))) throw new NotFound('webhook.not_found', 'No such webhook.');
  return (await listDeliveries(ctx.tx, msp.id, { webhookId: input.webhookId, limit: Math.min(input.limit ?? 100, 1000) })).map(deliveryView);
}

export interface AttemptPlan {
  url: string;
  secret: string;
  /** The exact bytes sent and signed. */
  body: string;
  /** No attempt follows this one. */
  last: boolean;
}

/**
 * Takes attempt `attempt` of a delivery (the webhooks worker, before sending): queues the next
 * attempt first, so a worker that dies mid-send still leaves one; undefined when there is
 * nothing to send (delivered, failed, taken by another worker, the hook gone).
 */
export async function startAttempt(
  ctx: Ctx,
  input: { deliveryId: string; attempt: number },
  s: RetrySchedule,
  secret: Buffer,
): Promise<AttemptPlan | undefined> {
  const d = await getDelivery(ctx.tx, input.deliveryId);
  if (!d || d.status !== 'pending' || d.attempts !== input.attempt - 1) return undefined;
  const now = nowIso(ctx);
  if (d.sendingUntil && d.sendingUntil >= now) {
    // The previous attempt is still in flight: this one waits for it to finish or time out.
    await enqueue(
      ctx.tx,
      d.mspId,
      {
        queue: WEBHOOKS_QUEUE,
        name: 'deliver',
        key: `${attemptKey(d.id, input.attempt)}:after:${d.sendingUntil}`,
        payload: { mspId: d.mspId, deliveryId: d.id, attempt: input.attempt },
        availableAt: d.sendingUntil,
      },
      now,
    );
    return undefined;
  }
  const hook = await getWebhook(ctx.tx, d.mspId, d.webhookId);
  const event = await getMspEvent(ctx.tx, d.mspId, d.eventId);
  if (!hook || !event) return undefined;
  const signing = openSealed(secret, SEAL_PURPOSE, hook.secretSealed);
  const next = nextAttemptAt(s, input.attempt, new Date(d.createdAt), ctx.now);
  const sendingUntil = new Date(ctx.now.getTime() + s.timeoutMs + 5000).toISOString();
  if (!(await claimAttempt(ctx.tx, d.id, input.attempt, { now, sendingUntil, nextAttemptAt: next?.toISOString() ?? null }))) return undefined;
  if (!signing) {
    // Sealed under another SECRET_KEY: no attempt can sign it; the hook must be added again.
    await recordAttempt(ctx.tx, d.id, input.attempt, {
      status: 'failed',
      statusCode: null,
      error: 'the signing secret cannot be opened with this deployment key',
      now,
    });
    return undefined;
  }
  if (next)
    await enqueue(
      ctx.tx,
      d.mspId,
      {
        queue: WEBHOOKS_QUEUE,
        name: 'deliver',
        key: attemptKey(d.id, input.attempt + 1),
        payload: { mspId: d.mspId, deliveryId: d.id, attempt: input.attempt + 1 },
        availableAt: next.toISOString(),
      },
      now,
    );
  const body = JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
  return { url: hook.url, secret: signing, body, last: next === null };
}

/** What the attempt got: delivered (2xx), or failed — for good when it was the last. */
export async function finishAttempt(
  ctx: Ctx,
  input: { deliveryId: string; attempt: number; last: boolean },
  r: { ok: boolean; statusCode: number | null; error: string | null },
): Promise<WebhookDelivery['status']> {
  const status = r.ok ? 'delivered' : input.last ? 'failed' : 'pending';
  await recordAttempt(ctx.tx, input.deliveryId, input.attempt, { status, statusCode: r.statusCode, error: r.error, now: nowIso(ctx) });
  return status;
}
