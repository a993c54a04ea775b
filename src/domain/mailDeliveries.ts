// The domain's side of sending an email exactly once: what an email is (its one dedupe key, the
// recipient, the language and what to say), claiming it before sending, and its one record of
// "sent" (email_deliveries). The protocol around the SMTP server is src/mail/delivery.ts.
import { newId } from '../db/codec';
import { claimDelivery, markDelivered, reopenDelivery } from '../db/deliveries.repo';
import type { Language } from '../i18n';
import { hashSecret } from './secrets';
import { type Ctx, nowIso } from './context';

/** One logical email the domain wants sent: `data` is what the template needs. */
export interface PlannedMail<T = Record<string, unknown>> {
  /** The email's identity: the same logical email always has the same key (see mailKeys). */
  key: string;
  accountId: string;
  /** For metrics and the deliveries table, e.g. invitation.send */
  kind: string;
  to: string;
  language: Language;
  data: T;
}

/** Every dedupe key, built in one place (the outbox job of an email uses the same one). */
export const mailKeys = {
  invitation: (invitationId: string, kind: 'send' | 'remind', generation: number) => `invitation:${invitationId}:${kind}:${generation}`,
  recovery: (requestId: string) => `recovery:${requestId}`,
  linkApproval: (requestId: string, ownerId: string) => `link:${requestId}:owner:${ownerId}`,
  trial: (accountId: string, trialEndsAt: string, phase: 'warning' | 'start', ownerId: string) => `trial:${accountId}:${trialEndsAt}:${phase}:${ownerId}`,
  signin: (linkId: string) => `signin:${linkId}`,
  // The key column holds 200 characters: a very long address is named by its hash.
  mspEvent: (eventId: string, recipient: string) =>
    `event:${eventId}:to:${recipient.length <= 150 ? recipient.toLowerCase() : hashSecret(recipient.toLowerCase())}`,
};

export type ClaimOutcome = 'claimed' | 'sent' | 'busy';

/** Claims the right to send: 'sent' (it went out already), 'busy' (another sender holds it), or 'claimed'. */
export function claimMail(ctx: Ctx, mail: PlannedMail<unknown>, leaseMs: number): Promise<ClaimOutcome> {
  return claimDelivery(ctx.tx, { id: newId(), accountId: mail.accountId, key: mail.key, kind: mail.kind, recipient: mail.to, now: nowIso(ctx), leaseMs });
}

/** The one record that each of these emails was sent (several senders' records share one commit). */
export function recordMailsSent(ctx: Ctx, sent: ReadonlyArray<{ key: string; messageId: string }>): Promise<void> {
  return markDelivered(ctx.tx, sent, nowIso(ctx));
}

/** The server did not take it after all: the next attempt may claim it at once. */
export function releaseMail(ctx: Ctx, key: string): Promise<void> {
  return reopenDelivery(ctx.tx, key);
}
