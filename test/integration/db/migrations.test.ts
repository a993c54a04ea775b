// Migrations apply, roll back and re-apply on both databases.
import { migrateLatest, openDb, pendingMigrations } from '../../../src/db/knex';
import { migrationSource } from '../../../src/db/migrations';
import { NOT_REMOVED } from '../../../src/db/members.repo';
import { DIALECTS, testDbUrl } from '../../helpers/db';

describe.each(DIALECTS)('migrations [%s]', (dialect) => {
  it('go up, down and up again, leaving nothing pending', async () => {
    const { url, drop } = testDbUrl(dialect);
    const db = openDb({ url });
    const all = (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m));
    expect(all[0]).toBe('001_domain');
    try {
      expect(await migrateLatest(db)).toEqual(all);
      expect(await pendingMigrations(db)).toEqual([]);
      expect(await db.schema.hasTable('outbox')).toBe(true);
      await db.migrate.rollback(undefined, true);
      expect(await db.schema.hasTable('accounts')).toBe(false);
      expect(await pendingMigrations(db)).toEqual(all);
      expect(await migrateLatest(db)).toEqual(all);
      expect(await migrateLatest(db)).toEqual([]);
    } finally {
      await db.destroy();
      await drop();
    }
  });

  it('answers the userName lookup from an index', async () => {
    const { url, drop } = testDbUrl(dialect);
    const db = openDb({ url });
    try {
      await migrateLatest(db);
      const q = db('members').where({ account_id: 'a', user_name_ci: 'x' }).whereRaw(NOT_REMOVED).toSQL().toNative();
      if (dialect === 'sqlite') {
        const plan = await db.raw(`explain query plan ${q.sql}`, q.bindings as never);
        expect(JSON.stringify(plan)).toMatch(/USING INDEX members_account_username/);
      } else {
        await db.raw('set enable_seqscan = off');
        const plan = await db.raw(`explain ${q.sql.replace(/\$\d+/g, '?')}`, q.bindings as never);
        expect(JSON.stringify(plan.rows)).toMatch(/members_account_username/);
      }
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
