// Events an MSP hears about (held deprovisioning, seat caps, links, trials, SCIM error rates):
// one row per event, raised once per dedupe key, then delivered by email and webhooks.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('msp_events', (t) => {
    t.string('id', 36).primary();
    // The MSP the event is for (accounts.id of kind msp); the company it is about, if any.
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('account_id', 36).nullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('type', 64).notNullable();
    // "Once per trip", "once per company per day": a second raise with the same key is a no-op.
    t.string('dedupe_key', 300).notNullable().unique();
    c.json(t, 'data').notNullable();
    c.time(t, 'created_at').notNullable();
    t.index(['msp_id', 'created_at'], 'msp_events_msp_time');
    t.index(['msp_id', 'type', 'created_at'], 'msp_events_msp_type_time');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('msp_events');
}
