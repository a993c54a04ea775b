// recovery queue: the email with the member's one-time recovery link.
import type { Job } from 'bullmq';
import { markRecoverySent, prepareRecoveryMail } from '../src/domain/recovery';
import { recoveryMail } from '../src/mail/templates';
import { ClaimBusy, type WorkerDeps, asWorker, messageIdFor, recordSent, sendMail } from './deps';

export function recoveryProcessor(deps: WorkerDeps) {
  return async (job: Job<{ accountId: string; requestId: string }>): Promise<Record<string, unknown>> => {
    const prepared = await asWorker(deps, 'recovery worker', (ctx) => prepareRecoveryMail(ctx, job.data, deps.secret, deps.leaseMs));
    if (prepared.state === 'skip') return { skipped: prepared.reason };
    if (prepared.state === 'busy') throw new ClaimBusy(`recovery ${job.data.requestId}`);
    const url = `${deps.publicUrl}/recovery/${prepared.token}`;
    const content = recoveryMail(prepared.language, { name: prepared.name, accountName: prepared.accountName, url, expiresAt: prepared.expiresAt });
    await sendMail(deps, { to: prepared.to, ...content, messageId: messageIdFor(prepared.key, deps.publicUrl) }, 'recovery', prepared.key, recordSent(deps, 'recovery worker', (ctx, messageId) => markRecoverySent(ctx, prepared.key, messageId)));
    return { sent: prepared.key };
  };
}
