// lifecycle queue: the repeatable tick (expiries, reminders, trial end) and trial notices.
import type { Job } from 'bullmq';
import { lifecycleTick, markTrialMailSent, prepareTrialMails } from '../src/domain/lifecycle';
import { trialMail } from '../src/mail/templates';
import { ClaimBusy, type WorkerDeps, asWorker, messageIdFor, recordSent, sendMail } from './deps';

export function lifecycleProcessor(deps: WorkerDeps) {
  return async (job: Job<{ accountId?: string }>): Promise<Record<string, unknown>> => {
    if (job.name === 'trial-notice' && job.data.accountId) {
      const accountId = job.data.accountId;
      const { mails, busy } = await asWorker(deps, 'lifecycle worker', (ctx) => prepareTrialMails(ctx, accountId, deps.leaseMs));
      for (const m of mails) {
        const content = trialMail(m.language, { name: m.name, accountName: m.accountName, endsAt: m.endsAt, days: m.days });
        await sendMail(deps, { to: m.to, ...content, messageId: messageIdFor(m.key, deps.publicUrl) }, 'trial', m.key, recordSent(deps, 'lifecycle worker', (ctx, messageId) => markTrialMailSent(ctx, m.key, messageId)));
      }
      if (busy) throw new ClaimBusy(`trial notice of ${accountId}`);
      return { sent: mails.length };
    }
    const report = await asWorker(deps, 'lifecycle worker', (ctx) => lifecycleTick(ctx));
    if (Object.values(report).some((n) => n > 0)) deps.log.info({ report }, 'lifecycle tick');
    return { ...report };
  };
}
