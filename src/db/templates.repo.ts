// Company templates of an MSP, and the few reads drift needs that no other repository answers.
import type { Tx } from './knex';
import { jsonColumn, optText, rowCodec, text, time } from './codec';

export interface TemplateRow<S = Record<string, unknown>> {
  id: string;
  mspId: string;
  name: string;
  sourceCompanyId: string | null;
  spec: S;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

const TEMPLATE = rowCodec<TemplateRow>({
  id: text,
  mspId: text,
  name: text,
  sourceCompanyId: optText,
  spec: jsonColumn<Record<string, unknown>>({}),
  createdBy: optText,
  createdAt: time,
  updatedAt: time,
});

export async function insertTemplate(tx: Tx, t: TemplateRow): Promise<void> {
  await tx('company_templates').insert({ ...TEMPLATE.write(t), name_ci: t.name.toLowerCase() });
}

export async function getTemplate(tx: Tx, mspId: string, id: string): Promise<TemplateRow | undefined> {
  return TEMPLATE.maybe(await tx('company_templates').where({ msp_id: mspId, id }).first());
}

export async function findTemplateByName(tx: Tx, mspId: string, name: string): Promise<TemplateRow | undefined> {
  return TEMPLATE.maybe(await tx('company_templates').where({ msp_id: mspId, name_ci: name.toLowerCase() }).first());
}

export async function listTemplates(tx: Tx, mspId: string): Promise<TemplateRow[]> {
  return (await tx('company_templates').where({ msp_id: mspId }).orderBy('name_ci')).map(TEMPLATE.read);
}

export async function deleteTemplate(tx: Tx, mspId: string, id: string): Promise<boolean> {
  return (await tx('company_templates').where({ msp_id: mspId, id }).del()) > 0;
}

/** The names of an account's vaults. */
export async function vaultNames(tx: Tx, accountId: string): Promise<string[]> {
  return ((await tx('vaults').where({ account_id: accountId }).orderBy('name').select('name')) as Array<{ name: string }>).map((r) => r.name);
}

/** The account's explicit (not automatic) mappings as IdP group display name → target group name. */
export async function namedMappings(tx: Tx, accountId: string): Promise<Array<{ idpGroup: string; group: string; automatic: boolean }>> {
  const rows = (await tx('group_mappings as mp')
    .join('groups as g', 'g.id', 'mp.group_id')
    .join('idp_groups as ig', (j) => {
      j.on('ig.account_id', '=', 'mp.account_id').andOn((o) => {
        o.on('ig.id', '=', 'mp.idp_group_id').orOn('ig.external_id', '=', 'mp.idp_external_id');
      });
    })
    .where('mp.account_id', accountId)
    .select('ig.display_name', 'g.name', 'mp.automatic')) as Array<{ display_name: string; name: string; automatic: unknown }>;
  return rows.map((r) => ({ idpGroup: r.display_name, group: r.name, automatic: r.automatic === true || r.automatic === 1 }));
}
