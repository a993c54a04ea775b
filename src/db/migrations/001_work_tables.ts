// The second half of the first migration (kept apart only for size): link, invitation and
// recovery requests, vaults and items, the audit log, the outbox, email deliveries and the SCIM
// request log. Part of 001_domain; never changed after release.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function createWorkTables(knex: Knex): Promise<void> {
  const c = columns(knex);

  // A link (or transfer) of an existing account to an MSP. The account may live in another
  // region's deployment (then the request is rejected), so account_id is not a foreign key.
  await knex.schema.createTable('link_requests', (t) => {
    t.string('id', 36).primary();
    t.string('account_id', 36).notNullable(); // the account to be linked
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('kind', 16).notNullable(); // link | transfer
    t.string('status', 24).notNullable(); // pending | awaiting_approval | linked | rejected | expired
    t.string('reason', 64).nullable();
    t.string('prev_status', 16).nullable(); // the account's status before it became pending_link
    t.string('approver_member_id', 36).nullable();
    t.string('requested_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'decided_at').nullable();
    t.index(['account_id', 'status'], 'link_requests_account_status');
    t.index(['msp_id', 'status'], 'link_requests_msp_status');
    t.index(['status', 'expires_at'], 'link_requests_expiry');
  });

  await knex.schema.createTable('invitations', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    // Set by the worker when it sends: the link's secret exists only in the email.
    t.string('token_hash', 64).nullable().unique();
    t.string('status', 16).notNullable(); // pending | accepted | expired | revoked
    t.string('language', 8).nullable();
    t.integer('send_count').notNullable().defaultTo(0);
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'sent_at').nullable();
    c.time(t, 'reminded_at').nullable();
    c.time(t, 'accepted_at').nullable();
    t.index(['account_id', 'member_id', 'status'], 'invitations_account_member');
    t.index(['status', 'expires_at'], 'invitations_expiry');
  });

  await knex.schema.createTable('recovery_requests', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('actor_kind', 24).notNullable();
    t.string('actor_id', 36).nullable();
    t.string('status', 24).notNullable(); // pending | credentials_set | completed | expired | cancelled
    t.string('token_hash', 64).nullable().unique();
    // The new password the member chose, applied when an administrator completes the recovery.
    t.string('pending_password_hash', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'credentials_set_at').nullable();
    c.time(t, 'completed_at').nullable();
    t.string('completed_by', 36).nullable();
    t.index(['account_id', 'member_id'], 'recovery_requests_account_member');
    t.index(['status', 'expires_at'], 'recovery_requests_expiry');
  });
  // One open recovery per member.
  await knex.raw(`create unique index recovery_requests_open on recovery_requests (account_id, member_id) where status in ('pending', 'credentials_set')`);

  await knex.schema.createTable('vaults', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('name', 200).notNullable();
    t.text('description').nullable();
    t.boolean('shared').notNullable().defaultTo(true);
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    t.index(['account_id', 'name'], 'vaults_account_name');
  });

  await knex.schema.createTable('vault_access', (t) => {
    c.accountId(t);
    t.string('vault_id', 36).notNullable().references('id').inTable('vaults').onDelete('CASCADE');
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('via', 24).notNullable(); // grant | technician_self
    t.string('granted_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'revoked_at').nullable();
    t.primary(['vault_id', 'member_id']);
    t.index(['account_id', 'member_id'], 'vault_access_account_member');
  });

  await knex.schema.createTable('items', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('vault_id', 36).notNullable().references('id').inTable('vaults').onDelete('CASCADE');
    t.string('title', 300).notNullable();
    t.string('category', 64).notNullable();
    c.json(t, 'metadata').nullable();
    c.bytes(t, 'payload').nullable(); // opaque, encrypted client-side; never interpreted here
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    t.index(['account_id', 'vault_id'], 'items_account_vault');
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    c.accountId(t);
    t.string('msp_id', 36).nullable(); // the managing MSP at the time, for the roll-up
    t.string('actor_kind', 24).notNullable();
    t.string('actor_id', 100).nullable(); // a member id, a SCIM token id or an OAuth client id
    t.string('actor_label', 320).nullable();
    t.string('action', 64).notNullable();
    t.string('target_type', 32).nullable();
    t.string('target_id', 64).nullable();
    c.json(t, 'data').nullable();
    c.time(t, 'created_at').notNullable();
    t.index(['account_id', 'created_at'], 'audit_events_account_time');
    t.index(['msp_id', 'created_at'], 'audit_events_msp_time');
    t.index(['account_id', 'action', 'created_at'], 'audit_events_account_action');
  });

  // Transactional outbox: written with the change, moved to BullMQ by the relay.
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id').primary();
    c.accountId(t);
    t.string('queue', 48).notNullable();
    t.string('name', 64).notNullable();
    t.string('job_key', 200).notNullable().unique(); // idempotency: one job per entity event
    c.json(t, 'payload').notNullable();
    c.time(t, 'available_at').notNullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'relayed_at').nullable();
    // Set when the job finished: a relayed row without it after a while is checked against
    // BullMQ and relayed again if Redis lost the job (e.g. a restart without persistence).
    c.time(t, 'done_at').nullable();
  });
  await knex.raw(`create index outbox_unrelayed on outbox (available_at, id) where relayed_at is null`);
  await knex.raw(`create index outbox_unfinished on outbox (relayed_at, id) where relayed_at is not null and done_at is null`);

  // Idempotency marker for mail: one row per logical email, claimed before sending.
  await knex.schema.createTable('email_deliveries', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('dedupe_key', 200).notNullable().unique();
    t.string('kind', 32).notNullable();
    t.string('recipient', 320).notNullable();
    t.string('status', 16).notNullable(); // sending | sent
    t.string('message_id', 200).nullable();
    c.time(t, 'claimed_at').notNullable();
    c.time(t, 'sent_at').nullable();
    t.index(['account_id', 'claimed_at'], 'email_deliveries_account');
  });

  await knex.schema.createTable('scim_requests', (t) => {
    t.bigIncrements('id').primary();
    c.accountId(t);
    t.string('method', 8).notNullable();
    t.string('path', 500).notNullable();
    t.integer('status').notNullable();
    t.integer('latency_ms').notNullable();
    t.string('idp', 32).nullable();
    t.string('user_agent', 300).nullable();
    t.string('scim_type', 32).nullable();
    t.text('detail').nullable();
    c.json(t, 'body').nullable(); // redacted
    t.string('request_id', 100).nullable(); // X-Request-Id: matches the process log
    c.time(t, 'created_at').notNullable();
    t.index(['account_id', 'created_at'], 'scim_requests_account_time');
  });
}
