// The Managed Companies list without a count per request and without table reads for rows a
// search skips:
// - company_list_versions: a counter per MSP that moves whenever one of its companies is added,
//   removed, renamed, changes status or MSP. Kept by triggers, so every write path moves it
//   (the domain, the CLI, another process, a repair by hand). The list remembers totals per
//   (MSP, status, search) stamped with it (companyList.repo.ts). On PostgreSQL the trigger is a
//   deferred constraint trigger: the counter row is locked only at commit, the transaction's
//   last step, so concurrent changes to one MSP's companies never wait on each other before it.
// - the sort indexes of 009 carry status and name_fold too, so a search walking a sort order
//   tests each company on the index entry and reads the table only for the rows of the page.
import type { Knex } from 'knex';
import { columns } from './dialect';

/** Sort order (key columns) and the filter columns each index carries besides. */
const SORT_INDEXES: Array<[string, string, string]> = [
  ['accounts_company_list_name', 'msp_id, kind, name_ci, id', 'status, name_fold'],
  ['accounts_company_list_name_desc', 'msp_id, kind, name_ci desc, id', 'status, name_fold'],
  ['accounts_company_list_status', 'msp_id, kind, status, name_ci, id', 'name_fold'],
  ['accounts_company_list_status_desc', 'msp_id, kind, status desc, name_ci, id', 'name_fold'],
  ['accounts_company_list_seats', 'msp_id, kind, seats_filled, name_ci, id', 'status, name_fold'],
  ['accounts_company_list_seats_desc', 'msp_id, kind, seats_filled desc, name_ci, id', 'status, name_fold'],
];
/** Migration 009's sort indexes, which these replace. */
const OLD_INDEXES: Array<[string, string]> = [
  ['accounts_msp_list_name', 'msp_id, kind, name_ci, id'],
  ['accounts_msp_list_name_desc', 'msp_id, kind, name_ci desc, id'],
  ['accounts_msp_list_status', 'msp_id, kind, status, name_ci, id'],
  ['accounts_msp_list_status_desc', 'msp_id, kind, status desc, name_ci, id'],
  ['accounts_msp_list_seats', 'msp_id, kind, seats_filled, name_ci, id'],
  ['accounts_msp_list_seats_desc', 'msp_id, kind, seats_filled desc, name_ci, id'],
];

// What moves the counter: a company's MSP, kind, status or name (name_fold follows the name).
const SQLITE_BUMP = (ref: 'old' | 'new') =>
  `insert into company_list_versions (msp_id, version) select ${ref}.msp_id, 1 where ${ref}.msp_id is not null
     on conflict (msp_id) do update set version = version + 1;`;

const PG_FUNCTION = `create or replace function company_list_touch() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.msp_id is not distinct from new.msp_id and old.kind is not distinct from new.kind
     and old.status is not distinct from new.status and old.name is not distinct from new.name then
    return null;
  end if;
  if tg_op <> 'INSERT' and old.msp_id is not null then
    insert into company_list_versions (msp_id, version) values (old.msp_id, 1)
      on conflict (msp_id) do update set version = company_list_versions.version + 1;
  end if;
  if tg_op <> 'DELETE' and new.msp_id is not null and (tg_op = 'INSERT' or new.msp_id is distinct from old.msp_id) then
    insert into company_list_versions (msp_id, version) values (new.msp_id, 1)
      on conflict (msp_id) do update set version = company_list_versions.version + 1;
  end if;
  return null;
end $$`;

export async function up(knex: Knex): Promise<void> {
  const { isPg } = columns(knex);
  await knex.schema.createTable('company_list_versions', (t) => {
    t.string('msp_id', 36).primary();
    t.bigInteger('version').notNullable();
  });
  for (const [name] of OLD_INDEXES) await knex.raw(`drop index if exists ${name}`);
  for (const [name, keys, carried] of SORT_INDEXES) {
    await knex.raw(isPg ? `create index ${name} on accounts (${keys}) include (${carried})` : `create index ${name} on accounts (${keys}, ${carried})`);
  }
  if (isPg) {
    await knex.raw(PG_FUNCTION);
    await knex.raw(`create constraint trigger accounts_company_list after insert or delete or update of msp_id, kind, status, name on accounts
      deferrable initially deferred for each row execute function company_list_touch()`);
    return;
  }
  await knex.raw(`create trigger accounts_company_list_insert after insert on accounts when new.msp_id is not null begin ${SQLITE_BUMP('new')} end`);
  await knex.raw(`create trigger accounts_company_list_delete after delete on accounts when old.msp_id is not null begin ${SQLITE_BUMP('old')} end`);
  await knex.raw(`create trigger accounts_company_list_update after update of msp_id, kind, status, name on accounts
    when old.msp_id is not new.msp_id or old.kind is not new.kind or old.status is not new.status or old.name is not new.name
    begin ${SQLITE_BUMP('old')} ${SQLITE_BUMP('new').replace('where new.msp_id is not null', 'where new.msp_id is not null and new.msp_id is not old.msp_id')} end`);
}

export async function down(knex: Knex): Promise<void> {
  const { isPg } = columns(knex);
  if (isPg) {
    await knex.raw('drop trigger if exists accounts_company_list on accounts');
    await knex.raw('drop function if exists company_list_touch()');
  } else {
    for (const t of ['insert', 'delete', 'update']) await knex.raw(`drop trigger if exists accounts_company_list_${t}`);
  }
  for (const [name] of SORT_INDEXES) await knex.raw(`drop index if exists ${name}`);
  for (const [name, cols] of OLD_INDEXES) await knex.raw(`create index ${name} on accounts (${cols})`);
  await knex.schema.dropTableIfExists('company_list_versions');
}
