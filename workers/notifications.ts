// notifications queue: a raised MSP event fans out to one delivery per webhook, then one email
// per contact (or Owner) in their language, each exactly once.
import type { Job } from 'bullmq';
import { fanOutWebhooks, planEventMails } from '../src/domain/notifications';
import { MailDelivery } from '../src/mail/delivery';
import { mspEventMail } from '../src/mail/templates';
import { type WorkerDeps, asWorker } from './deps';
import { failingForGood } from './failures';
import { EventJob, payload } from './payloads';

export function notificationsProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const { mspId, eventId } = payload(EventJob, job);
    // Webhooks first: a mail server that is down must not hold them back (a retry re-runs this
    // step, which finds its rows and jobs there).
    const hooks = await asWorker(deps, 'notifications worker', (ctx) => fanOutWebhooks(ctx, mspId, eventId));
    const mails = await mail.deliver(
      'notifications worker',
      (ctx) => planEventMails(ctx, mspId, eventId),
      ({ language, data }) => mspEventMail(language, data, deps.publicUrl),
    );
    return { hooks, ...mails };
  });
}
