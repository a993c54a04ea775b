// Every queue's job payload, validated at the edge: a malformed job (an old format, a hand-made
// retry) fails for good instead of being retried ten times.
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';

const id = z.string().min(1).max(64);

export const InvitationJob = z.object({ accountId: id, invitationId: id, generation: z.number().int().min(1), kind: z.enum(['send', 'remind']) });
export const RecoveryJob = z.object({ accountId: id, requestId: id });
export const LinkJob = z.object({ requestId: id });
export const TrialNoticeJob = z.object({ accountId: id });
export const SigninJob = z.object({ accountId: id, linkId: id });
export const EventJob = z.object({ mspId: id, eventId: id });
export const EventMailJob = z.object({ mspId: id, eventId: id, to: z.string().min(3).max(320) });
export const WebhookAttemptJob = z.object({ mspId: id, deliveryId: id, attempt: z.number().int().min(1).max(1000) });

export function payload<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success)
    throw new UnrecoverableError(
      `job ${job.name} ${job.id ?? ''}: malformed payload (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    );
  return parsed.data;
}
