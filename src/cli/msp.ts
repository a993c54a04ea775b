// `mspbridge msp create`: an MSP account, its Owner and a one-time sign-in link.
import type { Command } from 'commander';
import { createMsp } from '../domain/accounts';
import { operatorCommand } from './command';

export function registerMsp(program: Command): Command {
  const msp = program.command('msp').description('MSP accounts');
  operatorCommand(msp, 'create', {
    description: 'create an MSP account with its Owner',
    required: [
      ['--name <name>', 'MSP name'],
      ['--region <region>', 'data region (fixed for ever)'],
      ['--owner-email <email>', "the Owner's email address"],
    ],
    run: async (ctx, opts: { name: string; region: string; ownerEmail: string }, { config }) => {
      const r = await createMsp(ctx, { name: opts.name, region: opts.region, ownerEmail: opts.ownerEmail }, config.regions);
      // With an OIDC issuer the Owner signs in there; otherwise the one-time link is the way in.
      const signInUrl = config.oidc ? `${config.publicUrl}/auth/oidc/login?account=${r.account.id}` : `${config.publicUrl}/signin/${r.signInToken}`;
      return { id: r.account.id, ownerId: r.ownerId, signInUrl };
    },
    text: (o) => `MSP ${o.id} created (Owner ${o.ownerId}).\nOne-time sign-in link: ${o.signInUrl}`,
  });
  return msp;
}
