// Link codes an account's Owners share with an MSP (stored hashed), scoped by the account.
import type { Tx } from './knex';

export interface LinkCode {
  id: string;
  accountId: string;
  codeHash: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
}

export async function insertLinkCode(tx: Tx, c: LinkCode): Promise<void> {
  await tx('link_codes').insert({
    id: c.id,
    account_id: c.accountId,
    code_hash: c.codeHash,
    created_by: c.createdBy,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
  });
}

/** Earlier open codes stop working when a new one is made: only the last one shared counts. */
export async function retireOpenLinkCodes(tx: Tx, accountId: string, now: string): Promise<void> {
  await tx('link_codes').where({ account_id: accountId }).whereNull('used_at').andWhere('expires_at', '>', now).update({ expires_at: now });
}

/**
 * Takes a code once: the account it names, or undefined when it is unknown, used or expired.
 * The update is the claim, so two MSPs racing with one code cannot both have it.
 */
export async function takeLinkCode(tx: Tx, codeHash: string, mspId: string, now: string): Promise<string | undefined> {
  const row = (await tx('link_codes').where({ code_hash: codeHash }).whereNull('used_at').andWhere('expires_at', '>', now).first('id', 'account_id')) as
    { id: string; account_id: string } | undefined;
  if (!row) return undefined;
  const taken = await tx('link_codes').where({ account_id: row.account_id, id: row.id }).whereNull('used_at').update({ used_at: now, used_by_msp: mspId });
  return taken ? row.account_id : undefined;
}
