// `mspbridge members list`: the people of an account with their groups.
import type { Command } from 'commander';
import { inviteByEmail, resendInvitation } from '../domain/invitations';
import { listMembersWithGroups } from '../domain/members';
import { action } from './action';
import { asOperator } from './context';
import { printResult, table } from './output';

export function registerMembers(program: Command): Command {
  const cmd = program.command('members').description('people of an account');
  cmd
    .command('list')
    .description('list members with their state and groups')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; json?: boolean }) => {
        const members = await asOperator((ctx) => listMembersWithGroups(ctx, opts.account));
        printResult(opts.json, members, (ms) =>
          ms.length
            ? table(
                ['ID', 'EMAIL', 'USERNAME', 'STATE', 'GROUPS'],
                ms.map((m) => [m.id, m.email, m.userName, m.state, m.groups.join(', ')]),
              )
            : 'No members.',
        );
      }),
    );
  cmd
    .command('invite')
    .description('add a person by email and send an invitation (through the workers)')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--email <email>', 'their email address')
    .option('--group <name>', 'Owners | Administrators | a custom group')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; email: string; group?: string; json?: boolean }) => {
        const r = await asOperator((ctx) => inviteByEmail(ctx, { accountId: opts.account, email: opts.email, group: opts.group }));
        printResult(
          opts.json,
          { id: r.member.id, state: r.member.state, invitationId: r.invitation.id, expiresAt: r.invitation.expiresAt },
          (o) => `Invited ${opts.email} (member ${o.id}); the invitation email is on its way.`,
        );
      }),
    );
  cmd
    .command('resend')
    .description('send an invitation again with a new link')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--member <id>', 'member id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; member: string; json?: boolean }) => {
        const inv = await asOperator((ctx) => resendInvitation(ctx, opts.account, opts.member));
        printResult(opts.json, { invitationId: inv.id, expiresAt: inv.expiresAt }, (o) => `Invitation ${o.invitationId} resent; it expires ${o.expiresAt}.`);
      }),
    );
  return cmd;
}
