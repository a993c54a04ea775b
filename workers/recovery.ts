// recovery queue: the email with the member's one-time recovery link.
import type { Job } from 'bullmq';
import { planRecoveryMail } from '../src/domain/recovery';
import { MailDelivery } from '../src/mail/delivery';
import { recoveryMail } from '../src/mail/templates';
import type { WorkerDeps } from './deps';
import { failingForGood } from './failures';
import { RecoveryJob, payload } from './payloads';

export function recoveryProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const data = payload(RecoveryJob, job);
    return mail.deliver(
      'recovery worker',
      (ctx) => planRecoveryMail(ctx, data, deps.secret),
      ({ language, data: m }) => recoveryMail(language, { ...m, url: `${deps.publicUrl}/recovery/${m.token}` }),
    );
  });
}
