// `mspbridge account settings`: SCIM delete mode, adoption of manual members, automatic custom groups, language.
import type { Command } from 'commander';
import { subscribeAccount } from '../domain/lifecycle';
import { updateSettings } from '../domain/settings';
import { action } from './action';
import { asOperator } from './context';
import { CliError, printResult } from './output';

function bool(name: string) {
  return (v: string): boolean => {
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    throw new CliError(`${name} must be true or false`);
  };
}

export function registerAccount(program: Command): void {
  const cmd = program.command('account').description('account settings');
  cmd
    .command('settings')
    .description('change settings of one account (prints them all)')
    .requiredOption('--account <id>', 'account id')
    .option('--scim-delete-mode <mode>', 'what SCIM DELETE does: suspend | remove')
    .option('--adopt-existing-members <bool>', 'adopt manual members a push matches by userName/email', bool('--adopt-existing-members'))
    .option('--unmapped-groups-as-custom <bool>', 'turn unmapped pushed groups into custom groups', bool('--unmapped-groups-as-custom'))
    .option('--technician-self-access <bool>', 'let MSP technicians give themselves vault access', bool('--technician-self-access'))
    .option('--default-language <lang>', 'en | de')
    .option('--json', 'print JSON')
    .action(
      action(
        async (opts: {
          account: string;
          scimDeleteMode?: string;
          adoptExistingMembers?: boolean;
          unmappedGroupsAsCustom?: boolean;
          technicianSelfAccess?: boolean;
          defaultLanguage?: string;
          json?: boolean;
        }) => {
          const s = await asOperator((ctx) =>
            updateSettings(ctx, opts.account, {
              scimDeleteMode: opts.scimDeleteMode as 'suspend' | 'remove' | undefined,
              adoptExistingMembers: opts.adoptExistingMembers,
              unmappedGroupsAsCustom: opts.unmappedGroupsAsCustom,
              technicianSelfAccess: opts.technicianSelfAccess,
              defaultLanguage: opts.defaultLanguage as 'en' | 'de' | undefined,
            }),
          );
          printResult(opts.json, s, (v) =>
            Object.entries(v)
              .map(([k, x]) => `${k}: ${JSON.stringify(x)}`)
              .join('\n'),
          );
        },
      ),
    );
  cmd
    .command('subscribe')
    .description('a company on trial (or frozen) subscribes and is active without an MSP')
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { account: string; json?: boolean }) => {
        const a = await asOperator((ctx) => subscribeAccount(ctx, opts.account));
        printResult(opts.json, { id: a.id, status: a.status }, (o) => `Account ${o.id} is ${o.status}.`);
      }),
    );
}
