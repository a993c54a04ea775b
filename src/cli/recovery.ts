// `mspbridge recovery start|complete`: account recovery as the operator (the workers send the mail).
import type { Command } from 'commander';
import { completeRecovery, startRecovery } from '../domain/recovery';
import { ACCOUNT, operatorCommand } from './command';

export function registerRecovery(program: Command): void {
  const cmd = program.command('recovery').description('account recovery');
  operatorCommand(cmd, 'start', {
    description: 'start recovering a member who lost access',
    required: [ACCOUNT, ['--member <id>', 'member id']],
    run: async (ctx, opts: { account: string; member: string }) => {
      const r = await startRecovery(ctx, { accountId: opts.account, memberId: opts.member });
      return { requestId: r.id, status: r.status, expiresAt: r.expiresAt };
    },
    text: (o) => `Recovery ${o.requestId} started; the member gets an email.`,
  });
  operatorCommand(cmd, 'complete', {
    description: 'complete a recovery once the member chose new credentials',
    required: [ACCOUNT, ['--request <id>', 'recovery request id']],
    run: async (ctx, opts: { account: string; request: string }) => {
      const r = await completeRecovery(ctx, { accountId: opts.account, requestId: opts.request });
      return { requestId: r.id, status: r.status };
    },
    text: (o) => `Recovery ${o.requestId}: ${o.status}.`,
  });
}
