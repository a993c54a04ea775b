// The ordered list of migrations, imported statically so tsx, jest and the built dist all find them.
import type { Knex } from 'knex';
import * as m001 from './001_domain';
import * as m002 from './002_authority';
import * as m003 from './003_preferred_language';
import * as m004 from './004_link_codes';
import * as m005 from './005_msp_events';
import * as m006 from './006_breaker';
import * as m007 from './007_seat_caps_technician_scope';
import * as m008 from './008_notifications';
import * as m009 from './009_company_search';
import * as m010 from './010_usage_ledger';
import * as m011 from './011_company_templates';
import * as m012 from './012_scim_request_days';
import * as m013 from './013_members_version';
import * as m014 from './014_company_list';
import * as m015 from './015_member_email_order';

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
  ['006_breaker', m006],
  ['007_seat_caps_technician_scope', m007],
  ['008_notifications', m008],
  ['009_company_search', m009],
  ['010_usage_ledger', m010],
  ['011_company_templates', m011],
  ['012_scim_request_days', m012],
  ['013_members_version', m013],
  ['014_company_list', m014],
  ['015_member_email_order', m015],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
