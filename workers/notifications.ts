// notifications queue: a raised MSP event fans out ('event') to one delivery per webhook and one
// email job per contact (or Owner); each 'email' job sends its one email exactly once.
import type { Job } from 'bullmq';
import { fanOutEvent, planEventMail } from '../src/domain/notifications';
import { MailDelivery } from '../src/mail/delivery';
import { mspEventMail } from '../src/mail/templates';
import { type WorkerDeps, asWorker } from './deps';
import { failingForGood } from './failures';
import { EventJob, EventMailJob, payload } from './payloads';

export function notificationsProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  const label = 'notifications worker';
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    if (job.name === 'email') {
      const { mspId, eventId, to } = payload(EventMailJob, job);
      return mail.deliver(
        label,
        (ctx) => planEventMail(ctx, mspId, eventId, to),
        ({ language, data }) => mspEventMail(language, data, deps.publicUrl),
      );
    }
    const { mspId, eventId } = payload(EventJob, job);
    return asWorker(deps, label, (ctx) => fanOutEvent(ctx, mspId, eventId));
  });
}
