// webhooks queue: one attempt of one delivery. The next attempt is queued (in the outbox, at its
// backoff time) before this one is sent, so retries survive a worker or Redis going away.
import type { Job } from 'bullmq';
import { finishAttempt, startAttempt } from '../src/domain/webhooks';
import { sendWebhook } from '../src/http/webhookSender';
import { type WorkerDeps, asWorker } from './deps';
import { failingForGood } from './failures';
import { WebhookAttemptJob, payload } from './payloads';

export function webhooksProcessor(deps: WorkerDeps) {
  const label = 'webhooks worker';
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const { deliveryId, attempt } = payload(WebhookAttemptJob, job);
    const plan = await asWorker(deps, label, (ctx) => startAttempt(ctx, { deliveryId, attempt }, deps.webhooks, deps.secret));
    if (!plan) return { deliveryId, attempt, skipped: true };
    const result = await sendWebhook({
      url: plan.url,
      secret: plan.secret,
      body: plan.body,
      allowPrivate: deps.webhooks.allowPrivate,
      timeoutMs: deps.webhooks.timeoutMs,
      now: deps.now,
    });
    const status = await asWorker(deps, label, (ctx) => finishAttempt(ctx, { deliveryId, attempt, last: plan.last }, result));
    deps.metrics.webhookAttempts.inc({ outcome: status === 'pending' ? 'retrying' : status });
    if (!result.ok) deps.log.info({ deliveryId, attempt, status, code: result.statusCode, err: result.error }, 'webhook attempt failed');
    return { deliveryId, attempt, status, statusCode: result.statusCode };
  });
}
