// lifecycle queue: the repeatable tick (expiries, reminders, trial end), the daily usage snapshot and trial notices.
import type { Job } from 'bullmq';
import { lifecycleTick, planTrialMails } from '../src/domain/lifecycle';
import { snapshotUsageBatch } from '../src/domain/usage';
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
    if (job.name === 'usage-snapshot') {
      // One short transaction per batch of companies: SCIM writes get the database in between.
      let taken = 0;
      let afterId: string | undefined;
      let day = '';
      do {
        const r = await asWorker(deps, 'lifecycle worker', (ctx) => snapshotUsageBatch(ctx, { afterId }));
        ({ day } = r);
        taken += r.taken;
        afterId = r.next ?? undefined;
      } while (afterId);
      if (taken) deps.log.info({ day, taken }, 'usage snapshot taken');
      return { day, taken };
    }
    const report = await asWorker(deps, 'lifecycle worker', (ctx) => lifecycleTick(ctx, { scimErrorMinRequests: deps.scimErrorMinRequests }));
    if (Object.values(report).some((n) => n > 0)) deps.log.info({ report }, 'lifecycle tick');
    return { ...report };
  });
}
