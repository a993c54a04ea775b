// A push looks up the oldest person holding an email (members.repo / pushedMembers.repo: `account_id = ?
// and email_ci = ? … order by created_at limit 1`). With only (account_id, email_ci) indexed, SQLite
// without statistics (a database `mspbridge start` created and never analyzed) walked the whole
// account in created_at order instead: 0.6 ms per POST at 20,000 people, growing with the account,
// under the write lock. With created_at in the index both databases answer from the index alone.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => {
    t.index(['account_id', 'email_ci', 'created_at'], 'members_account_email_created');
  });
  await knex.schema.alterTable('members', (t) => {
    t.dropIndex(['account_id', 'email_ci'], 'members_account_email');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => {
    t.index(['account_id', 'email_ci'], 'members_account_email');
  });
  await knex.schema.alterTable('members', (t) => {
    t.dropIndex(['account_id', 'email_ci', 'created_at'], 'members_account_email_created');
  });
}
