// `mspbridge scim-token create|list|revoke`: bearer tokens an IdP uses to provision one account.
import type { Command } from 'commander';
import { scimRequestLog } from '../domain/provisioningLog';
import { createScimToken, listTokens, revokeScimToken } from '../domain/scimTokens';
import { ACCOUNT, operatorCommand } from './command';
import { scimBaseUrl } from './context';
import { CliError, table } from './output';

export function registerScimToken(program: Command): void {
  const cmd = program.command('scim-token').description('SCIM bearer tokens');
  operatorCommand(cmd, 'create', {
    description: 'create a SCIM token (shown once)',
    required: [ACCOUNT],
    options: [['--label <label>', 'a note to tell tokens apart']],
    run: async (ctx, opts: { account: string; label?: string }, { config }) => {
      const t = await createScimToken(ctx, opts.account, opts.label);
      return { token: t.token, baseUrl: scimBaseUrl(config), id: t.id };
    },
    text: (o) => `SCIM base URL: ${o.baseUrl}\nToken (shown once): ${o.token}`,
  });
  operatorCommand(cmd, 'list', {
    description: 'list SCIM tokens (never their secrets)',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => listTokens(ctx, opts.account),
    text: (ts) =>
      table(
        ['ID', 'PREFIX', 'LABEL', 'CREATED', 'LAST USED', 'REVOKED'],
        ts.map((t) => [t.id, `${t.prefix}…`, t.label, t.createdAt, t.lastUsedAt ?? 'never', t.revokedAt ?? '']),
      ),
  });
  operatorCommand(cmd, 'revoke', {
    description: 'revoke a SCIM token',
    required: [ACCOUNT, ['--token <id>', 'token id (from list)']],
    run: async (ctx, opts: { account: string; token: string }) => {
      await revokeScimToken(ctx, opts.account, opts.token);
      return { id: opts.token, revoked: true };
    },
    text: (o) => `Token ${o.id} revoked.`,
  });
}

interface LogOpts {
  account: string;
  limit: string;
  before?: string;
  errors?: boolean;
}

/** The paging flags as numbers; a bad one is refused before the database is opened. */
function logQuery(opts: LogOpts): { limit: number; beforeId?: number; errorsOnly?: boolean } {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(`--limit must be a whole number from 1 to 500, got "${opts.limit}"`);
  const beforeId = opts.before === undefined ? undefined : Number(opts.before);
  if (beforeId !== undefined && (!Number.isInteger(beforeId) || beforeId < 1)) throw new CliError(`--before must be a log id, got "${opts.before}"`);
  return { limit, beforeId, errorsOnly: opts.errors };
}

/** `mspbridge scim-log`: what the account's IdP sent lately and what it got (the troubleshooting view). */
export function registerScimLog(program: Command): void {
  operatorCommand(program, 'scim-log', {
    description: "recent SCIM requests of an account's IdP, newest first (bodies redacted)",
    required: [ACCOUNT],
    options: [
      ['--limit <n>', 'how many (1-500)', '50'],
      ['--before <id>', 'only entries older than this log id (paging)'],
      ['--errors', 'only answers 400 and above'],
    ],
    check: (opts: LogOpts) => void logQuery(opts),
    run: (ctx, opts) => scimRequestLog(ctx, opts.account, logQuery(opts)),
    text: (rows) =>
      rows.length
        ? table(
            ['ID', 'TIME', 'IDP', 'METHOD', 'PATH', 'STATUS', 'MS', 'ERROR', 'REQUEST ID'],
            rows.map((e) => [
              String(e.id),
              e.createdAt,
              e.idp ?? '',
              e.method,
              e.path.slice(0, 80),
              String(e.status),
              String(e.latencyMs),
              [e.scimType, e.detail].filter(Boolean).join(': ').slice(0, 100),
              e.requestId ?? '',
            ]),
          )
        : 'No SCIM requests logged.',
  });
}
