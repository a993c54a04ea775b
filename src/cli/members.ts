// `mspbridge members list`: the people of an account with their groups.
import type { Command } from 'commander';
import { inviteByEmail, resendInvitation } from '../domain/invitations';
import { listMembersWithGroups } from '../domain/members';
import { ACCOUNT, operatorCommand } from './command';
import { table } from './output';

export function registerMembers(program: Command): Command {
  const cmd = program.command('members').description('people of an account');
  operatorCommand(cmd, 'list', {
    description: 'list members with their state and groups',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => listMembersWithGroups(ctx, opts.account),
    text: (ms) => {
      if (!ms.length) return 'No members.';
      // Held changes (last-Owner guard, deprovisioning breaker) get a column when there are any.
      const anyHeld = ms.some((m) => m.held.length);
      const heldOf = (m: (typeof ms)[number]) => m.held.map((h) => `${h.kind}${h.group ? ` ${h.group}` : ''} (${h.reason})`).join(', ');
      return table(
        ['ID', 'EMAIL', 'USERNAME', 'STATE', 'GROUPS', ...(anyHeld ? ['HELD'] : [])],
        ms.map((m) => [m.id, m.email, m.userName, m.state, m.groups.join(', '), ...(anyHeld ? [heldOf(m)] : [])]),
      );
    },
  });
  operatorCommand(cmd, 'invite', {
    description: 'add a person by email and send an invitation (through the workers)',
    required: [ACCOUNT, ['--email <email>', 'their email address']],
    options: [['--group <name>', 'Owners | Administrators | a custom group']],
    run: async (ctx, opts: { account: string; email: string; group?: string }) => {
      const r = await inviteByEmail(ctx, { accountId: opts.account, email: opts.email, group: opts.group });
      return { id: r.member.id, state: r.member.state, invitationId: r.invitation.id, expiresAt: r.invitation.expiresAt };
    },
    text: (o, opts) => `Invited ${opts.email} (member ${o.id}); the invitation email is on its way.`,
  });
  operatorCommand(cmd, 'resend', {
    description: 'send an invitation again with a new link',
    required: [ACCOUNT, ['--member <id>', 'member id']],
    run: async (ctx, opts: { account: string; member: string }) => {
      const inv = await resendInvitation(ctx, opts.account, opts.member);
      return { invitationId: inv.id, expiresAt: inv.expiresAt };
    },
    text: (o) => `Invitation ${o.invitationId} resent; it expires ${o.expiresAt}.`,
  });
  return cmd;
}
