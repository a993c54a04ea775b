// Deep paging seeks from remembered keys (src/db/pageKeys.ts): over random directories (ties in
// creation time, removed and unmanaged people) and random sequences of pages (in order, repeated,
// jumping) with writes in between, every page on both databases equals what plain OFFSET answers
// at that moment.
import crypto from 'node:crypto';
import fc from 'fast-check';
import type { Db } from '../../../src/db/knex';
import {
  type MemberState,
  type SqlCondition,
  insertMember,
  queryScimMembers,
  setMemberState,
  setScimManaged,
  updateMemberProfile,
} from '../../../src/db/members.repo';
import { unitOfWork } from '../../../src/db/unitOfWork';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany } from '../../../src/domain/companies';
import { asOp } from '../../helpers/ctx';
import { describeEachDb } from '../../helpers/db';

type Op =
  | { t: 'page'; offset: number; limit: number; filtered: boolean }
  | { t: 'next' }
  | { t: 'again' }
  | { t: 'insert'; at: number; family: 'A' | 'B'; state: MemberState; managed: boolean }
  | { t: 'state'; u: number; state: MemberState }
  | { t: 'family'; u: number; family: 'A' | 'B' }
  | { t: 'unmanage'; u: number };

const STATES: MemberState[] = ['invited', 'active', 'suspended', 'removed'];
const family = fc.constantFrom('A' as const, 'B' as const);
const u = fc.nat(200);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('page' as const), offset: fc.nat(70), limit: fc.integer({ min: 1, max: 12 }), filtered: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('next' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('again' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('insert' as const), at: fc.nat(20), family, state: fc.constantFrom(...STATES), managed: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('state' as const), u, state: fc.constantFrom(...STATES) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('family' as const), u, family }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unmanage' as const), u }) },
);

const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const FILTER: SqlCondition = { sql: 'm.family_name = ?', bindings: ['A'] };

/** What OFFSET answers now, written apart from the repository (plain knex, no remembered keys). */
async function offsetPage(db: Db, accountId: string, q: { offset: number; limit: number; filtered: boolean }) {
  const base = () => {
    const b = db('members as m').where('m.account_id', accountId).where('m.scim_managed', true).whereNot('m.state', 'removed');
    if (q.filtered) b.where('m.family_name', 'A');
    return b;
  };
  const [{ n }] = (await base().count({ n: '*' })) as Array<{ n: number | string }>;
  const rows = (await base()
    .orderBy([{ column: 'm.created_at' }, { column: 'm.id' }])
    .offset(q.offset)
    .limit(q.limit)
    .select('m.id')) as Array<{ id: string }>;
  return { total: Number(n), ids: rows.map((r) => r.id) };
}

describeEachDb('SCIM deep paging by remembered keys equals OFFSET', (get) => {
  let mspId: string;
  beforeAll(async () => {
    mspId = (await asOp(get().db, (ctx) => createMsp(ctx, { name: 'Paging MSP', region: 'eu', ownerEmail: 'owner@paging.example' }, ['eu']))).account.id;
  });

  it('answers every page as OFFSET would, through inserts, removals and changes between pages', async () => {
    const db = get().db;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.array(op, { minLength: 10, maxLength: 45 }), async (seedCount, ops) => {
        const account = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: `Paging ${run++}`, country: 'DE' }));
        const ids: string[] = [];
        const insert = (at: number, fam: 'A' | 'B', state: MemberState, managed: boolean) =>
          unitOfWork(db, async (tx) => {
            const id = crypto.randomUUID();
            const name = `p${ids.length}-${id.slice(0, 6)}@paging.example`;
            // Few distinct times: many ties, ordered by id.
            const createdAt = new Date(BASE + at * 1000).toISOString();
            await insertMember(tx, {
              id,
              accountId: account.id,
              userName: name,
              email: name,
              externalId: null,
              displayName: null,
              givenName: null,
              familyName: fam,
              state,
              provisionedBy: 'scim',
              scimManaged: managed,
              preferredLanguage: null,
              locale: null,
              attrs: { userName: name },
              createdAt,
            });
            ids.push(id);
          });
        for (let i = 0; i < seedCount; i++) await insert(i % 20, i % 3 ? 'A' : 'B', STATES[i % 7 === 0 ? 3 : i % 3]!, i % 11 !== 0);
        let last = { offset: 0, limit: 10, filtered: false };
        for (const o of ops) {
          const at = (n: number) => ids[n % Math.max(ids.length, 1)];
          if (o.t === 'insert') await insert(o.at, o.family, o.state, o.managed);
          else if (o.t === 'state' || o.t === 'family' || o.t === 'unmanage') {
            const id = at(o.u);
            if (!id) continue;
            await unitOfWork(db, async (tx) => {
              const m = await tx('members').where({ id }).first();
              if (o.t === 'state') await setMemberState(tx, { accountId: account.id, id, state: m.state } as never, o.state, new Date().toISOString());
              else if (o.t === 'family') await updateMemberProfile(tx, account.id, id, { familyName: o.family }, new Date().toISOString());
              else await setScimManaged(tx, account.id, id, false, new Date().toISOString());
            });
          } else {
            const q = o.t === 'page' ? o : o.t === 'next' ? { ...last, offset: last.offset + last.limit } : last;
            const got = await queryScimMembers(db, account.id, { where: q.filtered ? FILTER : undefined, offset: q.offset, limit: q.limit });
            const want = await offsetPage(db, account.id, q);
            expect({ total: got.total, ids: got.rows.map((r) => r.id) }).toEqual(want);
            last = q;
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 240_000);
});
