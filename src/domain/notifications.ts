// Who hears about an MSP's events by email (its contacts, else its Owners), and the delivery job
// an event gets when it is raised: one email per recipient and one webhook delivery per hook.
import { type Account, getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { getMemberAnyState } from '../db/members.repo';
import { getMspEvent } from '../db/mspEvents.repo';
import { type MspContact, deleteContact, listContacts, listWebhooks, upsertContact } from '../db/notifications.repo';
import { ensureDelivery } from '../db/webhookDeliveries.repo';
import { enqueue } from '../db/outbox.repo';
import { LANGUAGES, type Language } from '../i18n';
import { auditOn } from './audit';
import { requireMsp } from './companies';
import { type Ctx, nowIso } from './context';
import { NOTIFICATIONS_QUEUE } from './mspEvents';
import { countingOwners } from './effectiveRoles';
import { Invalid, NotFound } from './errors';
import { languageFor } from './invitations';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import { WEBHOOKS_QUEUE, attemptKey } from './webhookSchedule';

export interface ContactView {
  id: string;
  email: string;
  language: Language | null;
  createdAt: string;
}

const contactView = (c: MspContact): ContactView => ({ id: c.id, email: c.email, language: c.language as Language | null, createdAt: c.createdAt });

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `msp notify`: adds a contact (or changes the language of one already there). */
export async function addContact(ctx: Ctx, input: { mspId: string; email: string; language?: string | null }): Promise<ContactView> {
  const msp = await requireMsp(ctx, input.mspId, 'notifications.manage');
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 320) throw new Invalid('contact.email.invalid', 'Give a valid email address.');
  const language = input.language ?? null;
  if (language !== null && !(LANGUAGES as readonly string[]).includes(language))
    throw new Invalid('contact.language.invalid', `The language is one of: ${LANGUAGES.join(', ')}.`);
  const contact = await upsertContact(ctx.tx, { id: newId(), mspId: msp.id, email, language, createdAt: nowIso(ctx) });
  await auditOn(ctx, msp, 'notify.contact_added', undefined, { email, language });
  return contactView(contact);
}

export async function listContactsOf(ctx: Ctx, mspId: string): Promise<ContactView[]> {
  const msp = await requireMsp(ctx, mspId, 'notifications.read');
  return (await listContacts(ctx.tx, msp.id)).map(contactView);
}

/** Removes a contact named by id or email address. */
export async function removeContact(ctx: Ctx, input: { mspId: string; contact: string }): Promise<void> {
  const msp = await requireMsp(ctx, input.mspId, 'notifications.manage');
  if (!(await deleteContact(ctx.tx, msp.id, input.contact.trim()))) throw new NotFound('contact.not_found', 'No such contact.');
  await auditOn(ctx, msp, 'notify.contact_removed', undefined, { contact: input.contact.trim() });
}

/**
 * The notifications worker's first step for an event: one delivery row per hook that wants it
 * (its first attempt queued) and one email job per recipient. A second run finds its rows and
 * jobs there (the outbox ignores a key it has), so nothing is sent twice.
 */
export async function fanOutEvent(ctx: Ctx, mspId: string, eventId: string): Promise<{ hooks: number; emails: number }> {
  const event = await getMspEvent(ctx.tx, mspId, eventId);
  const msp = await getAccount(ctx.tx, mspId);
  if (!event || !msp) return { hooks: 0, emails: 0 };
  let hooks = 0;
  for (const hook of await listWebhooks(ctx.tx, mspId)) {
    if (hook.events && !hook.events.includes(event.type)) continue;
    // Hooks added after the event do not get it.
    if (hook.createdAt > event.createdAt) continue;
    const d = await ensureDelivery(ctx.tx, {
      id: newId(),
      mspId,
      webhookId: hook.id,
      eventId: event.id,
      eventType: event.type,
      status: 'pending',
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      lastAttemptAt: null,
      nextAttemptAt: nowIso(ctx),
      sendingUntil: null,
      createdAt: nowIso(ctx),
      finishedAt: null,
    });
    await enqueue(
      ctx.tx,
      mspId,
      { queue: WEBHOOKS_QUEUE, name: 'deliver', key: attemptKey(d.id, 1), payload: { mspId, deliveryId: d.id, attempt: 1 } },
      nowIso(ctx),
    );
    hooks++;
  }
  // One job per recipient: an address the mail server refuses for good fails only its own email.
  const recipients = await recipientsOf(ctx, msp);
  for (const r of recipients) {
    await enqueue(
      ctx.tx,
      mspId,
      { queue: NOTIFICATIONS_QUEUE, name: 'email', key: mailKeys.mspEvent(event.id, r.to), payload: { mspId, eventId: event.id, to: r.to } },
      nowIso(ctx),
    );
  }
  return { hooks, emails: recipients.length };
}

/** Who is emailed about the MSP's events: its contacts, or (when it has none) its Owners, each in their language. */
async function recipientsOf(ctx: Ctx, msp: Account): Promise<Array<{ to: string; language: Language }>> {
  const contacts = await listContacts(ctx.tx, msp.id);
  if (contacts.length) return contacts.map((c) => ({ to: c.email, language: c.language === 'de' || c.language === 'en' ? c.language : defaultLanguage(msp) }));
  const out: Array<{ to: string; language: Language }> = [];
  for (const ownerId of await countingOwners(ctx.tx, msp.id)) {
    const owner = await getMemberAnyState(ctx.tx, msp.id, ownerId);
    // An Owner who has not signed in yet still runs the MSP (msp create makes one so).
    if (!owner || (owner.state !== 'active' && owner.state !== 'invited') || !owner.email) continue;
    out.push({ to: owner.email.toLowerCase(), language: languageFor(owner, msp) });
  }
  return out;
}

export interface EventMailData {
  type: string;
  mspName: string;
  companyName: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The event's email to one recipient (none when they stopped being one since the event). */
export async function planEventMail(ctx: Ctx, mspId: string, eventId: string, to: string): Promise<PlannedMail<EventMailData>[]> {
  const event = await getMspEvent(ctx.tx, mspId, eventId);
  const msp = await getAccount(ctx.tx, mspId);
  if (!event || !msp) return [];
  const recipient = (await recipientsOf(ctx, msp)).find((r) => r.to === to.toLowerCase());
  if (!recipient) return [];
  const company = event.accountId ? await getAccount(ctx.tx, event.accountId) : undefined;
  return [
    {
      key: mailKeys.mspEvent(event.id, recipient.to),
      accountId: msp.id,
      kind: `event.${event.type}`.slice(0, 32), // the column's width
      to: recipient.to,
      language: recipient.language,
      data: { type: event.type, mspName: msp.name, companyName: company?.name ?? null, data: event.data, createdAt: new Date(event.createdAt) },
    },
  ];
}

const defaultLanguage = (a: Pick<Account, 'defaultLanguage'>): Language => (a.defaultLanguage === 'de' ? 'de' : 'en');
