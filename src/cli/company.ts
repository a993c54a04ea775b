// `mspbridge company add|list`: managed companies seen from the MSP side.
import type { Command } from 'commander';
import type { AccountStatus, CompanySort } from '../db/accounts.repo';
import { addCompany, listCompanies } from '../domain/companies';
import { requestLink, showLink, unlinkCompany } from '../domain/links';
import { action, parseIntOption } from './action';
import { asOperator } from './context';
import { CliError, printResult, table } from './output';

const SORTS: CompanySort[] = ['name', 'status', 'seats'];

export function registerCompany(program: Command): Command {
  const company = program.command('company').description('managed companies');
  company
    .command('add')
    .description('add a new company in the MSP’s data region')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--name <name>', 'company name')
    .requiredOption('--country <country>', 'country/region (billing only; does not set the data region)')
    .option('--website <url>', 'website')
    .option('--address <address>', 'postal address')
    .option('--seats <n>', 'seat allowance', parseIntOption('--seats'))
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; name: string; country: string; website?: string; address?: string; seats?: number; json?: boolean }) => {
        const c = await asOperator((ctx) =>
          addCompany(ctx, {
            mspId: opts.msp,
            name: opts.name,
            country: opts.country,
            website: opts.website,
            address: opts.address,
            seats: opts.seats,
          }),
        );
        printResult(opts.json, { id: c.id, region: c.region, status: c.status }, (o) => `Company ${o.id} added in region ${o.region} (${o.status}).`);
      }),
    );
  company
    .command('list')
    .description('list the MSP’s managed companies')
    .requiredOption('--msp <id>', 'MSP account id')
    .option('--search <text>', 'search by name')
    .option('--sort <key>', 'status | seats | name')
    .option('--order <dir>', 'asc | desc')
    .option('--status <status>', 'setup | active | pending_link | frozen | trial')
    .option('--limit <n>', 'page size (max 1000)', parseIntOption('--limit'))
    .option('--offset <n>', 'skip this many', parseIntOption('--offset'))
    .option('--json', 'print JSON')
    .action(
      action(
        async (opts: { msp: string; search?: string; sort?: string; order?: string; status?: string; limit?: number; offset?: number; json?: boolean }) => {
          if (opts.sort && !SORTS.includes(opts.sort as CompanySort)) throw new CliError(`--sort must be one of ${SORTS.join(', ')}`);
          if (opts.order && opts.order !== 'asc' && opts.order !== 'desc') throw new CliError('--order must be asc or desc');
          const page = await asOperator((ctx) =>
            listCompanies(ctx, opts.msp, {
              search: opts.search,
              sort: opts.sort as CompanySort | undefined,
              order: opts.order as 'asc' | 'desc' | undefined,
              status: opts.status as AccountStatus | undefined,
              limit: opts.limit ?? 1000,
              offset: opts.offset,
            }),
          );
          const rows = page.items.map((c) => ({
            id: c.id,
            name: c.name,
            status: c.status,
            region: c.region,
            seatsFilled: c.seatsFilled,
            seatsTotal: c.seatsTotal,
          }));
          printResult(opts.json, rows, (rs) =>
            rs.length
              ? `${table(
                  ['ID', 'NAME', 'STATUS', 'REGION', 'SEATS'],
                  rs.map((r) => [r.id, r.name, r.status, r.region, `${r.seatsFilled}/${r.seatsTotal}`]),
                )}\n${rs.length} of ${page.total} companies`
              : 'No companies.',
          );
        },
      ),
    );
  company
    .command('link')
    .description('ask to link an existing account (same region; its Owner approves)')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--account <id>', 'the account to link')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; account: string; json?: boolean }) => {
        const v = await asOperator((ctx) => requestLink(ctx, { mspId: opts.msp, accountId: opts.account }));
        printResult(
          opts.json,
          { requestId: v.requestId, status: v.status },
          (o) => `Link request ${o.requestId}: ${o.status}. Follow it with "mspbridge link show --request ${o.requestId}".`,
        );
      }),
    );
  company
    .command('unlink')
    .description('unlink a company (it needs an Owner of its own who accepted); it then has a 14-day trial')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--company <id>', 'company id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; company: string; json?: boolean }) => {
        const r = await asOperator((ctx) => unlinkCompany(ctx, { mspId: opts.msp, companyId: opts.company }));
        printResult(opts.json, r, (o) => `Unlinked. The company is on a free trial until ${o.trialEndsAt}.`);
      }),
    );
  return company;
}

export function registerLink(program: Command): void {
  program
    .command('link')
    .description('link requests')
    .command('show')
    .description('show a link request')
    .requiredOption('--request <id>', 'request id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { request: string; json?: boolean }) => {
        const v = await asOperator((ctx) => showLink(ctx, { requestId: opts.request }));
        printResult(
          opts.json,
          { requestId: v.requestId, status: v.status, reason: v.reason },
          (o) => `${o.requestId}: ${o.status}${o.reason ? ` (${o.reason})` : ''}`,
        );
      }),
    );
}
