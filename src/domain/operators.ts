// The deployment's operators (a deployment role, not an account role): who they are and keeping
// the configured list (OPERATOR_EMAILS) in the database every process reads.
import { addOperator, listOperators, type OperatorRow, removeOperator, syncConfiguredOperators } from '../db/operators.repo';
import { type Ctx, nowIso } from './context';
import { assertEmail } from './members';
import { authorizeDeployment } from './policy';

export async function addOperatorEmail(ctx: Ctx, email: string): Promise<{ email: string; added: boolean }> {
  await authorizeDeployment(ctx, 'operators.manage');
  const clean = assertEmail(email).toLowerCase();
  const added = await addOperator(ctx.tx, clean, ctx.actor.label, nowIso(ctx));
  return { email: clean, added };
}

export async function removeOperatorEmail(ctx: Ctx, email: string): Promise<{ email: string; removed: boolean }> {
  await authorizeDeployment(ctx, 'operators.manage');
  const clean = email.trim().toLowerCase();
  return { email: clean, removed: await removeOperator(ctx.tx, clean) };
}

export async function operatorList(ctx: Ctx): Promise<OperatorRow[]> {
  await authorizeDeployment(ctx, 'operators.manage');
  return listOperators(ctx.tx);
}

/** At process start: the configured operators are exactly OPERATOR_EMAILS (CLI-added ones stay). */
export async function applyConfiguredOperators(ctx: Ctx, emails: readonly string[]): Promise<void> {
  await authorizeDeployment(ctx, 'operators.manage');
  await syncConfiguredOperators(
    ctx.tx,
    emails.map((e) => assertEmail(e)),
    nowIso(ctx),
  );
}
