// `mspbridge members list`: the people of an account with their groups.
import type { Command } from 'commander';
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
  return cmd;
}
