// The authorization policy's data: the authority a SCIM credential carries (that of its creator)
// and the deployment's operators (people who see deployment-wide things like the jobs board).
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  // Credentials made before this migration get the lesser authority: an Owner re-creates one
  // to let the IdP change Owners (safe by default; documented in docs/operations.md).
  await knex.schema.alterTable('scim_tokens', (t) => {
    t.string('authority', 8).notNullable().defaultTo('admin');
  });
  await knex.schema.alterTable('oauth_clients', (t) => {
    t.string('authority', 8).notNullable().defaultTo('admin');
  });
  await knex.schema.createTable('operators', (t) => {
    t.string('email_ci', 320).primary();
    t.string('added_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('operators');
  await knex.schema.alterTable('oauth_clients', (t) => {
    t.dropColumn('authority');
  });
  await knex.schema.alterTable('scim_tokens', (t) => {
    t.dropColumn('authority');
  });
}
