// `mspbridge operator add|remove|list`: the deployment's operators (they see every tenant's jobs).
import type { Command } from 'commander';
import { addOperatorEmail, operatorList, removeOperatorEmail } from '../domain/operators';
import { action } from './action';
import { asOperator } from './context';
import { printResult } from './output';

export function registerOperator(program: Command): void {
  const op = program.command('operator').description("the deployment's operators (OPERATOR_EMAILS adds more at start)");
  op.command('add')
    .description('make a person (by email) an operator of this deployment')
    .requiredOption('--email <email>', 'their email address')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { email: string; json?: boolean }) => {
        const out = await asOperator((ctx) => addOperatorEmail(ctx, opts.email));
        printResult(opts.json, out, (o) => (o.added ? `${o.email} is now an operator.` : `${o.email} already was an operator.`));
      }),
    );
  op.command('remove')
    .description('take the operator role')
    .requiredOption('--email <email>', 'their email address')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { email: string; json?: boolean }) => {
        const out = await asOperator((ctx) => removeOperatorEmail(ctx, opts.email));
        printResult(opts.json, out, (o) => (o.removed ? `${o.email} is no longer an operator.` : `${o.email} was not an operator.`));
      }),
    );
  op.command('list')
    .description('list the operators')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const out = await asOperator((ctx) => operatorList(ctx));
        printResult(opts.json, out, (rows) =>
          rows.length ? rows.map((r) => `${r.email}  (${r.addedBy ?? '?'}, ${r.createdAt})`).join('\n') : 'No operators.',
        );
      }),
    );
}
