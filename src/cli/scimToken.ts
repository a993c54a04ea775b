// `mspbridge scim-token create|list|revoke`: bearer tokens an IdP uses to provision one account.
import type { Command } from 'commander';
import { createScimToken, listTokens, revokeScimToken } from '../domain/scimTokens';
import { action } from './action';
import { asOperator, scimBaseUrl } from './context';
import { printResult, table } from './output';

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
