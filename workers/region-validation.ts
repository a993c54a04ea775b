// region-validation queue: checks link/transfer requests against the region directory, then
// asks the account's Owners to approve.
import type { Job } from 'bullmq';
import { planApprovalMails, validateLink } from '../src/domain/links';
import { chainDirectories, localDirectory } from '../src/domain/regions';
import { MailDelivery } from '../src/mail/delivery';
import { linkApprovalMail } from '../src/mail/templates';
import { type WorkerDeps, asWorker } from './deps';
import { failingForGood } from './failures';
import { LinkJob, payload } from './payloads';

export function regionValidationProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const { requestId } = payload(LinkJob, job);
    if (job.name === 'validate') {
      const view = await asWorker(deps, 'region-validation worker', (ctx) => {
        const directory = deps.remoteDirectory ? chainDirectories(localDirectory(ctx.tx), deps.remoteDirectory) : localDirectory(ctx.tx);
        return validateLink(ctx, requestId, directory);
      });
      return { status: view?.status ?? 'gone', reason: view?.reason ?? null };
    }
    return mail.deliver(
      'region-validation worker',
      (ctx) => planApprovalMails(ctx, requestId, deps.secret),
      ({ language, data: m }) => linkApprovalMail(language, { ...m, url: `${deps.publicUrl}/links/${m.token}` }),
    );
  });
}
