// Prints command results as text or as exactly one JSON value; errors as one line on stderr.
import { ConfigError } from '../config';
import { isDomainError } from '../domain/errors';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** `asJson` picks what --json prints when it is not the whole value. */
export function printResult<T>(json: boolean | undefined, value: T, text: (v: T) => string, asJson: (v: T) => unknown = (v) => v): void {
  process.stdout.write(json ? `${JSON.stringify(asJson(value))}\n` : `${text(value)}\n`);
}

/** A plain-text table with aligned columns. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? '').padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line describing any failure, never a stack trace. */
export function errorLine(err: unknown): string {
  if (isDomainError(err)) return `${err.message} (${err.code})`;
  if (err instanceof ConfigError) return `invalid configuration: ${err.problems.join('; ')}`;
  if (err instanceof CliError) return err.message;
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED') return `cannot connect: ${e.message ?? 'connection refused'}`;
  const msg = (e?.message ?? String(err)).split('\n')[0];
  return msg || 'unknown error';
}

export function fail(err: unknown): never {
  process.stderr.write(`mspbridge: ${errorLine(err)}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}
