// `mspbridge scim-client create|rotate|revoke|list`: OAuth 2.0 client credentials for SCIM.
import type { Command } from 'commander';
import { createOAuthClient, listOAuthClients, revokeOAuthClient, rotateOAuthClient } from '../domain/oauthClients';
import { ACCOUNT, type Flag, operatorCommand } from './command';
import { scimBaseUrl } from './context';
import { table } from './output';

const CLIENT: Flag = ['--client <id>', 'client id'];

export function registerScimClient(program: Command): void {
  const cmd = program.command('scim-client').description('OAuth 2.0 client credentials for SCIM (POST tokenUrl, grant_type=client_credentials)');
  operatorCommand(cmd, 'create', {
    required: [ACCOUNT],
    options: [['--label <label>', 'a note']],
    run: async (ctx, opts: { account: string; label?: string }, { config }) => {
      const c = await createOAuthClient(ctx, { accountId: opts.account, label: opts.label });
      return { clientId: c.clientId, clientSecret: c.clientSecret, tokenUrl: `${config.publicUrl}/oauth/token`, scimBaseUrl: scimBaseUrl(config) };
    },
    text: (o) => `Client ID: ${o.clientId}\nClient secret (shown once): ${o.clientSecret}\nToken URL: ${o.tokenUrl}\nSCIM base URL: ${o.scimBaseUrl}`,
  });
  operatorCommand(cmd, 'rotate', {
    description: 'a new secret; the old one stops working at once',
    required: [ACCOUNT, CLIENT],
    run: async (ctx, opts: { account: string; client: string }, { config }) => ({
      ...(await rotateOAuthClient(ctx, { accountId: opts.account, clientId: opts.client })),
      tokenUrl: `${config.publicUrl}/oauth/token`,
    }),
    text: (o) => `New client secret (shown once): ${o.clientSecret}`,
  });
  operatorCommand(cmd, 'revoke', {
    required: [ACCOUNT, CLIENT],
    run: async (ctx, opts: { account: string; client: string }) => {
      await revokeOAuthClient(ctx, { accountId: opts.account, clientId: opts.client });
      return { clientId: opts.client, revoked: true };
    },
    text: (o) => `Client ${o.clientId} revoked; its tokens are refused from now on.`,
  });
  operatorCommand(cmd, 'list', {
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => listOAuthClients(ctx, opts.account),
    text: (rows) =>
      table(
        ['CLIENT ID', 'LABEL', 'CREATED', 'ROTATED', 'LAST USED', 'REVOKED'],
        rows.map((c) => [c.clientId, c.label, c.createdAt, c.rotatedAt, c.lastUsedAt ?? 'never', c.revokedAt ?? '']),
      ),
  });
}
