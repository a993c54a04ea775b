// `mspbridge msp create`: an MSP account, its Owner and a one-time sign-in link.
import type { Command } from 'commander';
import { createMsp } from '../domain/accounts';
import { action } from './action';
import { asOperator } from './context';
import { printResult } from './output';

export function registerMsp(program: Command): void {
  const msp = program.command('msp').description('MSP accounts');
  msp
    .command('create')
    .description('create an MSP account with its Owner')
    .requiredOption('--name <name>', 'MSP name')
    .requiredOption('--region <region>', 'data region (fixed for ever)')
    .requiredOption('--owner-email <email>', "the Owner's email address")
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { name: string; region: string; ownerEmail: string; json?: boolean }) => {
        const out = await asOperator(async (ctx, { config }) => {
          const r = await createMsp(ctx, { name: opts.name, region: opts.region, ownerEmail: opts.ownerEmail }, config.regions);
          // With an OIDC issuer the Owner signs in there; otherwise the one-time link is the way in.
          const signInUrl = config.oidc ? `${config.publicUrl}/auth/oidc/login?account=${r.account.id}` : `${config.publicUrl}/signin/${r.signInToken}`;
          return { id: r.account.id, ownerId: r.ownerId, signInUrl };
        });
        printResult(opts.json, out, (o) => `MSP ${o.id} created (Owner ${o.ownerId}).\nOne-time sign-in link: ${o.signInUrl}`);
      }),
    );
}
