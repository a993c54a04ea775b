// Who hears about an MSP's events: email contacts, webhooks (secret sealed with the deployment
// key), one delivery row per (hook, event), and the SCIM error episodes that raise scim.errors.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('msp_contacts', (t) => {
    t.string('id', 36).primary();
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('email', 320).notNullable();
    // null: the MSP account's default language.
    t.string('language', 8).nullable();
    c.time(t, 'created_at').notNullable();
    t.unique(['msp_id', 'email'], { indexName: 'msp_contacts_msp_email' });
  });
  await knex.schema.createTable('webhooks', (t) => {
    t.string('id', 36).primary();
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('url', 2000).notNullable();
    // JSON array of event types; null: every event.
    c.json(t, 'events').nullable();
    // AES-256-GCM of the signing secret under a key derived from the deployment secret.
    t.text('secret_sealed').notNullable();
    t.string('created_by', 320).nullable();
    c.time(t, 'created_at').notNullable();
    t.index(['msp_id'], 'webhooks_msp');
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.string('id', 36).primary();
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('webhook_id', 36).notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    t.string('event_id', 36).notNullable().references('id').inTable('msp_events').onDelete('CASCADE');
    t.string('event_type', 64).notNullable();
    t.string('status', 16).notNullable(); // pending | delivered | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('last_status_code').nullable();
    t.string('last_error', 500).nullable();
    c.time(t, 'last_attempt_at').nullable();
    c.time(t, 'next_attempt_at').nullable();
    // While an attempt is in flight, a second sender keeps off until this time.
    c.time(t, 'sending_until').nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'finished_at').nullable();
    // Each event reaches each hook once.
    t.unique(['webhook_id', 'event_id'], { indexName: 'webhook_deliveries_once' });
    t.index(['msp_id', 'created_at'], 'webhook_deliveries_msp_time');
  });
  // The lifecycle tick reads the last 15 minutes of every account's SCIM log (scim.errors); the
  // (account_id, created_at) index cannot serve a query across accounts.
  await knex.schema.alterTable('scim_requests', (t) => {
    t.index(['created_at'], 'scim_requests_time');
  });
  await knex.schema.createTable('scim_error_episodes', (t) => {
    t.string('account_id', 36).primary().references('id').inTable('accounts').onDelete('CASCADE');
    c.time(t, 'started_at').notNullable();
    c.time(t, 'last_bad_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scim_error_episodes');
  await knex.schema.alterTable('scim_requests', (t) => {
    t.dropIndex(['created_at'], 'scim_requests_time');
  });
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhooks');
  await knex.schema.dropTable('msp_contacts');
}
