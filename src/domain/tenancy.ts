// The account an operation acts on, and the MSP its audit events roll up to.
import { type Account, getAccount } from '../db/accounts.repo';
import type { Ctx } from './context';
import { NotFound } from './errors';

export async function requireAccount(ctx: Ctx, accountId: string): Promise<Account> {
  const account = await getAccount(ctx.tx, accountId);
  if (!account) throw new NotFound('account.not_found', 'No such account.');
  return account;
}

/** The audit roll-up owner of an account's events: the MSP itself, or the company's managing MSP. */
export const auditMspOf = (account: Account): string | null => (account.kind === 'msp' ? account.id : account.mspId);
