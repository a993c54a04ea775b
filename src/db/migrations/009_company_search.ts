// Managed Companies search by name part without a scan: a folded name column (accent- and
// case-insensitive, see nameFold.ts) under a trigram index — FTS5's trigram tokenizer on SQLite,
// pg_trgm's GIN operator class on PostgreSQL (when the extension is not available the search
// still works, by a scan of the MSP's companies, and the migration says so).
import type { Knex } from 'knex';
import { foldName } from '../nameFold';
import { columns } from './dialect';

const BATCH = 500;

/**
 * The list's sorts as index orders, kind included and ties broken by name then id, so a page
 * is read in order and stops after `limit` rows (a descending sort with ascending tie-breaks
 * needs an index of its own); they replace 001's (msp_id, name_ci | status, name_ci | seats).
 */
const SORT_INDEXES: Array<[string, string]> = [
  ['accounts_msp_list_name', 'msp_id, kind, name_ci, id'],
  ['accounts_msp_list_name_desc', 'msp_id, kind, name_ci desc, id'],
  ['accounts_msp_list_status', 'msp_id, kind, status, name_ci, id'],
  ['accounts_msp_list_status_desc', 'msp_id, kind, status desc, name_ci, id'],
  ['accounts_msp_list_seats', 'msp_id, kind, seats_filled, name_ci, id'],
  ['accounts_msp_list_seats_desc', 'msp_id, kind, seats_filled desc, name_ci, id'],
];
const OLD_INDEXES: Array<[string, string]> = [
  ['accounts_msp_name', 'msp_id, name_ci'],
  ['accounts_msp_status_name', 'msp_id, status, name_ci'],
  ['accounts_msp_seats', 'msp_id, seats_filled'],
];

async function swapIndexes(knex: Knex, drop: Array<[string, string]>, create: Array<[string, string]>): Promise<void> {
  for (const [name] of drop) await knex.raw(`drop index if exists ${name}`);
  for (const [name, cols] of create) await knex.raw(`create index ${name} on accounts (${cols})`);
}

async function backfill(knex: Knex): Promise<void> {
  const rows = (await knex('accounts').select('id', 'name')) as Array<{ id: string; name: string }>;
  for (let i = 0; i < rows.length; i += BATCH) {
    for (const r of rows.slice(i, i + BATCH))
      await knex('accounts')
        .where({ id: r.id })
        .update({ name_fold: foldName(r.name) });
  }
}

/** Installs pg_trgm if it can; the schema its operator classes live in, or undefined. */
async function trigramSchema(knex: Knex): Promise<string | undefined> {
  const installed = async () =>
    ((await knex.raw(`select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_trgm'`)) as { rows: Array<{ schema: string }> })
      .rows[0]?.schema;
  const have = await installed();
  if (have) return have;
  const available = (await knex.raw(`select 1 from pg_available_extensions where name = 'pg_trgm'`)) as { rows: unknown[] };
  if (!available.rows.length) return undefined;
  // In public when there is one: an extension created inside a schema that is later dropped
  // (a per-tenant or per-test schema) would take every other schema's trigram index with it.
  const hasPublic = ((await knex.raw(`select 1 from pg_namespace where nspname = 'public'`)) as { rows: unknown[] }).rows.length > 0;
  await knex.raw('savepoint pg_trgm_install');
  try {
    await knex.raw(`create extension if not exists pg_trgm${hasPublic ? ' with schema public' : ''}`);
    await knex.raw('release savepoint pg_trgm_install');
  } catch {
    // No right to create it, or a concurrent migration just did: whatever is there now counts.
    await knex.raw('rollback to savepoint pg_trgm_install');
  }
  return installed();
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.string('name_fold', 200).notNullable().defaultTo('');
  });
  await backfill(knex);
  await swapIndexes(knex, OLD_INDEXES, SORT_INDEXES);
  if (columns(knex).isPg) {
    const schema = await trigramSchema(knex);
    if (!schema) {
      process.stderr.write("migration 009: the pg_trgm extension is not available; company search by name part scans each MSP's companies\n");
      return;
    }
    await knex.raw('create index accounts_name_fold_trgm on accounts using gin (name_fold ??.gin_trgm_ops)', [schema]);
    return;
  }
  // External content: the index holds only trigrams; triggers keep it in step with accounts.
  await knex.raw(
    `create virtual table accounts_name_fts using fts5(name_fold, content='accounts', content_rowid='rowid', tokenize='trigram case_sensitive 1')`,
  );
  await knex.raw(`create trigger accounts_name_fts_insert after insert on accounts begin
    insert into accounts_name_fts(rowid, name_fold) values (new.rowid, new.name_fold); end`);
  await knex.raw(`create trigger accounts_name_fts_delete after delete on accounts begin
    insert into accounts_name_fts(accounts_name_fts, rowid, name_fold) values ('delete', old.rowid, old.name_fold); end`);
  await knex.raw(`create trigger accounts_name_fts_update after update of name_fold on accounts begin
    insert into accounts_name_fts(accounts_name_fts, rowid, name_fold) values ('delete', old.rowid, old.name_fold);
    insert into accounts_name_fts(rowid, name_fold) values (new.rowid, new.name_fold); end`);
  await knex.raw(`insert into accounts_name_fts(accounts_name_fts) values ('rebuild')`);
}

export async function down(knex: Knex): Promise<void> {
  if (columns(knex).isPg) {
    await knex.raw('drop index if exists accounts_name_fold_trgm');
  } else {
    for (const t of ['insert', 'delete', 'update']) await knex.raw(`drop trigger if exists accounts_name_fts_${t}`);
    await knex.raw('drop table if exists accounts_name_fts');
  }
  await swapIndexes(knex, SORT_INDEXES, OLD_INDEXES);
  await knex.raw('alter table accounts drop column name_fold');
}
