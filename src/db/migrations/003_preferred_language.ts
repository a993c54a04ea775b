// SCIM preferredLanguage is an Accept-Language value (RFC 7643 §4.1.2), a weighted list such as
// "en-US,en;q=0.9,de-DE;q=0.8,de;q=0.7,fr;q=0.6", not one 35-character language tag.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  // SQLite does not enforce varchar widths; PostgreSQL widens a varchar without rewriting the table.
  if (!columns(knex).isPg) return;
  await knex.raw('alter table members alter column preferred_language type varchar(255)');
}

export async function down(knex: Knex): Promise<void> {
  if (!columns(knex).isPg) return;
  // Keep the first (most preferred) tag of a list that no longer fits.
  await knex.raw(`update members set preferred_language = left(split_part(preferred_language, ',', 1), 35) where length(preferred_language) > 35`);
  await knex.raw('alter table members alter column preferred_language type varchar(35)');
}
