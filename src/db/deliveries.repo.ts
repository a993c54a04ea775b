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
  const existing = (await tx('email_deliveries').where({ dedupe_key: d.key }).first()) as { status: string; claimed_at: string } | undefined;
  if (!existing) {
    await tx('email_deliveries')
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
      .ignore();
    // Whoever's row is there now holds the claim (a concurrent claimer may have won).
    const row = (await tx('email_deliveries').where({ dedupe_key: d.key }).first()) as { id: string; status: string } | undefined;
    if (row?.id === d.id) return 'claimed';
    return row?.status === 'sent' ? 'sent' : 'busy';
  }
  if (existing.status === 'sent') return 'sent';
  if (Date.parse(d.now) - Date.parse(String(existing.claimed_at)) < d.leaseMs) return 'busy';
  const taken = await tx('email_deliveries').where({ dedupe_key: d.key, status: 'sending', claimed_at: existing.claimed_at }).update({ claimed_at: d.now });
  return taken > 0 ? 'claimed' : 'busy';
}

export async function markDelivered(tx: Tx, key: string, messageId: string, now: string): Promise<void> {
  await tx('email_deliveries').where({ dedupe_key: key }).update({ status: 'sent', message_id: messageId, sent_at: now });
}

/** Undoes a "sent" the server then failed: the next attempt may claim it at once. */
export async function reopenDelivery(tx: Tx, key: string): Promise<void> {
  await tx('email_deliveries')
    .where({ dedupe_key: key })
    .update({ status: 'sending', claimed_at: new Date(0).toISOString(), sent_at: null });
}
