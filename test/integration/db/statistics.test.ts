// SQLite plans well without statistics, and gets them anyway: a database `mspbridge start` created
// and filled by a push was never analyzed, and its email lookup walked the whole account.
import { keepStatistics, migrateLatest, openDb } from '../../../src/db/knex';
import { testDbUrl } from '../../helpers/db';

describe('SQLite planner statistics', () => {
  const t = testDbUrl('sqlite');
  const db = openDb({ url: t.url, poolMax: 1 });
  beforeAll(() => migrateLatest(db));
  afterAll(async () => {
    await db.destroy();
    await t.drop();
  });

  it("answers a push's oldest-holder-of-an-email lookup from one index, with no statistics at all", async () => {
    expect(await db.raw("select count(*) as n from sqlite_master where name = 'sqlite_stat1'")).toEqual([{ n: 0 }]);
    const plan = (await db.raw(
      "explain query plan select id from members where account_id = ? and email_ci = ? and state <> 'removed' order by created_at asc limit 1",
      ['a', 'x@example.com'],
    )) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail)).toEqual(['SEARCH members USING INDEX members_account_email_created (account_id=? AND email_ci=?)']);
  });

  it('analyzes what grew (pragma optimize at start and every few minutes)', async () => {
    const now = new Date().toISOString();
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: `m-${i}`,
      account_id: 'acct',
      user_name: `u${i}@example.com`,
      user_name_ci: `u${i}@example.com`,
      email: `u${i}@example.com`,
      email_ci: `u${i}@example.com`,
      state: 'active',
      provisioned_by: 'scim',
      scim_managed: true,
      attrs: '{}',
      version: 1,
      created_at: now,
      updated_at: now,
    }));
    await db.raw('pragma foreign_keys = off');
    for (let i = 0; i < rows.length; i += 200) await db('members').insert(rows.slice(i, i + 200));
    await db.raw('pragma foreign_keys = on');
    const errors: Error[] = [];
    const stop = keepStatistics(db, (err) => errors.push(err));
    try {
      let stats: Array<{ idx: string }> = [];
      for (let i = 0; i < 50 && !stats.length; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stats = (await db.raw("select idx from sqlite_stat1 where tbl = 'members'").catch(() => [])) as Array<{ idx: string }>;
      }
      expect(stats.map((s) => s.idx)).toEqual(expect.arrayContaining(['members_account_email_created']));
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  });
});
