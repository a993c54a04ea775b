// Email delivery markers: one row per logical email, claimed before sending, marked after.
import type { Tx } from './knex';

export type Claim = 'claimed' | 'sent' | 'busy';

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
  const inserted = (await tx('email_deliveries')
    .insert({
      id: d.id,
      account_id: d.accountId,
      dedupe_key: d.key,
      kind: d.kind,
      recipient: d.recipient,
      status: 'sending',
      claimed_at: d.now,
    })
    .onConflict('dedupe_key')
    .ignore()
    .returning('id')) as unknown[];
  if (inserted.length) return 'claimed';
  // Someone's row is there: sent, claimed by a live sender, or left by one that died.
  const existing = (await tx('email_deliveries').where({ dedupe_key: d.key }).first()) as { status: string; claimed_at: string } | undefined;
  if (!existing) return 'busy'; // deleted in between (its account went): the retry decides
  if (existing.status === 'sent') return 'sent';
  if (Date.parse(d.now) - Date.parse(String(existing.claimed_at)) < d.leaseMs) return 'busy';
  const taken = await tx('email_deliveries').where({ dedupe_key: d.key, status: 'sending', claimed_at: existing.claimed_at }).update({ claimed_at: d.now });
  return taken > 0 ? 'claimed' : 'busy';
}

export async function markDelivered(tx: Tx, sent: ReadonlyArray<{ key: string; messageId: string }>, now: string): Promise<void> {
  for (const { key, messageId } of sent)
    await tx('email_deliveries').where({ dedupe_key: key }).update({ status: 'sent', message_id: messageId, sent_at: now });
}

/** Undoes a "sent" the server then failed: the next attempt may claim it at once. */
export async function reopenDelivery(tx: Tx, key: string): Promise<void> {
  await tx('email_deliveries')
    .where({ dedupe_key: key })
    .update({ status: 'sending', claimed_at: new Date(0).toISOString(), sent_at: null });
}
