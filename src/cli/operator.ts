// `mspbridge operator add|remove|list`: the deployment's operators (they see every tenant's jobs).
import type { Command } from 'commander';
import { addOperatorEmail, operatorList, removeOperatorEmail } from '../domain/operators';
import { type Flag, operatorCommand } from './command';

const EMAIL: Flag = ['--email <email>', 'their email address'];

export function registerOperator(program: Command): void {
  const op = program.command('operator').description("the deployment's operators (OPERATOR_EMAILS adds more at start)");
  operatorCommand(op, 'add', {
    description: 'make a person (by email) an operator of this deployment',
    required: [EMAIL],
    run: (ctx, opts: { email: string }) => addOperatorEmail(ctx, opts.email),
    text: (o) => (o.added ? `${o.email} is now an operator.` : `${o.email} already was an operator.`),
  });
  operatorCommand(op, 'remove', {
    description: 'take the operator role',
    required: [EMAIL],
    run: (ctx, opts: { email: string }) => removeOperatorEmail(ctx, opts.email),
    text: (o) => (o.removed ? `${o.email} is no longer an operator.` : `${o.email} was not an operator.`),
  });
  operatorCommand(op, 'list', {
    description: 'list the operators',
    run: (ctx) => operatorList(ctx),
    text: (rows) => (rows.length ? rows.map((r) => `${r.email}  (${r.addedBy ?? '?'}, ${r.createdAt})`).join('\n') : 'No operators.'),
  });
}
