// `mspbridge scim-token create|list|revoke`: bearer tokens an IdP uses to provision one account.
import type { Command } from 'commander';
import { scimRequestLog } from '../domain/provisioningLog';
import { createScimToken, listTokens, revokeScimToken } from '../domain/scimTokens';
import { action } from './action';
import { asOperator, scimBaseUrl } from './context';
import { CliError, printResult, table } from './output';

export function registerScimToken(program: Command): void {
  const cmd = program.command('scim-token').description('SCIM bearer tokens');
  cmd
    .command('create')
    .description('create a SCIM token (shown once)')
    .requiredOption('--account <id>', 'account id')
    .option('--label <label>', 'a note to tell tokens apart')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; label?: string; json?: boolean }) => {
        const out = await asOperator(async (ctx, { config }) => {
          const t = await createScimToken(ctx, opts.account, opts.label);
          return { token: t.token, baseUrl: scimBaseUrl(config), id: t.id };
        });
        printResult(opts.json, out, (o) => `SCIM base URL: ${o.baseUrl}\nToken (shown once): ${o.token}`);
      }),
    );
  cmd
    .command('list')
    .description('list SCIM tokens (never their secrets)')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; json?: boolean }) => {
        const tokens = await asOperator((ctx) => listTokens(ctx, opts.account));
        printResult(opts.json, tokens, (ts) =>
          table(
            ['ID', 'PREFIX', 'LABEL', 'CREATED', 'LAST USED', 'REVOKED'],
            ts.map((t) => [t.id, `${t.prefix}…`, t.label, t.createdAt, t.lastUsedAt ?? 'never', t.revokedAt ?? '']),
          ),
        );
      }),
    );
  cmd
    .command('revoke')
    .description('revoke a SCIM token')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--token <id>', 'token id (from list)')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; token: string; json?: boolean }) => {
        await asOperator((ctx) => revokeScimToken(ctx, opts.account, opts.token));
        printResult(opts.json, { id: opts.token, revoked: true }, () => `Token ${opts.token} revoked.`);
      }),
    );
}

/** `mspbridge scim-log`: what the account's IdP sent lately and what it got (the troubleshooting view). */
export function registerScimLog(program: Command): void {
  program
    .command('scim-log')
    .description("recent SCIM requests of an account's IdP, newest first (bodies redacted)")
    .requiredOption('--account <id>', 'account id')
    .option('--limit <n>', 'how many (1-500)', '50')
    .option('--before <id>', 'only entries older than this log id (paging)')
    .option('--errors', 'only answers 400 and above')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; limit: string; before?: string; errors?: boolean; json?: boolean }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(`--limit must be a whole number from 1 to 500, got "${opts.limit}"`);
        const beforeId = opts.before === undefined ? undefined : Number(opts.before);
        if (beforeId !== undefined && (!Number.isInteger(beforeId) || beforeId < 1)) throw new CliError(`--before must be a log id, got "${opts.before}"`);
        const entries = await asOperator((ctx) => scimRequestLog(ctx, opts.account, { limit, beforeId, errorsOnly: opts.errors }));
        printResult(opts.json, entries, (rows) =>
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
        );
      }),
    );
}
