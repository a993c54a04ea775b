// region-validation queue: checks link/transfer requests against the region directory, then
// asks the account's Owners to approve.
import type { Job } from 'bullmq';
import { markApprovalSent, prepareApprovalMails, validateLink } from '../src/domain/links';
import { chainDirectories, localDirectory } from '../src/domain/regions';
import { linkApprovalMail } from '../src/mail/templates';
import { ClaimBusy, type WorkerDeps, asWorker, messageIdFor, recordSent, sendMail } from './deps';

export function regionValidationProcessor(deps: WorkerDeps) {
  return async (job: Job<{ requestId: string }>): Promise<Record<string, unknown>> => {
    if (job.name === 'validate') {
      const view = await asWorker(deps, 'region-validation worker', (ctx) => {
        const directory = deps.remoteDirectory ? chainDirectories(localDirectory(ctx.tx), deps.remoteDirectory) : localDirectory(ctx.tx);
        return validateLink(ctx, job.data.requestId, directory);
      });
      return { status: view?.status ?? 'gone', reason: view?.reason ?? null };
    }
    const { mails, busy } = await asWorker(deps, 'region-validation worker', (ctx) => prepareApprovalMails(ctx, job.data.requestId, deps.secret, deps.leaseMs));
    for (const m of mails) {
      const url = `${deps.publicUrl}/links/${m.token}`;
      const content = linkApprovalMail(m.language, { name: m.name, mspName: m.mspName, accountName: m.accountName, url, expiresAt: m.expiresAt });
      await sendMail(deps, { to: m.to, ...content, messageId: messageIdFor(m.key, deps.publicUrl) }, 'link.approval', m.key, recordSent(deps, 'region-validation worker', (ctx, messageId) => markApprovalSent(ctx, m.key, messageId)));
    }
    if (busy) throw new ClaimBusy(`approval emails of ${job.data.requestId}`);
    return { sent: mails.length };
  };
}
