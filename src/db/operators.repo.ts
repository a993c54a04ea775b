// The deployment's operators: people (by email) who see deployment-wide things like every
// tenant's jobs. Set by OPERATOR_EMAILS (synced at start) or `mspbridge operator add`.
import type { Tx } from './knex';

export interface OperatorRow {
  email: string;
  addedBy: string | null;
  createdAt: string;
}

export async function addOperator(tx: Tx, email: string, addedBy: string, now: string): Promise<boolean> {
  const n = await tx('operators').insert({ email_ci: email.trim().toLowerCase(), added_by: addedBy, created_at: now }).onConflict('email_ci').ignore();
  return Array.isArray(n) ? n.length > 0 : Boolean(n);
}

export async function removeOperator(tx: Tx, email: string): Promise<boolean> {
  return (await tx('operators').where({ email_ci: email.trim().toLowerCase() }).del()) > 0;
}

export async function listOperators(tx: Tx): Promise<OperatorRow[]> {
  const rows = (await tx('operators').orderBy('email_ci').select('email_ci', 'added_by', 'created_at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ email: r.email_ci as string, addedBy: (r.added_by as string | null) ?? null, createdAt: String(r.created_at) }));
}

/** Whether this member's (verified: they signed in with it) email names an operator. */
export async function isOperator(tx: Tx, accountId: string, memberId: string): Promise<boolean> {
  const row = await tx('members as m')
    .join('operators as o', 'o.email_ci', 'm.email_ci')
    .where({ 'm.account_id': accountId, 'm.id': memberId })
    .first('o.email_ci');
  return Boolean(row);
}

/** Makes the operators added by configuration exactly the given list (CLI-added ones stay). */
export async function syncConfiguredOperators(tx: Tx, emails: readonly string[], now: string): Promise<void> {
  const wanted = new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean));
  await tx('operators')
    .where({ added_by: 'config' })
    .whereNotIn('email_ci', [...wanted, ''])
    .del();
  for (const email of wanted) await tx('operators').insert({ email_ci: email, added_by: 'config', created_at: now }).onConflict('email_ci').ignore();
}
