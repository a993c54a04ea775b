// The unit of work: deferred seat writes land as the transaction's last statements, after-commit
// actions run once the transaction commits (on SQLite in the COMMIT's own turn) and never after
// a rollback, and two units of work never see each other's state.
import { getAccount } from '../../../src/db/accounts.repo';
import { type Db, migrateLatest, openDb } from '../../../src/db/knex';
import { insertMember } from '../../../src/db/members.repo';
import { changeFeedOf } from '../../../src/db/changeFeed';
import { savepoint, unitOfWork, workOf } from '../../../src/db/unitOfWork';
import { createMsp } from '../../../src/domain/accounts';
import { asOp } from '../../helpers/ctx';
import { DIALECTS, testDbUrl } from '../../helpers/db';

describe.each(DIALECTS)('the unit of work [%s]', (dialect) => {
  let db: Db;
  let drop: () => Promise<void>;
  let accountId: string;
  let n = 0;
  beforeAll(async () => {
    const t = testDbUrl(dialect);
    drop = t.drop;
    db = openDb({ url: t.url });
    await migrateLatest(db);
    accountId = (await asOp(db, (ctx) => createMsp(ctx, { name: 'UoW', region: 'us', ownerEmail: 'o@uow.example' }, ['us']))).account.id;
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  const member = (state: 'invited' | 'active' | 'suspended' = 'active') => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    accountId,
    userName: `p${n}@uow.example`,
    email: `p${n}@uow.example`,
    externalId: null,
    displayName: null,
    givenName: null,
    familyName: null,
    state,
    provisionedBy: 'manual' as const,
    scimManaged: false,
    preferredLanguage: null,
    locale: null,
    attrs: {},
    createdAt: new Date().toISOString(),
  });
  const seats = async () => (await getAccount(db, accountId))!.seatsFilled;

  it('writes seat counts at the end of the work, once, and not at all when it rolls back', async () => {
    const before = await seats();
    await unitOfWork(db, async (tx) => {
      await insertMember(tx, member());
      await insertMember(tx, member());
      // Not yet written: the counter row is touched only as the last statement.
      expect((await getAccount(tx, accountId))!.seatsFilled).toBe(before);
    });
    expect(await seats()).toBe(before + 2);
    await expect(
      unitOfWork(db, async (tx) => {
        await insertMember(tx, member());
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await seats()).toBe(before + 2);
  });

  it('runs after-commit actions once the commit is done (SQLite: in its own turn), never after a rollback', async () => {
    const order: string[] = [];
    await unitOfWork(db, async (tx) => {
      await tx.raw('select 1');
      workOf(tx)!.afterCommit(() => order.push('after commit'));
      order.push('body done');
    }).then(() => order.push('resolved'));
    expect(order).toEqual(['body done', 'after commit', 'resolved']);
    const ran: string[] = [];
    await expect(
      unitOfWork(db, async (tx) => {
        workOf(tx)!.afterCommit(() => ran.push('rolled back'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await unitOfWork(db, (tx) => tx.raw('select 1'));
    expect(ran).toEqual([]);
  });

  it("announces credential changes after the commit, including a released savepoint's, never a rolled-back one's", async () => {
    const heard: string[] = [];
    const stop = changeFeedOf(db).onCredentials((id) => heard.push(id));
    try {
      await unitOfWork(db, async (tx) => {
        workOf(tx)!.credentialsChanged('acct-outer');
        await savepoint(tx, async (sp) => {
          workOf(sp)!.credentialsChanged('acct-released');
          workOf(sp)!.afterCommit(() => heard.push('after commit of a released savepoint'));
        });
        await savepoint(tx, async (sp) => {
          workOf(sp)!.credentialsChanged('acct-rolled-back');
          throw new Error('undo');
        }).catch(() => undefined);
        expect(heard).toEqual([]); // nothing before the commit
      });
      expect(heard.sort()).toEqual(['acct-outer', 'acct-released', 'after commit of a released savepoint']);
      heard.length = 0;
      await expect(
        unitOfWork(db, async (tx) => {
          workOf(tx)!.credentialsChanged('acct-never');
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
  });
  it('keeps each unit of work to itself, and refuses a seat change outside one', async () => {
    const [a, b] = await Promise.all([unitOfWork(db, async (tx) => workOf(tx)), unitOfWork(db, async (tx) => workOf(tx))]);
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
    await expect(db.transaction((tx) => insertMember(tx, member()))).rejects.toThrow(/unit of work/);
  });
});
