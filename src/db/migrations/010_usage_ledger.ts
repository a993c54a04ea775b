// The usage ledger: one snapshot per company per UTC day (seats filled, seats total, status),
// what an MSP bills its clients on. Kept with the MSP managing the company that day.
import type { Knex } from 'knex';
import { columns } from './dialect';

export async function up(knex: Knex): Promise<void> {
  const c = columns(knex);
  await knex.schema.createTable('usage_snapshots', (t) => {
    c.accountId(t);
    // YYYY-MM-DD (UTC): sorts and compares as text on both databases.
    t.string('day', 10).notNullable();
    t.string('msp_id', 36).nullable();
    t.integer('seats_filled').notNullable();
    t.integer('seats_total').notNullable();
    t.string('status', 20).notNullable();
    c.time(t, 'taken_at').notNullable();
    t.primary(['account_id', 'day']);
    // usage --msp: one range scan per MSP, covering what the sums read.
    t.index(['msp_id', 'day', 'account_id', 'seats_filled', 'status'], 'usage_snapshots_msp_day');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_snapshots');
}
