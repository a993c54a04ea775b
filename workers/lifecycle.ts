// lifecycle queue: the repeatable tick (expiries, reminders, trial end) and trial notices.
import type { Job } from 'bullmq';
import { lifecycleTick, planTrialMails } from '../src/domain/lifecycle';
import { MailDelivery } from '../src/mail/delivery';
import { trialMail } from '../src/mail/templates';
import { type WorkerDeps, asWorker } from './deps';
import { failingForGood } from './failures';
import { TrialNoticeJob, payload } from './payloads';

export function lifecycleProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    if (job.name === 'trial-notice') {
      const { accountId } = payload(TrialNoticeJob, job);
      return mail.deliver(
        'lifecycle worker',
        (ctx) => planTrialMails(ctx, accountId),
        ({ language, data }) => trialMail(language, data),
      );
    }
    const report = await asWorker(deps, 'lifecycle worker', (ctx) => lifecycleTick(ctx, { scimErrorMinRequests: deps.scimErrorMinRequests }));
    if (Object.values(report).some((n) => n > 0)) deps.log.info({ report }, 'lifecycle tick');
    return { ...report };
  });
}
