// `mspbridge company show`, `technicians …`, `audit`, `api-token …`: the MSP-side management
// commands, run by the operator (API tokens are made for a named person of the MSP).
import type { Command } from 'commander';
import { createApiToken, listTokensOfMsp, memberPrincipal, revokeApiToken } from '../domain/access';
import { auditLog } from '../domain/audit';
import { companyDetail, companySummary } from '../domain/companies';
import { addTechnician, listStaff, removeTechnician } from '../domain/technicians';
import { parseIntOption } from './action';
import { MSP, operatorCommand } from './command';
import { CliError, table } from './output';

interface AuditOpts {
  account?: string;
  msp?: string;
  action?: string;
  since?: string;
  limit?: number;
}

export function registerMspAdmin(program: Command, company: Command): void {
  operatorCommand(company, 'show', {
    description: 'one managed company: status, seats, Owners, SCIM tokens, open link request',
    required: [MSP, ['--company <id>', 'company id']],
    run: async (ctx, opts: { msp: string; company: string }) => {
      const d = await companyDetail(ctx, opts.msp, opts.company);
      return {
        ...companySummary(d.company),
        owners: d.owners,
        members: d.members,
        scimTokens: d.scimTokens,
        openLinkRequest: d.openLinkRequest,
        canUnlink: d.canUnlink,
      };
    },
    text: (o) =>
      Object.entries(o)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
        .join('\n'),
  });

  const tech = program.command('technicians').description("the MSP's staff");
  operatorCommand(tech, 'list', {
    required: [MSP],
    run: (ctx, opts: { msp: string }) => listStaff(ctx, opts.msp),
    text: (s) =>
      table(
        ['MEMBER', 'EMAIL', 'STATE', 'ROLES'],
        s.map((x) => [x.memberId, x.email, x.state, x.roles.join(', ')]),
      ),
  });
  operatorCommand(tech, 'add', {
    description: 'make someone an MSP Technician (invited when new)',
    required: [MSP, ['--email <email>', 'their email']],
    run: (ctx, opts: { msp: string; email: string }) => addTechnician(ctx, { mspId: opts.msp, email: opts.email }),
    text: (o, opts) => `${opts.email} is an MSP Technician${o.invited ? ' (invited)' : ''}.`,
  });
  operatorCommand(tech, 'remove', {
    required: [MSP, ['--member <id>', 'member id']],
    run: (ctx, opts: { msp: string; member: string }) => removeTechnician(ctx, { mspId: opts.msp, memberId: opts.member }),
    text: (o) => (o.stillTechnician ? 'The role given by hand is gone; the MSP’s IdP still grants it.' : 'No longer an MSP Technician.'),
  });

  operatorCommand(program, 'audit', {
    description: 'audit log of an account, or of an MSP rolled up over its companies (--msp)',
    options: [
      ['--account <id>', 'account id'],
      ['--msp <id>', 'MSP id: the roll-up'],
      ['--action <action>', 'only this action'],
      ['--since <iso>', 'from this time'],
      ['--limit <n>', 'at most this many (default 100)', parseIntOption('--limit')],
    ],
    check: (opts: AuditOpts) => {
      if (!(opts.msp ?? opts.account)) throw new CliError('give --account or --msp');
    },
    run: (ctx, opts) => auditLog(ctx, (opts.msp ?? opts.account)!, { action: opts.action, since: opts.since, limit: opts.limit }, Boolean(opts.msp)),
    text: (es) =>
      table(
        ['TIME', 'ACCOUNT', 'ACTOR', 'ACTION', 'TARGET'],
        es.map((e) => [e.createdAt, e.accountId, e.actorLabel, e.action, e.targetId]),
      ),
  });

  const token = program.command('api-token').description('automation tokens of an MSP (each acts as one of its people)');
  operatorCommand(token, 'create', {
    required: [MSP, ['--member <id>', 'the Owner or Administrator the token acts as']],
    options: [['--label <label>', 'a note']],
    run: async (ctx, opts: { msp: string; member: string; label?: string }) => {
      const actor = await memberPrincipal(ctx.tx, opts.msp, opts.member, 'cli');
      return createApiToken({ ...ctx, actor }, { mspId: opts.msp, label: opts.label });
    },
    text: (o) => `API token (shown once): ${o.token}`,
  });
  operatorCommand(token, 'list', {
    required: [MSP],
    run: (ctx, opts: { msp: string }) => listTokensOfMsp(ctx, opts.msp),
    text: (rows) =>
      table(
        ['ID', 'PREFIX', 'LABEL', 'MEMBER', 'LAST USED', 'REVOKED'],
        rows.map((t) => [t.id, `${t.prefix}…`, t.label, t.memberId, t.lastUsedAt ?? 'never', t.revokedAt ?? '']),
      ),
  });
  operatorCommand(token, 'revoke', {
    required: [MSP, ['--token <id>', 'token id']],
    run: async (ctx, opts: { msp: string; token: string }) => {
      await revokeApiToken(ctx, { mspId: opts.msp, tokenId: opts.token });
      return { id: opts.token, revoked: true };
    },
    text: (o) => `Token ${o.id} revoked.`,
  });
}
