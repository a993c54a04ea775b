// Which job failures are worth a retry: a refused email, a malformed payload or a domain error
// that no retry can change (not found, invalid, forbidden, conflict) fails the job for good.
import { UnrecoverableError, type Job } from 'bullmq';
import { isDomainError } from '../src/domain/errors';
import { MailRefused } from '../src/mail/delivery';

const RETRYABLE_KINDS = new Set(['unavailable', 'held']);

export function failingForGood<R>(processor: (job: Job) => Promise<R>): (job: Job) => Promise<R> {
  return async (job) => {
    try {
      return await processor(job);
    } catch (err) {
      if (err instanceof MailRefused) throw new UnrecoverableError(err.message);
      if (isDomainError(err) && !RETRYABLE_KINDS.has(err.kind)) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    }
  };
}
