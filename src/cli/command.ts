// Declares one operator command in one call: its flags, one operator transaction, the result as text or --json.
import type { Command } from 'commander';
import type { Ctx } from '../domain/context';
import { action } from './action';
import { asOperator, type CliEnv } from './context';
import { printResult } from './output';

/** A flag as commander takes it: flags, description, and a parser or a default value. */
export type Flag = readonly [flags: string, description: string, parseOrDefault?: ((value: string) => unknown) | string];

export const ACCOUNT: Flag = ['--account <id>', 'account id'];
export const MSP: Flag = ['--msp <id>', 'MSP account id'];

export interface OperatorCommand<O, T> {
  description?: string;
  required?: Flag[];
  options?: Flag[];
  /** Refuses bad flags before the database is opened. */
  check?: (opts: O) => void;
  run: (ctx: Ctx, opts: O, env: CliEnv) => Promise<T>;
  text: (value: T, opts: O) => string;
  /** What --json prints when it is not the whole result. */
  json?: (value: T) => unknown;
}

/** `parent <name> [flags] [--json]`: runs `run` as the operator in one transaction and prints what it returns. */
export function operatorCommand<O extends object, T>(parent: Command, name: string, spec: OperatorCommand<O, T>): Command {
  const cmd = parent.command(name);
  if (spec.description !== undefined) cmd.description(spec.description);
  for (const flag of spec.required ?? []) declare(cmd, flag, true);
  for (const flag of spec.options ?? []) declare(cmd, flag, false);
  cmd.option('--json', 'print JSON');
  return cmd.action(
    action(async (opts: O & { json?: boolean }) => {
      spec.check?.(opts);
      const out = await asOperator((ctx, env) => spec.run(ctx, opts, env));
      printResult(opts.json, out, (v) => spec.text(v, opts), spec.json);
    }),
  );
}

function declare(cmd: Command, [flags, description, parseOrDefault]: Flag, required: boolean): void {
  // commander's option and requiredOption differ only in the mandatory mark; a function parses, a string is the default.
  if (typeof parseOrDefault === 'function') {
    if (required) cmd.requiredOption(flags, description, parseOrDefault);
    else cmd.option(flags, description, parseOrDefault);
  } else if (required) cmd.requiredOption(flags, description, parseOrDefault);
  else cmd.option(flags, description, parseOrDefault);
}
