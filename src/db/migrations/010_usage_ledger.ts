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
  // Each company's snapshots under one MSP summed per UTC month, kept as days are taken: a year's
  // question reads 12 rows per company instead of 365 (edges of a range read the daily rows).
  await knex.schema.createTable('usage_months', (t) => {
    c.accountId(t);
    t.string('msp_id', 36).notNullable();
    // YYYY-MM
    t.string('month', 7).notNullable();
    t.integer('days').notNullable();
    t.bigInteger('seat_days').notNullable();
    t.integer('peak_seats').notNullable();
    t.integer('setup_days').notNullable();
    t.integer('trial_days').notNullable();
    t.integer('active_days').notNullable();
    t.integer('frozen_days').notNullable();
    t.primary(['account_id', 'msp_id', 'month']);
    t.index(['msp_id', 'month'], 'usage_months_msp_month');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('usage_months');
  await knex.schema.dropTable('usage_snapshots');
}
