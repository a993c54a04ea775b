// Removing a person added by hand: they lose every role, open invitation and credential, and
// stop filling a seat. People the IdP manages are removed in the IdP; Owners only by Owners.
import { listMembershipsOfMember, setMembershipSources } from '../db/groups.repo';
import { revokePendingInvitations } from '../db/invitations.repo';
import { getMember, setMemberState } from '../db/members.repo';
import { revokeAllCredentialsOf } from '../db/sessions.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { isLastOwner } from './effectiveRoles';
import { Conflict, Invalid, NotFound } from './errors';
import { authorize } from './policy';
import { personOf } from './principal';
import { rolesOf } from './roles';

export async function removeMember(ctx: Ctx, input: { accountId: string; memberId: string }): Promise<{ id: string; state: 'removed' }> {
  const account = await authorize(ctx, 'members.remove', input.accountId);
  const member = await getMember(ctx.tx, account.id, input.memberId);
  if (!member || member.state === 'removed') throw new NotFound('member.not_found', 'No such member.');
  const who = member.email ?? member.userName;
  const me = personOf(ctx.actor);
  if (me && me.accountId === account.id && me.memberId === member.id) throw new Invalid('member.remove.self', 'You cannot remove yourself.');
  if (member.scimManaged) throw new Conflict('member.idp_managed', `${who} is managed by the identity provider: remove or deactivate them there.`);
  if ((await rolesOf(ctx.tx, account.id, member.id)).has('owners')) {
    await authorize(ctx, 'owners.change', account);
    if (await isLastOwner(ctx.tx, account.id, member.id))
      throw new Conflict('owners.last_owner', 'This is the last Owner of the account: add another Owner first.');
  }
  const now = nowIso(ctx);
  for (const m of await listMembershipsOfMember(ctx.tx, account.id, member.id)) {
    await setMembershipSources(ctx.tx, account.id, m.groupId, member.id, { manual: false, idp: false, held: false }, now);
  }
  await revokePendingInvitations(ctx.tx, account.id, member.id);
  await revokeAllCredentialsOf(ctx.tx, account.id, member.id, now);
  await setMemberState(ctx.tx, member, 'removed', now);
  await auditOn(ctx, account, 'member.removed', { type: 'member', id: member.id }, { email: who });
  return { id: member.id, state: 'removed' };
}
