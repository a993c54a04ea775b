// Email delivery markers: one row per logical email, claimed before sending, marked after.
import type { Tx } from './knex';
import { first, rows, run, shape } from './prepared';

export type Claim = 'claimed' | 'sent' | 'busy';

// Prepared once: the worker runs these for every email it sends.
const CLAIM = shape(
  "insert into email_deliveries (id, account_id, dedupe_key, kind, recipient, status, claimed_at) values (?, ?, ?, ?, ?, 'sending', ?) " +
    'on conflict (dedupe_key) do nothing returning id',
);
const BY_KEY = shape('select status, claimed_at from email_deliveries where dedupe_key = ?');
const TAKE_OVER = shape("update email_deliveries set claimed_at = ? where dedupe_key = ? and status = 'sending' and claimed_at = ?");
const MARK_SENT = shape("update email_deliveries set status = 'sent', message_id = ?, sent_at = ? where dedupe_key = ?");
const REOPEN = shape("update email_deliveries set status = 'sending', claimed_at = ?, sent_at = null where dedupe_key = ?");

/**
 * Claims the right to send the email named by key. 'sent': it went out already (do nothing);
 * 'busy': someone else claimed it less than leaseMs ago and may be sending right now (retry
 * later); 'claimed': send it (a stale claim means the sender died, so it is taken over).
 */
export async function claimDelivery(
  tx: Tx,
  d: { id: string; accountId: string; key: string; kind: string; recipient: string; now: string; leaseMs: number },
): Promise<Claim> {
  // The common case, an email nobody claimed yet, is this one statement.
  const inserted = await rows(tx, CLAIM, [d.id, d.accountId, d.key, d.kind, d.recipient, d.now]);
  if (inserted.length) return 'claimed';
  // Someone's row is there: sent, claimed by a live sender, or left by one that died.
  const existing = (await first(tx, BY_KEY, [d.key])) as { status: string; claimed_at: string } | undefined;
  if (!existing) return 'busy'; // deleted in between (its account went): the retry decides
  if (existing.status === 'sent') return 'sent';
  if (Date.parse(d.now) - Date.parse(String(existing.claimed_at)) < d.leaseMs) return 'busy';
  const taken = await run(tx, TAKE_OVER, [d.now, d.key, existing.claimed_at]);
  return taken > 0 ? 'claimed' : 'busy';
}

export async function markDelivered(tx: Tx, sent: ReadonlyArray<{ key: string; messageId: string }>, now: string): Promise<void> {
  for (const { key, messageId } of sent) await run(tx, MARK_SENT, [messageId, now, key]);
}

/** Undoes a "sent" the server then failed: the next attempt may claim it at once. */
export async function reopenDelivery(tx: Tx, key: string): Promise<void> {
  await run(tx, REOPEN, [new Date(0).toISOString(), key]);
}
