// Column helpers that hide the SQLite/PostgreSQL differences migrations care about.
import type { Knex } from 'knex';

export interface Columns {
  /** A point in time: timestamptz on PostgreSQL, ISO-8601 text on SQLite (sorts the same). */
  time(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder;
  /** A JSON document: jsonb on PostgreSQL, text on SQLite. */
  json(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder;
  /** An opaque byte payload. */
  bytes(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder;
  /** Account-scoped id column with its foreign key (every table but accounts has one). */
  accountId(t: Knex.CreateTableBuilder): Knex.ReferencingColumnBuilder;
  isPg: boolean;
}

export function columns(knex: Knex): Columns {
  const isPg = knex.client.dialect === 'postgresql';
  return {
    isPg,
    time: (t, name) => (isPg ? t.timestamp(name, { useTz: true, precision: 3 }) : t.string(name, 30)),
    json: (t, name) => (isPg ? t.jsonb(name) : t.text(name)),
    bytes: (t, name) => t.binary(name),
    accountId: (t) => t.string('account_id', 36).notNullable().references('id').inTable('accounts').onDelete('CASCADE'),
  };
}
