// `mspbridge recovery start|complete`: account recovery as the operator (the workers send the mail).
import type { Command } from 'commander';
import { completeRecovery, startRecovery } from '../domain/recovery';
import { action } from './action';
import { asOperator } from './context';
import { printResult } from './output';

export function registerRecovery(program: Command): void {
  const cmd = program.command('recovery').description('account recovery');
  cmd
    .command('start')
    .description('start recovering a member who lost access')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--member <id>', 'member id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; member: string; json?: boolean }) => {
        const r = await asOperator((ctx) => startRecovery(ctx, { accountId: opts.account, memberId: opts.member }));
        printResult(
          opts.json,
          { requestId: r.id, status: r.status, expiresAt: r.expiresAt },
          (o) => `Recovery ${o.requestId} started; the member gets an email.`,
        );
      }),
    );
  cmd
    .command('complete')
    .description('complete a recovery once the member chose new credentials')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--request <id>', 'recovery request id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; request: string; json?: boolean }) => {
        const r = await asOperator((ctx) => completeRecovery(ctx, { accountId: opts.account, requestId: opts.request }));
        printResult(opts.json, { requestId: r.id, status: r.status }, (o) => `Recovery ${o.requestId}: ${o.status}.`);
      }),
    );
}
