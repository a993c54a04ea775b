// `mspbridge company show`, `technicians …`, `audit`, `api-token …`: the MSP-side management
// commands, run by the operator (API tokens are made for a named person of the MSP).
import type { Command } from 'commander';
import { createApiToken, listTokensOfMsp, memberPrincipal, revokeApiToken } from '../domain/access';
import { auditLog } from '../domain/audit';
import { companyDetail } from '../domain/companies';
import { addTechnician, listStaff, removeTechnician } from '../domain/technicians';
import { action, parseIntOption } from './action';
import { asOperator } from './context';
import { CliError, printResult, table } from './output';

export function registerMspAdmin(program: Command, company: Command): void {
  company
    .command('show')
    .description('one managed company: status, seats, Owners, SCIM tokens, open link request')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--company <id>', 'company id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; company: string; json?: boolean }) => {
        const d = await asOperator((ctx) => companyDetail(ctx, opts.msp, opts.company));
        const out = {
          id: d.company.id,
          name: d.company.name,
          status: d.company.status,
          region: d.company.region,
          seatsFilled: d.company.seatsFilled,
          seatsTotal: d.company.seatsTotal,
          owners: d.owners,
          members: d.members,
          scimTokens: d.scimTokens,
          openLinkRequest: d.openLinkRequest,
          canUnlink: d.canUnlink,
        };
        printResult(opts.json, out, (o) =>
          Object.entries(o)
            .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
            .join('\n'),
        );
      }),
    );

  const tech = program.command('technicians').description("the MSP's staff");
  tech
    .command('list')
    .requiredOption('--msp <id>', 'MSP account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; json?: boolean }) => {
        const staff = await asOperator((ctx) => listStaff(ctx, opts.msp));
        printResult(opts.json, staff, (s) =>
          table(
            ['MEMBER', 'EMAIL', 'STATE', 'ROLES'],
            s.map((x) => [x.memberId, x.email, x.state, x.roles.join(', ')]),
          ),
        );
      }),
    );
  tech
    .command('add')
    .description('make someone an MSP Technician (invited when new)')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--email <email>', 'their email')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; email: string; json?: boolean }) => {
        const r = await asOperator((ctx) => addTechnician(ctx, { mspId: opts.msp, email: opts.email }));
        printResult(opts.json, r, (o) => `${opts.email} is an MSP Technician${o.invited ? ' (invited)' : ''}.`);
      }),
    );
  tech
    .command('remove')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--member <id>', 'member id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; member: string; json?: boolean }) => {
        const r = await asOperator((ctx) => removeTechnician(ctx, { mspId: opts.msp, memberId: opts.member }));
        printResult(opts.json, r, (o) =>
          o.stillTechnician ? 'The role given by hand is gone; the MSP’s IdP still grants it.' : 'No longer an MSP Technician.',
        );
      }),
    );

  program
    .command('audit')
    .description('audit log of an account, or of an MSP rolled up over its companies (--msp)')
    .option('--account <id>', 'account id')
    .option('--msp <id>', 'MSP id: the roll-up')
    .option('--action <action>', 'only this action')
    .option('--since <iso>', 'from this time')
    .option('--limit <n>', 'at most this many (default 100)', parseIntOption('--limit'))
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account?: string; msp?: string; action?: string; since?: string; limit?: number; json?: boolean }) => {
        const id = opts.msp ?? opts.account;
        if (!id) throw new CliError('give --account or --msp');
        const events = await asOperator((ctx) => auditLog(ctx, id, { action: opts.action, since: opts.since, limit: opts.limit }, Boolean(opts.msp)));
        printResult(opts.json, events, (es) =>
          table(
            ['TIME', 'ACCOUNT', 'ACTOR', 'ACTION', 'TARGET'],
            es.map((e) => [e.createdAt, e.accountId, e.actorLabel, e.action, e.targetId]),
          ),
        );
      }),
    );

  const token = program.command('api-token').description('automation tokens of an MSP (each acts as one of its people)');
  token
    .command('create')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--member <id>', 'the Owner or Administrator the token acts as')
    .option('--label <label>', 'a note')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; member: string; label?: string; json?: boolean }) => {
        const out = await asOperator(async (ctx) => {
          const actor = await memberPrincipal(ctx.tx, opts.msp, opts.member, 'cli');
          return createApiToken({ ...ctx, actor }, { mspId: opts.msp, label: opts.label });
        });
        printResult(opts.json, out, (o) => `API token (shown once): ${o.token}`);
      }),
    );
  token
    .command('list')
    .requiredOption('--msp <id>', 'MSP account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; json?: boolean }) => {
        const ts = await asOperator((ctx) => listTokensOfMsp(ctx, opts.msp));
        printResult(opts.json, ts, (rows) =>
          table(
            ['ID', 'PREFIX', 'LABEL', 'MEMBER', 'LAST USED', 'REVOKED'],
            rows.map((t) => [t.id, `${t.prefix}…`, t.label, t.memberId, t.lastUsedAt ?? 'never', t.revokedAt ?? '']),
          ),
        );
      }),
    );
  token
    .command('revoke')
    .requiredOption('--msp <id>', 'MSP account id')
    .requiredOption('--token <id>', 'token id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { msp: string; token: string; json?: boolean }) => {
        await asOperator((ctx) => revokeApiToken(ctx, { mspId: opts.msp, tokenId: opts.token }));
        printResult(opts.json, { id: opts.token, revoked: true }, () => `Token ${opts.token} revoked.`);
      }),
    );
}
