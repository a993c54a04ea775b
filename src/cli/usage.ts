// `mspbridge usage snapshot [--msp ID]` takes today's snapshot; `mspbridge usage --msp ID --from D
// --to D [--json|--csv]` sums the ledger per company (what the MSP bills on).
import type { Command } from 'commander';
import { snapshotUsage, usageCsv, usageOfMsp } from '../domain/usage';
import { action } from './action';
import { asOperator } from './context';
import { CliError, printResult, table } from './output';

interface UsageOpts {
  msp?: string;
  from?: string;
  to?: string;
  json?: boolean;
  csv?: boolean;
}

export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('the usage ledger: "usage snapshot [--msp ID]" takes today\'s snapshot; "usage --msp ID --from D --to D" sums it per company')
    .argument('[snapshot]', 'take today’s snapshot (idempotent per day) instead of reporting')
    .option('--msp <id>', 'MSP account id (required to report; limits a snapshot to its companies)')
    .option('--from <day>', 'first day, YYYY-MM-DD (UTC)')
    .option('--to <day>', 'last day, YYYY-MM-DD (UTC), inclusive')
    .option('--csv', 'print CSV: a header line and one row per company')
    .option('--json', 'print JSON')
    .action(
      action(async (what: string | undefined, opts: UsageOpts) => {
        if (what !== undefined && what !== 'snapshot') throw new CliError(`unknown usage command "${what}" (did you mean "usage snapshot"?)`);
        if (what === 'snapshot') {
          const r = await asOperator((ctx) => snapshotUsage(ctx, opts.msp));
          printResult(opts.json, r, (v) => `Usage snapshot for ${v.day}: ${v.taken} compan${v.taken === 1 ? 'y' : 'ies'} taken.`);
          return;
        }
        if (!opts.msp || !opts.from || !opts.to) throw new CliError('usage needs --msp, --from and --to (or: usage snapshot [--msp ID])');
        if (opts.csv && opts.json) throw new CliError('choose one of --json and --csv');
        const rows = await asOperator((ctx) => usageOfMsp(ctx, opts.msp!, opts.from!, opts.to!));
        if (opts.csv) {
          process.stdout.write(usageCsv(rows));
          return;
        }
        printResult(opts.json, rows, (v) =>
          table(
            ['company', 'name', 'seat-days', 'avg seats', 'peak', 'active', 'trial', 'frozen', 'setup'],
            v.map((r) => [
              r.companyId,
              r.name,
              r.seatDays,
              r.avgSeats,
              r.peakSeats,
              r.statusDays.active,
              r.statusDays.trial,
              r.statusDays.frozen,
              r.statusDays.setup,
            ]),
          ),
        );
      }),
    );
}
