// signin queue: the email with a person's one-time sign-in link ("Email me a sign-in link"), once.
import type { Job } from 'bullmq';
import { planSigninMail } from '../src/domain/emailSignIn';
import { MailDelivery } from '../src/mail/delivery';
import { signinLinkMail } from '../src/mail/templates';
import type { WorkerDeps } from './deps';
import { failingForGood } from './failures';
import { SigninJob, payload } from './payloads';

export function signinProcessor(deps: WorkerDeps) {
  const mail = new MailDelivery(deps);
  return failingForGood(async (job: Job): Promise<Record<string, unknown>> => {
    const data = payload(SigninJob, job);
    return mail.deliver(
      'signin worker',
      (ctx) => planSigninMail(ctx, data, deps.secret),
      ({ language, data: m }) => signinLinkMail(language, { ...m, url: `${deps.publicUrl}/signin/${m.token}` }),
    );
  });
}
