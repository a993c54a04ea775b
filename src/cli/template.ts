// `mspbridge template create|list|remove|drift|apply`: company templates with drift.
import type { Command } from 'commander';
import { type Difference, applyTemplate, createTemplate, removeTemplate, templateDrift, templatesOf } from '../domain/templates';
import { MSP, operatorCommand } from './command';
import { table } from './output';

const TEMPLATE = ['--template <id>', 'template id'] as const;
const COMPANY = ['--company <id>', 'company id'] as const;

const describe = (d: Difference) => `${d.area} ${d.key}: ${JSON.stringify(d.actual)} → ${JSON.stringify(d.expected)}`;

export function registerTemplate(program: Command): void {
  const cmd = program.command('template').description('company templates: capture a company’s setup, start companies from it, see and fix drift');
  operatorCommand(cmd, 'create', {
    description: 'capture a managed company’s policies, settings, recovery plan, custom groups, vault names and group mappings',
    required: [MSP, ['--from-company <id>', 'the company to capture'], ['--name <name>', 'template name']],
    run: (ctx, o: { msp: string; fromCompany: string; name: string }) => createTemplate(ctx, { mspId: o.msp, fromCompanyId: o.fromCompany, name: o.name }),
    text: (t) => `Template ${t.id} (${t.name}) created.`,
    json: (t) => ({ id: t.id, name: t.name, spec: t.spec }),
  });
  operatorCommand(cmd, 'list', {
    description: 'the MSP’s templates',
    required: [MSP],
    run: (ctx, o: { msp: string }) => templatesOf(ctx, o.msp),
    text: (list) =>
      list.length
        ? table(
            ['id', 'name', 'created'],
            list.map((t) => [t.id, t.name, t.createdAt]),
          )
        : 'No templates.',
  });
  operatorCommand(cmd, 'remove', {
    description: 'delete a template (companies made from it keep their setup)',
    required: [MSP, TEMPLATE],
    run: async (ctx, o: { msp: string; template: string }) => {
      await removeTemplate(ctx, o.msp, o.template);
      return { id: o.template, removed: true };
    },
    text: (r) => `Template ${r.id} removed.`,
  });
  operatorCommand(cmd, 'drift', {
    description: 'how each managed company (or one) differs from the template',
    required: [MSP, TEMPLATE],
    options: [['--company <id>', 'only this company']],
    run: (ctx, o: { msp: string; template: string; company?: string }) => templateDrift(ctx, { mspId: o.msp, templateId: o.template, companyId: o.company }),
    text: (rows) =>
      rows
        .map((r) =>
          r.differences.length
            ? `${r.name} (${r.companyId}):\n${r.differences.map((d) => `  ${describe(d)}`).join('\n')}`
            : `${r.name} (${r.companyId}): in line`,
        )
        .join('\n') || 'No companies.',
  });
  operatorCommand(cmd, 'apply', {
    description: 'bring a company in line with the template (try --dry-run first); audited',
    required: [MSP, TEMPLATE, COMPANY],
    options: [['--dry-run', 'show what would change, change nothing']],
    run: (ctx, o: { msp: string; template: string; company: string; dryRun?: boolean }) =>
      applyTemplate(ctx, { mspId: o.msp, templateId: o.template, companyId: o.company, dryRun: o.dryRun }),
    text: (r) =>
      [
        r.dryRun ? 'Dry run: nothing changed.' : 'Applied.',
        ...r.changes.map((c) => `  ${c.result}${c.reason ? ` (${c.reason})` : ''}: ${describe(c)}`),
        r.changes.length ? '' : '  Nothing to change: the company is in line.',
      ]
        .filter(Boolean)
        .join('\n'),
  });
}
