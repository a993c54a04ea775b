// `mspbridge scim-client create|rotate|revoke|list`: OAuth 2.0 client credentials for SCIM.
import type { Command } from 'commander';
import { createOAuthClient, listOAuthClients, revokeOAuthClient, rotateOAuthClient } from '../domain/oauthClients';
import { action } from './action';
import { asOperator, scimBaseUrl } from './context';
import { printResult, table } from './output';

export function registerScimClient(program: Command): void {
  const cmd = program.command('scim-client').description('OAuth 2.0 client credentials for SCIM (POST tokenUrl, grant_type=client_credentials)');
  cmd
    .command('create')
    .requiredOption('--account <id>', 'account id')
    .option('--label <label>', 'a note')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; label?: string; json?: boolean }) => {
        const out = await asOperator(async (ctx, { config }) => {
          const c = await createOAuthClient(ctx, { accountId: opts.account, label: opts.label });
          return { clientId: c.clientId, clientSecret: c.clientSecret, tokenUrl: `${config.publicUrl}/oauth/token`, scimBaseUrl: scimBaseUrl(config) };
        });
        printResult(
          opts.json,
          out,
          (o) => `Client ID: ${o.clientId}\nClient secret (shown once): ${o.clientSecret}\nToken URL: ${o.tokenUrl}\nSCIM base URL: ${o.scimBaseUrl}`,
        );
      }),
    );
  cmd
    .command('rotate')
    .description('a new secret; the old one stops working at once')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--client <id>', 'client id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; client: string; json?: boolean }) => {
        const out = await asOperator(async (ctx, { config }) => ({
          ...(await rotateOAuthClient(ctx, { accountId: opts.account, clientId: opts.client })),
          tokenUrl: `${config.publicUrl}/oauth/token`,
        }));
        printResult(opts.json, out, (o) => `New client secret (shown once): ${o.clientSecret}`);
      }),
    );
  cmd
    .command('revoke')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--client <id>', 'client id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; client: string; json?: boolean }) => {
        await asOperator((ctx) => revokeOAuthClient(ctx, { accountId: opts.account, clientId: opts.client }));
        printResult(opts.json, { clientId: opts.client, revoked: true }, () => `Client ${opts.client} revoked; its tokens are refused from now on.`);
      }),
    );
  cmd
    .command('list')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; json?: boolean }) => {
        const cs = await asOperator((ctx) => listOAuthClients(ctx, opts.account));
        printResult(opts.json, cs, (rows) =>
          table(
            ['CLIENT ID', 'LABEL', 'CREATED', 'ROTATED', 'LAST USED', 'REVOKED'],
            rows.map((c) => [c.clientId, c.label, c.createdAt, c.rotatedAt, c.lastUsedAt ?? 'never', c.revokedAt ?? '']),
          ),
        );
      }),
    );
}
