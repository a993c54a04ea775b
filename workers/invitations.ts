// invitations queue: one email per invitation generation (send) and one reminder, exactly once.
import type { Job } from 'bullmq';
import { planInvitationMail } from '../src/domain/invitations';
import { MailDelivery } from '../src/mail/delivery';
import { invitationMail, reminderMail } from '../src/mail/templates';
import type { WorkerDeps } from './deps';
import { failingForGood } from './failures';
import { InvitationJob, payload } from './payloads';

export function invitationsProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const data = payload(InvitationJob, job);
    return mail.deliver(
      'invitations worker',
      (ctx) => planInvitationMail(ctx, data, deps.secret),
      ({ language, data: m }) => {
        const url = `${deps.publicUrl}/invitations/${m.token}`;
        return m.reminder ? reminderMail(language, { ...m, url }) : invitationMail(language, { ...m, url });
      },
    );
  });
}
