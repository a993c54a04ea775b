// `mspbridge account settings`: SCIM delete mode, adoption of manual members, automatic custom groups, language.
import type { Command } from 'commander';
import { subscribeAccount } from '../domain/lifecycle';
import { updateSettings } from '../domain/settings';
import { ACCOUNT, operatorCommand } from './command';
import { CliError } from './output';

function bool(name: string) {
  return (v: string): boolean => {
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    throw new CliError(`${name} must be true or false`);
  };
}

function wholeNumber(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim())) throw new CliError(`${name} must be a whole number from 0 to 100000`);
    return Number(v);
  };
}

interface SettingsOpts {
  account: string;
  scimDeleteMode?: string;
  adoptExistingMembers?: boolean;
  unmappedGroupsAsCustom?: boolean;
  technicianSelfAccess?: boolean;
  defaultLanguage?: string;
  technicianScope?: string;
  deprovisionLimit?: number;
}

export function registerAccount(program: Command): void {
  const cmd = program.command('account').description('account settings');
  operatorCommand(cmd, 'settings', {
    description: 'change settings of one account (prints them all)',
    required: [ACCOUNT],
    options: [
      ['--scim-delete-mode <mode>', 'what SCIM DELETE does: suspend | remove'],
      ['--adopt-existing-members <bool>', 'adopt manual members a push matches by userName/email', bool('--adopt-existing-members')],
      ['--unmapped-groups-as-custom <bool>', 'turn unmapped pushed groups into custom groups', bool('--unmapped-groups-as-custom')],
      ['--technician-self-access <bool>', 'let MSP technicians give themselves vault access', bool('--technician-self-access')],
      ['--default-language <lang>', 'en | de'],
      ['--technician-scope <scope>', 'MSP accounts: technicians see all companies or only assigned ones: all | assigned'],
      ['--deprovision-limit <n>', 'SCIM removals per rolling hour before the breaker holds the rest (default 10, 0 = off)', wholeNumber('--deprovision-limit')],
    ],
    run: (ctx, opts: SettingsOpts) =>
      updateSettings(ctx, opts.account, {
        scimDeleteMode: opts.scimDeleteMode as 'suspend' | 'remove' | undefined,
        adoptExistingMembers: opts.adoptExistingMembers,
        unmappedGroupsAsCustom: opts.unmappedGroupsAsCustom,
        technicianSelfAccess: opts.technicianSelfAccess,
        defaultLanguage: opts.defaultLanguage as 'en' | 'de' | undefined,
        technicianScope: opts.technicianScope as 'all' | 'assigned' | undefined,
        deprovisionLimit: opts.deprovisionLimit,
      }),
    text: (s) =>
      Object.entries(s)
        .map(([k, x]) => `${k}: ${JSON.stringify(x)}`)
        .join('\n'),
  });
  operatorCommand(cmd, 'subscribe', {
    description: 'a company on trial (or frozen) subscribes and is active without an MSP',
    required: [ACCOUNT],
    run: async (ctx, opts: { account: string }) => {
      const a = await subscribeAccount(ctx, opts.account);
      return { id: a.id, status: a.status };
    },
    text: (o) => `Account ${o.id} is ${o.status}.`,
  });
}
