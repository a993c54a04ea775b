// The whole domain of DESIGN.md: accounts, people, groups, the IdP mirror, links, jobs and audit.
import type { Knex } from 'knex';
import { columns } from './dialect';
import { createWorkTables } from './001_work_tables';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);

  await knex.schema.createTable('accounts', (t) => {
    t.string('id', 36).primary();
    t.string('kind', 16).notNullable(); // msp | company
    t.string('name', 200).notNullable();
    t.string('name_ci', 200).notNullable();
    t.string('region', 16).notNullable();
    t.string('status', 16).notNullable(); // active | setup | pending_link | frozen | trial
    t.string('msp_id', 36).nullable().references('id').inTable('accounts').onDelete('SET NULL');
    t.string('website', 300).nullable();
    t.string('country', 64).nullable();
    t.text('address').nullable();
    t.integer('seats_total').notNullable().defaultTo(0);
    t.integer('seats_filled').notNullable().defaultTo(0);
    c.time(t, 'trial_ends_at').nullable();
    c.time(t, 'frozen_at').nullable();
    t.boolean('subscribed').notNullable().defaultTo(false);
    t.string('default_language', 8).notNullable().defaultTo('en');
    c.json(t, 'settings').nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    t.index(['msp_id', 'name_ci'], 'accounts_msp_name');
    t.index(['msp_id', 'status', 'name_ci'], 'accounts_msp_status_name');
    t.index(['msp_id', 'seats_filled'], 'accounts_msp_seats');
    t.index(['status', 'trial_ends_at'], 'accounts_status_trial');
  });

  await knex.schema.createTable('members', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('user_name', 255).notNullable();
    t.string('user_name_ci', 255).notNullable();
    t.string('email', 320).nullable();
    t.string('email_ci', 320).nullable();
    t.string('external_id', 255).nullable();
    t.string('display_name', 255).nullable();
    t.string('given_name', 255).nullable();
    t.string('family_name', 255).nullable();
    t.string('state', 16).notNullable(); // invited | active | suspended | removed
    t.string('provisioned_by', 16).notNullable(); // manual | scim
    t.boolean('scim_managed').notNullable().defaultTo(false); // provisioned or adopted by SCIM
    t.string('preferred_language', 35).nullable();
    t.string('locale', 35).nullable();
    c.json(t, 'attrs').nullable(); // the rest of the SCIM resource, extensions included
    t.string('password_hash', 200).nullable();
    t.integer('version').notNullable().defaultTo(1);
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    c.time(t, 'accepted_at').nullable();
    c.time(t, 'last_signin_at').nullable();
    t.index(['account_id', 'email_ci'], 'members_account_email');
    t.index(['account_id', 'created_at', 'id'], 'members_account_created');
    t.index(['account_id', 'state'], 'members_account_state');
    t.index(['account_id', 'updated_at'], 'members_account_updated');
    t.index(['account_id', 'family_name'], 'members_account_family');
    t.index(['account_id', 'display_name'], 'members_account_display');
  });
  // A removed member frees its userName/externalId for a later push of the same person.
  await knex.raw(`create unique index members_account_username on members (account_id, user_name_ci) where state <> 'removed'`);
  await knex.raw(`create unique index members_account_external on members (account_id, external_id) where state <> 'removed' and external_id is not null`);
  // The SCIM view (people SCIM provisioned or adopted) in its default order: paging and
  // counting walk this index alone. The predicate's columns trail the key so SQLite sees the
  // index as covering for count(*) (it does not infer them from the predicate).
  await knex.raw(
    `create index members_scim_view on members (account_id, created_at, id, scim_managed, state) where ${c.isPg ? 'scim_managed' : 'scim_managed = 1'} and state <> 'removed'`,
  );

  await knex.schema.createTable('groups', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('kind', 24).notNullable(); // owners | administrators | msp_technicians | custom
    t.string('name', 255).notNullable();
    t.string('name_ci', 255).notNullable();
    t.text('description').nullable();
    // For a custom group created for an unmapped pushed group: which one (reused if it returns).
    t.string('idp_group_id', 36).nullable();
    c.time(t, 'created_at').notNullable();
    t.unique(['account_id', 'name_ci'], { indexName: 'groups_account_name' });
    t.index(['account_id', 'kind'], 'groups_account_kind');
  });

  // Effective membership. A row is effective when any source holds it: manual (given by a
  // person), idp (derived from the mirror through a mapping) or held (the IdP took it away
  // but it is the last Owner).
  await knex.schema.createTable('memberships', (t) => {
    c.accountId(t);
    t.string('group_id', 36).notNullable().references('id').inTable('groups').onDelete('CASCADE');
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.boolean('manual').notNullable().defaultTo(false);
    t.boolean('idp').notNullable().defaultTo(false);
    t.boolean('held').notNullable().defaultTo(false);
    t.string('granted_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    t.primary(['group_id', 'member_id']);
    t.index(['account_id', 'member_id'], 'memberships_account_member');
  });

  await knex.schema.createTable('scim_tokens', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('token_hash', 64).notNullable().unique();
    t.string('prefix', 16).notNullable();
    t.string('label', 200).nullable();
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'last_used_at').nullable();
    c.time(t, 'expires_at').nullable();
    c.time(t, 'revoked_at').nullable();
    t.index(['account_id', 'created_at'], 'scim_tokens_account');
  });

  await knex.schema.createTable('oauth_clients', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('client_id', 64).notNullable().unique();
    t.string('secret_hash', 200).notNullable();
    t.string('label', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'rotated_at').nullable();
    c.time(t, 'last_used_at').nullable();
    c.time(t, 'revoked_at').nullable();
    t.index(['account_id'], 'oauth_clients_account');
  });

  // Automation tokens of an MSP: each acts as the person who created it, with that person's
  // current roles (losing the role disarms the token).
  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('prefix', 16).notNullable();
    t.string('label', 200).nullable();
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'last_used_at').nullable();
    c.time(t, 'revoked_at').nullable();
    t.index(['account_id'], 'api_tokens_account');
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('csrf_token', 64).notNullable();
    t.string('language', 8).nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'last_seen_at').nullable();
    c.time(t, 'revoked_at').nullable();
    t.index(['account_id', 'member_id'], 'sessions_account_member');
  });

  await knex.schema.createTable('signin_links', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'used_at').nullable();
  });

  // A technician's audited, time-boxed session inside one managed company.
  await knex.schema.createTable('launch_sessions', (t) => {
    t.string('id', 36).primary();
    c.accountId(t); // the company
    t.string('msp_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('token_hash', 64).nullable().unique();
    t.text('reason').nullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'expires_at').notNullable();
    c.time(t, 'ended_at').nullable();
    t.index(['account_id', 'created_at'], 'launch_sessions_account');
    t.index(['msp_id', 'member_id'], 'launch_sessions_msp_member');
  });

  // The IdP's truth: groups as pushed, and their members as pushed.
  await knex.schema.createTable('idp_groups', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('display_name', 255).notNullable();
    t.string('display_name_ci', 255).notNullable();
    t.string('external_id', 255).nullable();
    c.json(t, 'attrs').nullable();
    t.integer('version').notNullable().defaultTo(1);
    c.time(t, 'created_at').notNullable();
    c.time(t, 'updated_at').notNullable();
    t.unique(['account_id', 'display_name_ci'], { indexName: 'idp_groups_account_name' });
    t.index(['account_id', 'external_id'], 'idp_groups_account_external');
    t.index(['account_id', 'created_at', 'id'], 'idp_groups_account_created');
  });

  await knex.schema.createTable('idp_group_members', (t) => {
    c.accountId(t);
    t.string('group_id', 36).notNullable().references('id').inTable('idp_groups').onDelete('CASCADE');
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    c.time(t, 'created_at').notNullable();
    t.primary(['group_id', 'member_id']);
    t.index(['account_id', 'member_id'], 'idp_group_members_account_member');
  });

  // IdP group (by SCIM id or externalId, never by name) -> a group of the account.
  await knex.schema.createTable('group_mappings', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('idp_group_id', 36).nullable();
    t.string('idp_external_id', 255).nullable();
    t.string('group_id', 36).notNullable().references('id').inTable('groups').onDelete('CASCADE');
    t.boolean('automatic').notNullable().defaultTo(false); // created for an unmapped pushed group
    t.string('created_by', 200).nullable();
    c.time(t, 'created_at').notNullable();
    t.unique(['account_id', 'idp_group_id'], { indexName: 'group_mappings_account_group' });
    t.unique(['account_id', 'idp_external_id'], { indexName: 'group_mappings_account_external' });
    t.index(['account_id', 'group_id'], 'group_mappings_account_target');
  });

  // Changes the guards refused to apply yet (e.g. removing the last Owner).
  await knex.schema.createTable('held_changes', (t) => {
    t.string('id', 36).primary();
    c.accountId(t);
    t.string('member_id', 36).notNullable().references('id').inTable('members').onDelete('CASCADE');
    t.string('group_id', 36).nullable().references('id').inTable('groups').onDelete('CASCADE');
    t.string('kind', 24).notNullable(); // remove_role | suspend | remove
    t.string('reason', 64).notNullable();
    c.time(t, 'created_at').notNullable();
    c.time(t, 'resolved_at').nullable();
    t.string('resolution', 24).nullable(); // applied | cancelled
    t.index(['account_id', 'resolved_at'], 'held_changes_account_open');
  });
  await createWorkTables(knex);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'scim_requests',
    'email_deliveries',
    'outbox',
    'audit_events',
    'items',
    'vault_access',
    'vaults',
    'recovery_requests',
    'invitations',
    'link_requests',
    'held_changes',
    'group_mappings',
    'idp_group_members',
    'idp_groups',
    'launch_sessions',
    'signin_links',
    'sessions',
    'api_tokens',
    'oauth_clients',
    'scim_tokens',
    'memberships',
    'groups',
    'members',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
