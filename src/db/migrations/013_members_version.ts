// A counter per account that every write to its people moves (in the writing transaction): SCIM
// deep paging (members.repo) remembers where a page ended and the total, and trusts them only
// while the counter stands still, so a seek answers exactly what OFFSET would.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.bigInteger('members_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('members_version');
  });
}
