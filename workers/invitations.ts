// invitations queue: one email per invitation generation (send) and one reminder, exactly once.
import type { Job } from 'bullmq';
import { type InvitationJob, markInvitationSent, prepareInvitationMail } from '../src/domain/invitations';
import { invitationMail, reminderMail } from '../src/mail/templates';
import { ClaimBusy, type WorkerDeps, asWorker, messageIdFor, recordSent, sendMail } from './deps';

export function invitationsProcessor(deps: WorkerDeps) {
  return async (job: Job<InvitationJob>): Promise<Record<string, unknown>> => {
    const data = job.data;
    const prepared = await asWorker(deps, 'invitations worker', (ctx) => prepareInvitationMail(ctx, data, deps.secret, deps.leaseMs));
    if (prepared.state === 'skip') return { skipped: prepared.reason };
    if (prepared.state === 'busy') throw new ClaimBusy(`invitation ${data.invitationId}`);
    const url = `${deps.publicUrl}/invitations/${prepared.token}`;
    const content =
      data.kind === 'remind'
        ? reminderMail(prepared.language, { name: prepared.name, accountName: prepared.accountName, url, expiresAt: prepared.expiresAt })
        : invitationMail(prepared.language, { name: prepared.name, inviter: prepared.inviter, accountName: prepared.accountName, url, expiresAt: prepared.expiresAt });
    await sendMail(deps, { to: prepared.to, ...content, messageId: messageIdFor(prepared.key, deps.publicUrl) }, `invitation.${data.kind}`, prepared.key, recordSent(deps, 'invitations worker', (ctx, messageId) => markInvitationSent(ctx, data, prepared.key, messageId)));
    return { sent: prepared.key };
  };
}
