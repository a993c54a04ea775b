// What an MSP is told about: the event types, and raising one (once per dedupe key) in the
// transaction of the change that causes it. Delivery (emails to the MSP's contacts, signed
// webhooks) happens after commit, from the outbox.
import type { Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { type MspEvent, insertMspEvent } from '../db/mspEvents.repo';
import { enqueue } from '../db/outbox.repo';
import { type Ctx, nowIso } from './context';

/** The queue whose worker delivers raised events (emails, webhook fan-out). */
export const NOTIFICATIONS_QUEUE = 'notifications';

export const MSP_EVENT_TYPES = [
  /** The deprovisioning breaker of a company tripped: SCIM removals are held. Once per trip. */
  'provisioning.held',
  /** Breakers tripped in several companies of the MSP within an hour: one fleet-wide alert. */
  'provisioning.fleet_alert',
  /** A SCIM create was refused at a company's seat cap. Once per company per UTC day. */
  'seats.cap_reached',
  'company.link_requested',
  'company.link_approved',
  'company.unlinked',
  /** A company's trial ends soon. */
  'trial.ending',
  /** A company's IdP has had more than 20% of its SCIM requests fail for 15 minutes. */
  'scim.errors',
] as const;
export type MspEventType = (typeof MSP_EVENT_TYPES)[number];

export interface RaiseInput {
  type: MspEventType;
  /** The company the event is about; null for fleet-wide events. */
  account: Account | null;
  /** What happened, as webhook receivers and emails see it (plain JSON). */
  data: Record<string, unknown>;
  /** Events with the same key are raised once (e.g. `provisioning.held:<account>:<trip start>`). */
  dedupeKey: string;
}

/**
 * Raises an event for an MSP. Returns the event when this call raised it, undefined when one
 * with the same dedupe key already exists (nothing is delivered twice).
 */
export async function raiseMspEvent(ctx: Ctx, mspId: string, input: RaiseInput): Promise<MspEvent | undefined> {
  const event: MspEvent = {
    id: newId(),
    mspId,
    accountId: input.account?.id ?? null,
    type: input.type,
    dedupeKey: input.dedupeKey,
    data: input.data,
    createdAt: nowIso(ctx),
  };
  if (!(await insertMspEvent(ctx.tx, event))) return undefined;
  // Delivered after commit by the notifications worker: emails to the contacts (or Owners), one
  // webhook delivery per hook. The job's key is the event's, so it is queued once.
  await enqueue(ctx.tx, mspId, { queue: NOTIFICATIONS_QUEUE, name: 'event', key: `event:${event.id}`, payload: { mspId, eventId: event.id } }, event.createdAt);
  return event;
}
