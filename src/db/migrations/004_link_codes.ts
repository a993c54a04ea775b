// Link codes: an account's Owner shares one with the MSP that should manage it, so the MSP never
// types (or learns) a raw account id. Stored hashed, single use, short-lived.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('link_codes', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('code_hash', 64).notNullable().unique();
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'used_at').nullable();
    t.string('used_by_msp', 36).nullable();
    t.index(['account_id'], 'link_codes_account');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('link_codes');
}
