// Company templates: an MSP's baseline for its companies (policies, settings, recovery plan,
// custom groups, vault names, group mappings by IdP group name), captured from one company.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('company_templates', (t) => {
    t.string('id', 36).primary();
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    // Lower-cased name: one template of a name per MSP, whatever its case.
    t.string('name_ci', 200).notNullable();
    t.string('source_company_id', 36).nullable();
    c.json(t, 'spec').notNullable();
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    t.unique(['msp_id', 'name_ci'], { indexName: 'company_templates_msp_name' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('company_templates');
}
