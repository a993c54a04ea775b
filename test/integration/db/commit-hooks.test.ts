// whenCommitted: on SQLite the callback runs inside the COMMIT's own turn (before the
// transaction's promise resolves, so nothing else runs in between), never after a rollback.
import { type Db, migrateLatest, openDb, whenCommitted } from '../../../src/db/knex';
import { testDbUrl } from '../../helpers/db';

describe('whenCommitted [sqlite]', () => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const t = testDbUrl('sqlite');
    drop = t.drop;
    db = openDb({ url: t.url });
    await migrateLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  it('runs the callback at the commit, before the transaction resolves', async () => {
    const order: string[] = [];
    await db
      .transaction(async (tx) => {
        await tx.raw('select 1');
        await whenCommitted(tx, () => order.push('hook'));
        order.push('body done');
      })
      .then(() => order.push('resolved'));
    expect(order).toEqual(['body done', 'hook', 'resolved']);
  });

  it('never runs it when the transaction rolls back, and forgets it for the next one', async () => {
    const ran: string[] = [];
    await expect(
      db.transaction(async (tx) => {
        await whenCommitted(tx, () => ran.push('rolled back'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await db.transaction(async (tx) => {
      await tx.raw('select 1');
    });
    expect(ran).toEqual([]);
  });
});
