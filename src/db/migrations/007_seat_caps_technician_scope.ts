// Seat caps (an allowance set explicitly is a hard cap) and technicians scoped to assigned companies.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  // Existing companies keep their allowance uncapped: deployments push hundreds of people into them.
  await knex.schema.alterTable('accounts', (t) => {
    t.boolean('seats_capped').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('technician_assignments', (t) => {
    // The MSP's own account; the company it manages; the MSP Technician assigned to it.
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('company_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('created_by', 200).notNullable();
    c.time(t, 'created_at').notNullable();
    t.primary(['msp_id', 'member_id', 'company_id']);
    t.index(['company_id', 'member_id'], 'technician_assignments_company');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('technician_assignments');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('seats_capped');
  });
}
