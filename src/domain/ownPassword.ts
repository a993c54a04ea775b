// A signed-in person sets (or changes) their own password, so signing in again never depends
// on a one-time link. Changing one needs the current password; a console session, not a token.
import { getMemberAnyState, setPasswordHash } from '../db/members.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Forbidden, Invalid } from './errors';
import { MIN_PASSWORD } from './invitations';
import { authorize } from './policy';
import { hashPassword, verifyPassword } from './secrets';
import { auditMspOf } from './tenancy';

export async function setOwnPassword(ctx: Ctx, input: { current?: string; password: string }): Promise<{ passwordSet: true }> {
  if (ctx.actor.kind !== 'member') throw new Forbidden('profile.session_only', 'Sign in to the console to set your password.');
  const account = await authorize(ctx, 'profile.password', ctx.actor.accountId);
  const member = (await getMemberAnyState(ctx.tx, account.id, ctx.actor.memberId))!;
  if (member.passwordHash && !(input.current && (await verifyPassword(input.current, member.passwordHash)))) {
    throw new Invalid('password.current_wrong', 'The current password is not right.', { field: 'current' });
  }
  if ([...input.password].length < MIN_PASSWORD)
    throw new Invalid('password.too_short', `The password needs at least ${MIN_PASSWORD} characters.`, { min: MIN_PASSWORD, field: 'password' });
  await setPasswordHash(ctx.tx, account.id, member.id, await hashPassword(input.password), nowIso(ctx));
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'member.password_set', target: { type: 'member', id: member.id } });
  return { passwordSet: true };
}
