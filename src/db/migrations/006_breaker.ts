// The deprovisioning breaker: the removals SCIM applied in the last hour (counted per company),
// one row per company to serialise the count and remember the current trip, and what a held
// change needs to be undone when discarded.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  // Deactivations, deletions and Owner/Administrator role losses SCIM applied: the rolling hour is counted here.
  await knex.schema.createTable('deprovisions', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable();
    t.string('kind', 24).notNullable(); // suspend | remove | remove_role
    c.time(t, 'created_at').notNullable();
    t.index(['account_id', 'created_at'], 'deprovisions_account_time');
  });
  // One row per company: locked (PostgreSQL) while a removal is counted, so the first N apply exactly.
  await knex.schema.createTable('breakers', (t) => {
    t.string('account_id', 36).primary().references('id').inTable('accounts').onDelete('CASCADE');
    // When the current trip started (its first hold); null while nothing is held.
    c.time(t, 'trip_started_at').nullable();
    c.time(t, 'updated_at').notNullable();
  });
  // What a held change needs to be undone (e.g. the pushed groups a held deletion took the person out of).
  await knex.schema.alterTable('held_changes', (t) => {
    c.json(t, 'data').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('held_changes', (t) => {
    t.dropColumn('data');
  });
  await knex.schema.dropTable('breakers');
  await knex.schema.dropTable('deprovisions');
}
