// The statements of a SCIM push (POST/PUT/PATCH /Users) that find who already holds its userName, email and
// externalId, and (POST) insert the new person when nobody does: few statements, one round trip where possible.
import { isPg, type Tx } from './knex';
import { type Member, type NewMember, MEMBER, NOT_REMOVED, insertMember, memberInserted, memberRow } from './members.repo';
import { rows, shape } from './prepared';

/** The people a pushed userName, email and externalId already belong to (each undefined when none). */
export interface PushedKeysOwners {
  byUserName?: Member;
  /** The oldest person with the email (none looked for without an email). */
  byEmail?: Member;
  /** None looked for without an externalId. */
  byExternalId?: Member;
}

const COLUMNS = MEMBER.columnList();
const owner = (where: string, order = '') => `select ${COLUMNS} from members where account_id = ? and ${where} and ${NOT_REMOVED}${order} limit 1`;
const BY_USER_NAME = owner('user_name_ci = ?');
const BY_EMAIL = owner('email_ci = ?', ' order by created_at asc');
const BY_EXTERNAL_ID = owner('external_id = ?');

/** The three lookups as one statement (three index lookups, one round trip), each row tagged with what it matched. */
const KEY_OWNERS = shape(
  [
    `select 'u' as hit, * from (${BY_USER_NAME}) as u`,
    `select 'e' as hit, * from (${BY_EMAIL}) as e`,
    `select 'x' as hit, * from (${BY_EXTERNAL_ID}) as x`,
  ].join(' union all '),
);

const keyBindings = (accountId: string, k: { userName: string; email?: string | null; externalId?: string | null }) => [
  accountId,
  k.userName.toLowerCase(),
  accountId,
  k.email?.toLowerCase() || null,
  accountId,
  k.externalId || null,
];

/** The rows of the lookups (and of the insert, tagged 'i') as owners; `inserted` when the insert ran. */
function ownersOf(found: Array<Record<string, unknown>>): { owners: PushedKeysOwners; inserted: boolean } {
  const owners: PushedKeysOwners = {};
  let inserted = false;
  for (const r of found) {
    if (r.hit === 'i') inserted = true;
    else owners[r.hit === 'u' ? 'byUserName' : r.hit === 'e' ? 'byEmail' : 'byExternalId'] = MEMBER.read(r);
  }
  return { owners, inserted };
}

/** The owners of a push's userName, email and externalId in one statement. */
export async function findPushedKeysOwners(
  tx: Tx,
  accountId: string,
  keys: { userName: string; email?: string | null; externalId?: string | null },
): Promise<PushedKeysOwners> {
  return ownersOf(await rows(tx, KEY_OWNERS, keyBindings(accountId, keys))).owners;
}

const lookupAndInsertShapes = new Map<string, ReturnType<typeof shape>>();

/**
 * PostgreSQL: the lookups and the insert as one data-modifying WITH statement. The insert runs only when
 * nobody stands in the new person's way (see lookupOrInsertPushed); every part reads the same snapshot.
 */
function lookupAndInsert(columns: string[]) {
  const key = columns.join(',');
  let s = lookupAndInsertShapes.get(key);
  if (!s) {
    s = shape(
      `with u as (${BY_USER_NAME}), e as (${BY_EMAIL}), x as (${BY_EXTERNAL_ID}),` +
        ` i as (insert into members (${key}) select ${columns.map(() => '?').join(', ')}` +
        ` where not exists (select 1 from u) and not exists (select 1 from e where not e.scim_managed) and not exists (select 1 from x)` +
        ` returning ${COLUMNS})` +
        ` select 'u' as hit, * from u union all select 'e' as hit, * from e union all select 'x' as hit, * from x union all select 'i' as hit, * from i`,
    );
    lookupAndInsertShapes.set(key, s);
  }
  return s;
}

/**
 * POST /Users: who holds the push's userName, email and externalId, and `candidate` inserted unless somebody
 * stands in its way: a person with the userName, one with the email not under SCIM (to be revived or adopted
 * instead), one with the externalId. On PostgreSQL in one statement; on SQLite the insert follows the lookup.
 * Without a candidate (a seat cap must be checked before the insert) it only looks up.
 */
export async function lookupOrInsertPushed(
  tx: Tx,
  accountId: string,
  pushed: { userName: string; email: string | null; externalId: string | null },
  candidate: NewMember | undefined,
): Promise<PushedKeysOwners & { inserted?: Member }> {
  const keys = keyBindings(accountId, pushed);
  if (!candidate) return ownersOf(await rows(tx, KEY_OWNERS, keys)).owners;
  if (isPg(tx)) {
    const row = memberRow(candidate);
    const columns = Object.keys(row);
    const { owners, inserted } = ownersOf(await rows(tx, lookupAndInsert(columns), [...keys, ...columns.map((c) => row[c])]));
    return inserted ? { ...owners, inserted: await memberInserted(tx, candidate, row) } : owners;
  }
  const { owners } = ownersOf(await rows(tx, KEY_OWNERS, keys));
  const blocked = owners.byUserName || (owners.byEmail && !owners.byEmail.scimManaged) || owners.byExternalId;
  return blocked ? owners : { ...owners, inserted: await insertMember(tx, candidate) };
}
