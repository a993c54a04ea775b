// Fewer round trips per write transaction on PostgreSQL (src/db/pgPipeline.ts): BEGIN goes with the first
// statement and COMMIT with the unit of work's deferred writes. The same transactions on SQLite for comparison:
// what commits, what rolls back and what the connection can still do afterwards must not differ. (Failures are
// checked by their message: better-sqlite3's errors come from another realm than jest's Error once a worker
// has loaded it for an earlier file.)
import pg from 'pg';
import { getAccount } from '../../../src/db/accounts.repo';
import { type Db, isPg, migrateLatest, openDb } from '../../../src/db/knex';
import { insertMember } from '../../../src/db/members.repo';
import { findPushedKeysOwners } from '../../../src/db/pushedMembers.repo';
import { first, shape } from '../../../src/db/prepared';
import { unitOfWork, workOf } from '../../../src/db/unitOfWork';
import { createMsp } from '../../../src/domain/accounts';
import { asOp } from '../../helpers/ctx';
import { DIALECTS, testDbUrl } from '../../helpers/db';

describe.each(DIALECTS)('a write transaction in few round trips [%s]', (dialect) => {
  let db: Db;
  let drop: () => Promise<void>;
  let accountId: string;
  let n = 0;
  /** Messages the pg clients were given (each one round trip). */
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  beforeAll(async () => {
    const t = testDbUrl(dialect);
    drop = t.drop;
    // One connection: every transaction below reuses it, so state left on it would show.
    db = openDb({ url: t.url, poolMax: 1 });
    await migrateLatest(db);
    accountId = (await asOp(db, (ctx) => createMsp(ctx, { name: 'Pipe', region: 'us', ownerEmail: 'o@pipe.example' }, ['us']))).account.id;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as { text?: string; before?: string[]; after?: string[] } | string;
      sent.push(typeof q === 'string' ? q : [...(q.before ?? []), q.text ?? '', ...(q.after ?? [])].join(' + '));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await db.destroy();
    await drop();
  });

  const member = () => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    accountId,
    userName: `p${n}@pipe.example`,
    email: `p${n}@pipe.example`,
    externalId: null,
    displayName: null,
    givenName: null,
    familyName: null,
    state: 'invited' as const,
    provisionedBy: 'scim' as const,
    scimManaged: true,
    preferredLanguage: null,
    locale: null,
    attrs: {},
    createdAt: new Date().toISOString(),
  });
  const exists = async (userName: string) => (await findPushedKeysOwners(db, accountId, { userName })).byUserName !== undefined;
  const audit = (action: string) => ({ account_id: accountId, actor_kind: 'system', action, data: '{}', created_at: new Date().toISOString() });

  it('sends a POST-like work as: BEGIN with the first statement, …, the deferred writes with COMMIT', async () => {
    const before = (await getAccount(db, accountId))!.seatsFilled;
    sent.length = 0;
    const m = member();
    await unitOfWork(db, async (tx) => {
      await getAccount(tx, accountId);
      await insertMember(tx, m);
      workOf(tx)!.deferInsert('audit_events', audit('pipe.created'));
    });
    expect(await exists(m.userName)).toBe(true);
    expect((await getAccount(db, accountId))!.seatsFilled).toBe(before + 1);
    if (isPg(db)) {
      // Three round trips (the last two queries read back above): no BEGIN or COMMIT of their own.
      expect(sent[0]).toMatch(/^BEGIN \+ select .* from accounts/);
      expect(sent[1]).toMatch(/^insert into members/);
      expect(sent[2]).toMatch(/^with .*insert into audit_events.*update accounts.* \+ COMMIT$/);
      expect(sent.length).toBe(3 + 2);
    }
  });

  it('rolls back everything when the deferred writes fail, and the connection goes on working', async () => {
    const m = member();
    await expect(
      unitOfWork(db, async (tx) => {
        await insertMember(tx, m);
        // No such column: the last statement fails, the COMMIT batched after it never runs.
        workOf(tx)!.deferInsert('audit_events', { ...audit('pipe.broken'), no_such_column: 1 });
      }),
    ).rejects.toHaveProperty('message');
    expect(await exists(m.userName)).toBe(false);
    const next = member();
    await unitOfWork(db, (tx) => insertMember(tx, next));
    expect(await exists(next.userName)).toBe(true);
  });

  it('rolls back when the first statement (sent with BEGIN) fails, and when a later one does', async () => {
    await expect(unitOfWork(db, (tx) => first(tx, shape('select no_such_column from accounts where id = ?'), [accountId]))).rejects.toHaveProperty('message');
    const m = member();
    await expect(
      unitOfWork(db, async (tx) => {
        await insertMember(tx, m);
        await insertMember(tx, m); // the same id again
      }),
    ).rejects.toHaveProperty('message');
    expect(await exists(m.userName)).toBe(false);
    expect((await unitOfWork(db, (tx) => first(tx, shape('select name from accounts where id = ?'), [accountId])))?.name).toBe('Pipe');
  });

  it('parses a statement again after its first use failed in a batch with BEGIN', async () => {
    const lookup = shape('select x from pipe_later where x = ?');
    await expect(unitOfWork(db, (tx) => first(tx, lookup, [1]))).rejects.toHaveProperty('message');
    await db.schema.createTable('pipe_later', (t) => t.integer('x'));
    await db('pipe_later').insert({ x: 1 });
    expect(await unitOfWork(db, (tx) => first(tx, lookup, [1]))).toEqual({ x: 1 });
  });

  it('commits a work that ran no statement without sending anything, and one that ran only knex queries as knex does', async () => {
    sent.length = 0;
    expect(await unitOfWork(db, async () => 42)).toBe(42);
    if (isPg(db)) expect(sent).toEqual([]);
    const m = member();
    await unitOfWork(db, async (tx) => {
      await tx('audit_events').insert(audit('pipe.builder'));
      await insertMember(tx, m);
    });
    expect(await exists(m.userName)).toBe(true);
    expect(await db('audit_events').where({ account_id: accountId, action: 'pipe.builder' }).first()).toBeDefined();
  });

  it('keeps a savepoint inside a unit of work from committing the outer transaction', async () => {
    const inner = member();
    const outer = member();
    await expect(
      unitOfWork(db, async (tx) => {
        await insertMember(tx, outer);
        await unitOfWork(tx as unknown as Db, async (sp) => {
          await insertMember(sp, inner);
          workOf(sp)!.deferInsert('audit_events', audit('pipe.inner'));
        });
        throw new Error('the outer work fails after its savepoint');
      }),
    ).rejects.toThrow('the outer work fails');
    expect(await exists(inner.userName)).toBe(false);
    expect(await exists(outer.userName)).toBe(false);
  });
});
