// The ordered list of migrations, imported statically so tsx, jest and the built dist all find them.
import type { Knex } from 'knex';
import * as m001 from './001_domain';
import * as m002 from './002_authority';
import * as m003 from './003_preferred_language';
import * as m004 from './004_link_codes';
import * as m005 from './005_msp_events';
import * as m011 from './011_members_version';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: ReadonlyArray<[string, Migration]> = [
  ['001_domain', m001],
  ['002_authority', m002],
  ['003_preferred_language', m003],
  ['004_link_codes', m004],
  ['005_msp_events', m005],
  ['011_members_version', m011],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
