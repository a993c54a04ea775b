// `mspbridge company add|list`: managed companies seen from the MSP side.
import type { Command } from 'commander';
import type { AccountStatus } from '../db/accounts.repo';
import type { CompanySort } from '../db/companyList.repo';
import { addCompany, companySummary, listCompanies } from '../domain/companies';
import { requestLink, showLink, unlinkCompany } from '../domain/links';
import { addCompanyFromTemplate } from '../domain/templates';
import { parseIntOption } from './action';
import { MSP, operatorCommand } from './command';
import { CliError, table } from './output';

const SORTS: CompanySort[] = ['name', 'status', 'seats'];

interface AddOpts {
  msp: string;
  name: string;
  country: string;
  website?: string;
  address?: string;
  seats?: number;
  template?: string;
}

interface ListOpts {
  msp: string;
  search?: string;
  sort?: string;
  order?: string;
  status?: string;
  limit?: number;
  offset?: number;
}

export function registerCompany(program: Command): Command {
  const company = program.command('company').description('managed companies');
  operatorCommand(company, 'add', {
    description: 'add a new company in the MSP’s data region',
    required: [MSP, ['--name <name>', 'company name'], ['--country <country>', 'country/region (billing only; does not set the data region)']],
    options: [
      ['--website <url>', 'website'],
      ['--address <address>', 'postal address'],
      ['--seats <n>', 'seat allowance', parseIntOption('--seats')],
      ['--template <id>', 'set the company up from this template (see template apply)'],
    ],
    run: async (ctx, opts: AddOpts) => {
      const input = { mspId: opts.msp, name: opts.name, country: opts.country, website: opts.website, address: opts.address, seats: opts.seats };
      if (!opts.template) {
        const c = await addCompany(ctx, input);
        return { id: c.id, region: c.region, status: c.status };
      }
      const { company: c, template } = await addCompanyFromTemplate(ctx, input, opts.template);
      return { id: c.id, region: c.region, status: c.status, template: { id: template.templateId, changes: template.changes, remaining: template.remaining } };
    },
    text: (o) => `Company ${o.id} added in region ${o.region} (${o.status}).`,
  });
  operatorCommand(company, 'list', {
    description: 'list the MSP’s managed companies',
    required: [MSP],
    options: [
      ['--search <text>', 'search by name'],
      ['--sort <key>', 'status | seats | name'],
      ['--order <dir>', 'asc | desc'],
      ['--status <status>', 'setup | active | pending_link | frozen | trial'],
      ['--limit <n>', 'page size (max 1000)', parseIntOption('--limit')],
      ['--offset <n>', 'skip this many', parseIntOption('--offset')],
    ],
    check: (opts: ListOpts) => {
      if (opts.sort && !SORTS.includes(opts.sort as CompanySort)) throw new CliError(`--sort must be one of ${SORTS.join(', ')}`);
      if (opts.order && opts.order !== 'asc' && opts.order !== 'desc') throw new CliError('--order must be asc or desc');
    },
    run: async (ctx, opts) => {
      const page = await listCompanies(ctx, opts.msp, {
        search: opts.search,
        sort: opts.sort as CompanySort | undefined,
        order: opts.order as 'asc' | 'desc' | undefined,
        status: opts.status as AccountStatus | undefined,
        limit: opts.limit ?? 1000,
        offset: opts.offset,
      });
      return { rows: page.items.map(companySummary), total: page.total };
    },
    json: (page) => page.rows,
    text: ({ rows, total }) =>
      rows.length
        ? `${table(
            ['ID', 'NAME', 'STATUS', 'REGION', 'SEATS'],
            rows.map((r) => [r.id, r.name, r.status, r.region, `${r.seatsFilled}/${r.seatsTotal}`]),
          )}\n${rows.length} of ${total} companies`
        : 'No companies.',
  });
  operatorCommand(company, 'link', {
    description: 'ask to link an existing account (same region; its Owner approves)',
    required: [MSP, ['--account <id>', 'the account to link']],
    run: async (ctx, opts: { msp: string; account: string }) => {
      const v = await requestLink(ctx, { mspId: opts.msp, accountId: opts.account });
      return { requestId: v.requestId, status: v.status };
    },
    text: (o) => `Link request ${o.requestId}: ${o.status}. Follow it with "mspbridge link show --request ${o.requestId}".`,
  });
  operatorCommand(company, 'unlink', {
    description: 'unlink a company (it needs an Owner of its own who accepted); it then has a 14-day trial',
    required: [MSP, ['--company <id>', 'company id']],
    run: (ctx, opts: { msp: string; company: string }) => unlinkCompany(ctx, { mspId: opts.msp, companyId: opts.company }),
    text: (o) => `Unlinked. The company is on a free trial until ${o.trialEndsAt}.`,
  });
  return company;
}

export function registerLink(program: Command): void {
  operatorCommand(program.command('link').description('link requests'), 'show', {
    description: 'show a link request',
    required: [['--request <id>', 'request id']],
    run: async (ctx, opts: { request: string }) => {
      const v = await showLink(ctx, { requestId: opts.request });
      return { requestId: v.requestId, status: v.status, reason: v.reason };
    },
    text: (o) => `${o.requestId}: ${o.status}${o.reason ? ` (${o.reason})` : ''}`,
  });
}
