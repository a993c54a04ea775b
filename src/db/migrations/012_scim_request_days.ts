// The SCIM request log keeps 30 days of rows; before rows are pruned they are counted here per
// account and UTC day (requests, errors), so a monthly report's error rate outlives the log.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('scim_request_days', (t) => {
    c.accountId(t);
    t.string('day', 10).notNullable();
    t.integer('requests').notNullable();
    t.integer('errors').notNullable();
    t.primary(['account_id', 'day']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scim_request_days');
}
