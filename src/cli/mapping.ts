// `mspbridge mapping set|list|remove|drift|resync`: which IdP group lands in which role.
import type { Command } from 'commander';
import { driftReport, listMappings, removeMapping, resync, setMapping, type MappingResult } from '../domain/mapping';
import { ACCOUNT, type Flag, operatorCommand } from './command';
import { CliError, table } from './output';

const DRY_RUN: Flag = ['--dry-run', 'show the effect, change nothing'];

function changesText(r: MappingResult): string {
  const head = r.dryRun ? 'Dry run: nothing was changed.' : 'Applied.';
  const pending = r.mapping && !r.mapping.idpGroupId && !r.mapping.idpDisplayName;
  const mapping = r.mapping
    ? `\nMapping: ${r.mapping.idpDisplayName ?? r.mapping.idpExternalId ?? r.mapping.idpGroupId} -> ${r.mapping.group}` +
      (pending
        ? `\nWarning: no pushed group has this SCIM id or externalId yet; the mapping waits for one. If you meant a group the IdP already pushed, use the SCIM ID column of \`mapping drift\` (unmapped groups) or \`mapping list\`.`
        : '')
    : '';
  if (!r.changes.length) return `${head}${mapping}\nNo one gains or loses a role.`;
  return `${head}${mapping}\n${table(
    ['CHANGE', 'GROUP', 'EMAIL', 'MEMBER'],
    r.changes.map((c) => [c.change === 'held' ? 'held (last Owner)' : c.change, c.group, c.email ?? c.userName, c.memberId]),
  )}`;
}

export function registerMapping(program: Command): void {
  const cmd = program.command('mapping').description('IdP group -> role mappings');
  operatorCommand(cmd, 'set', {
    description: 'map a pushed IdP group (SCIM id or externalId) to Owners, Administrators, MSP Technicians or a custom group',
    required: [
      ACCOUNT,
      ['--scim-group <id>', "the IdP group's SCIM id (or its externalId)"],
      ['--group <name>', 'Owners | Administrators | "MSP Technicians" | a custom group name'],
    ],
    options: [['--dry-run', 'show who would gain and lose which role, change nothing']],
    run: (ctx, opts: { account: string; scimGroup: string; group: string; dryRun?: boolean }) =>
      setMapping(ctx, { accountId: opts.account, scimGroup: opts.scimGroup, group: opts.group }, { dryRun: opts.dryRun }),
    text: changesText,
  });
  operatorCommand(cmd, 'remove', {
    description: 'remove a mapping (by mapping id or IdP group)',
    required: [ACCOUNT],
    options: [['--mapping <id>', 'mapping id (from mapping list)'], ['--scim-group <id>', "the IdP group's SCIM id or externalId"], DRY_RUN],
    check: (opts: { account: string; mapping?: string; scimGroup?: string; dryRun?: boolean }) => {
      if (!opts.mapping && !opts.scimGroup) throw new CliError('give --mapping or --scim-group');
    },
    run: (ctx, opts) => removeMapping(ctx, { accountId: opts.account, mappingId: opts.mapping, scimGroup: opts.scimGroup }, { dryRun: opts.dryRun }),
    text: changesText,
  });
  operatorCommand(cmd, 'list', {
    description: 'list mappings',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => listMappings(ctx, opts.account),
    text: (rows) =>
      rows.length
        ? table(
            ['IDP GROUP', 'SCIM ID (--scim-group)', 'EXTERNAL ID', 'GROUP', 'KIND', 'MAPPING ID (--mapping)'],
            rows.map((m) => [
              m.idpDisplayName ?? '(not pushed yet)',
              m.idpGroupId ?? '',
              m.idpExternalId ?? '',
              m.group,
              m.automatic ? 'automatic' : 'explicit',
              m.id,
            ]),
          )
        : 'No mappings.',
  });
  operatorCommand(cmd, 'drift', {
    description: 'mirror vs effective roles, held changes, unmapped groups',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => driftReport(ctx, opts.account),
    text: (r) =>
      [
        r.drift.length
          ? `Drift:\n${table(
              ['EMAIL', 'GROUP', 'EXPECTED', 'ACTUAL'],
              r.drift.map((x) => [x.email, x.group, String(x.expected), String(x.actual)]),
            )}`
          : 'No drift.',
        r.held.length
          ? `Held changes:\n${table(
              ['EMAIL', 'KIND', 'GROUP', 'SINCE'],
              r.held.map((h) => [h.email, h.kind, h.group, h.since]),
            )}`
          : 'No held changes.',
        r.unmappedGroups.length
          ? `Unmapped IdP groups:\n${table(
              ['SCIM ID (--scim-group)', 'NAME', 'MEMBERS'],
              r.unmappedGroups.map((g) => [g.id, g.displayName, g.members]),
            )}`
          : 'Every IdP group is mapped.',
      ].join('\n\n'),
  });
  operatorCommand(cmd, 'resync', {
    description: 'recompute every IdP-sourced role from the mirror',
    required: [ACCOUNT],
    options: [DRY_RUN],
    run: (ctx, opts: { account: string; dryRun?: boolean }) => resync(ctx, opts.account, { dryRun: opts.dryRun }),
    text: changesText,
  });
}
