// Queries for the people of one account; every query is scoped by account id.
import { isPg, type Tx } from './knex';
import { addFilledSeats } from './accounts.repo';
import { workOf } from './unitOfWork';
import { PageKeys, membersVersion } from './pageKeys';
import { first, insertRow, rows as preparedRows, shape } from './prepared';
import { bool, int, jsonColumn, optIso, optText, rowCodec, text, time, toJson } from './codec';

export type MemberState = 'invited' | 'active' | 'suspended' | 'removed';
export type ProvisionedBy = 'manual' | 'scim';

export interface Member {
  id: string;
  accountId: string;
  userName: string;
  email: string | null;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  state: MemberState;
  provisionedBy: ProvisionedBy;
  scimManaged: boolean;
  preferredLanguage: string | null;
  locale: string | null;
  /** The rest of the SCIM resource as the IdP sent it (extensions included). */
  attrs: Record<string, unknown>;
  passwordHash: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  acceptedAt: string | null;
  lastSigninAt: string | null;
}

export type NewMember = Omit<Member, 'version' | 'updatedAt' | 'acceptedAt' | 'lastSigninAt' | 'passwordHash'> & {
  passwordHash?: string | null;
};

type Row = Record<string, unknown>;

/**
 * The predicate of the partial unique indexes, written as a literal: SQLite only uses a
 * partial index when the query's WHERE clause repeats its predicate with constants.
 */
export const NOT_REMOVED = "state <> 'removed'";

/** Seats are filled by invited and active people. */
export const fillsSeat = (state: MemberState): boolean => state === 'invited' || state === 'active';

export const MEMBER = rowCodec<Member>({
  id: text,
  accountId: text,
  userName: text,
  email: optText,
  externalId: optText,
  displayName: optText,
  givenName: optText,
  familyName: optText,
  state: text,
  provisionedBy: text,
  scimManaged: bool,
  preferredLanguage: optText,
  locale: optText,
  attrs: jsonColumn<Record<string, unknown>>({}),
  passwordHash: optText,
  version: int,
  createdAt: time,
  updatedAt: time,
  acceptedAt: optIso,
  lastSigninAt: optIso,
});

/** Every write to the account's people moves its members_version (once per unit of work). */
async function touch(tx: Tx, accountId: string): Promise<void> {
  const work = workOf(tx);
  if (work) work.touchMembers(accountId);
  else await tx('accounts').where({ id: accountId }).increment('members_version', 1);
}

function profileColumns(m: Partial<NewMember>): Row {
  const row: Row = {};
  if (m.userName !== undefined) {
    row.user_name = m.userName;
    row.user_name_ci = m.userName.toLowerCase();
  }
  if (m.email !== undefined) {
    row.email = m.email;
    row.email_ci = m.email === null ? null : m.email.toLowerCase();
  }
  if (m.externalId !== undefined) row.external_id = m.externalId;
  if (m.displayName !== undefined) row.display_name = m.displayName;
  if (m.givenName !== undefined) row.given_name = m.givenName;
  if (m.familyName !== undefined) row.family_name = m.familyName;
  if (m.preferredLanguage !== undefined) row.preferred_language = m.preferredLanguage;
  if (m.locale !== undefined) row.locale = m.locale;
  if (m.attrs !== undefined) row.attrs = toJson(m.attrs);
  if (m.scimManaged !== undefined) row.scim_managed = m.scimManaged;
  return row;
}

/** The row of a new person, as stored. */
export function memberRow(m: NewMember): Row {
  return {
    id: m.id,
    account_id: m.accountId,
    ...profileColumns(m),
    state: m.state,
    provisioned_by: m.provisionedBy,
    scim_managed: m.scimManaged,
    password_hash: m.passwordHash ?? null,
    version: 1,
    created_at: m.createdAt,
    updated_at: m.createdAt,
  };
}

/** What follows a new person's row in the same unit of work (the seat counter, the people's version); the person as read back. */
export async function memberInserted(tx: Tx, m: NewMember, row: Row): Promise<Member> {
  if (fillsSeat(m.state)) addFilledSeats(tx, m.accountId, 1);
  await touch(tx, m.accountId);
  return MEMBER.read(row);
}

export async function insertMember(tx: Tx, m: NewMember): Promise<Member> {
  const row = memberRow(m);
  await insertRow(tx, 'members', row);
  return memberInserted(tx, m, row);
}

export async function getMember(tx: Tx, accountId: string, id: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, id }).whereRaw(NOT_REMOVED).first());
}

/** Also returns removed people (for reactivation and audit views). */
const BY_ID_ANY_STATE = shape(`select ${MEMBER.columnList()} from members where account_id = ? and id = ?`);

export async function getMemberAnyState(tx: Tx, accountId: string, id: string): Promise<Member | undefined> {
  return MEMBER.maybe(await first(tx, BY_ID_ANY_STATE, [accountId, id]));
}

const BY_USER_NAME = shape(`select ${MEMBER.columnList()} from members where account_id = ? and user_name_ci = ? and ${NOT_REMOVED} limit 1`);
const BY_EMAIL = shape(`select ${MEMBER.columnList()} from members where account_id = ? and email_ci = ? and ${NOT_REMOVED} order by created_at asc limit 1`);
const BY_EXTERNAL_ID = shape(`select ${MEMBER.columnList()} from members where account_id = ? and external_id = ? and ${NOT_REMOVED} limit 1`);

export async function findMemberByUserName(tx: Tx, accountId: string, userName: string): Promise<Member | undefined> {
  return MEMBER.maybe(await first(tx, BY_USER_NAME, [accountId, userName.toLowerCase()]));
}

export async function findMemberByEmail(tx: Tx, accountId: string, email: string): Promise<Member | undefined> {
  return MEMBER.maybe(await first(tx, BY_EMAIL, [accountId, email.toLowerCase()]));
}

export async function findMemberByExternalId(tx: Tx, accountId: string, externalId: string): Promise<Member | undefined> {
  return MEMBER.maybe(await first(tx, BY_EXTERNAL_ID, [accountId, externalId]));
}

/** Updates profile fields and bumps the version (the SCIM ETag). */
export async function updateMemberProfile(tx: Tx, accountId: string, id: string, patch: Partial<NewMember>, now: string): Promise<void> {
  await tx('members')
    .where({ account_id: accountId, id })
    .update({ ...profileColumns(patch), updated_at: now, version: tx.raw('version + 1') });
  await touch(tx, accountId);
}

/** Changes state and keeps the account's filled-seat counter exact. */
export async function setMemberState(tx: Tx, member: Member, state: MemberState, now: string): Promise<void> {
  if (member.state === state) return;
  const extra: Row = {};
  if (state === 'active' && member.state === 'invited') extra.accepted_at = now;
  await tx('members')
    .where({ account_id: member.accountId, id: member.id })
    .update({ state, ...extra, updated_at: now, version: tx.raw('version + 1') });
  const delta = Number(fillsSeat(state)) - Number(fillsSeat(member.state));
  addFilledSeats(tx, member.accountId, delta);
  await touch(tx, member.accountId);
}

export async function setPasswordHash(tx: Tx, accountId: string, id: string, hash: string, now: string): Promise<void> {
  await tx('members').where({ account_id: accountId, id }).update({ password_hash: hash, updated_at: now });
}

export async function listMembers(tx: Tx, accountId: string, page: { limit: number; offset: number } = { limit: 1000, offset: 0 }): Promise<Member[]> {
  return (
    await tx('members')
      .where({ account_id: accountId })
      .whereRaw(NOT_REMOVED)
      .orderBy([{ column: 'created_at' }, { column: 'id' }])
      .limit(page.limit)
      .offset(page.offset)
  ).map(MEMBER.read);
}

export async function countMembers(tx: Tx, accountId: string): Promise<number> {
  const [{ n }] = (await tx('members').where({ account_id: accountId }).whereRaw(NOT_REMOVED).count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(n);
}

/** Recounts filled seats from scratch (repair path; the counter is normally kept exact). */
export async function recountSeats(tx: Tx, accountId: string): Promise<number> {
  const [{ n }] = (await tx('members').where({ account_id: accountId }).whereIn('state', ['invited', 'active']).count({ n: '*' })) as Array<{
    n: number | string;
  }>;
  workOf(tx)?.dropSeats(accountId);
  await tx('accounts')
    .where({ id: accountId })
    .update({ seats_filled: Number(n) });
  return Number(n);
}

// ---- The SCIM view: people SCIM provisioned or adopted, not removed ----

/**
 * Condition for the SCIM view, written exactly as the partial index members_scim_view's
 * predicate so SQLite can use that index.
 */
export function scimVisible(tx: Tx, alias = 'm'): string {
  const pg = isPg(tx);
  return `${alias}.scim_managed${pg ? '' : ' = 1'} and ${alias}.state <> 'removed'`;
}

export async function getScimMember(tx: Tx, accountId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<Member | undefined> {
  // FOR NO KEY UPDATE: excludes concurrent writers of the member just as FOR UPDATE, without
  // queueing the key-share locks of inserts that reference it (group memberships, invitations).
  const lock = opts.forUpdate && isPg(tx) ? ' for no key update' : '';
  return MEMBER.maybe(
    await first(tx, shape(`select ${MEMBER.columnList('m')} from members as m where m.account_id = ? and m.id = ? and ${scimVisible(tx)} limit 1${lock}`), [
      accountId,
      id,
    ]),
  );
}

export interface SqlCondition {
  sql: string;
  bindings: Array<string | number>;
}

export interface ViewQuery {
  where?: SqlCondition;
  /** Raw ORDER BY; the default is creation order. */
  orderBy?: string;
  offset: number;
  limit: number;
}

const pageKeys = new PageKeys();

/**
 * A page of the SCIM view plus the total matching, both computed in SQL, each shape a prepared
 * statement. A first page that is not full is the whole result (the usual `userName eq` lookup), so
 * it needs no count. A later page in creation order seeks from where the previous one ended when
 * nothing changed since (pageKeys.ts), and only counts again after a change.
 */
export async function queryScimMembers(tx: Tx, accountId: string, q: ViewQuery): Promise<{ total: number; rows: Member[] }> {
  const from = `from members as m where m.account_id = ? and ${scimVisible(tx)}${q.where ? ` and (${q.where.sql})` : ''}`;
  const bindings = [accountId, ...(q.where?.bindings ?? [])];
  const order = q.orderBy ? `${q.orderBy}, m.created_at asc, m.id asc` : 'm.created_at asc, m.id asc';
  const count = async () => Number((await first(tx, shape(`select count(*) as n ${from}`), bindings))!.n);
  const page = async () =>
    (await preparedRows(tx, shape(`select ${MEMBER.columnList('m')} ${from} order by ${order} limit ? offset ?`), [...bindings, q.limit, q.offset])).map(
      MEMBER.read,
    );
  if (q.limit <= 0) return { total: await count(), rows: [] };
  if (q.offset === 0) {
    // The first page reads no version: the usual `userName eq` lookup stays one statement.
    const rows = await page();
    return { total: rows.length < q.limit ? rows.length : await count(), rows };
  }
  // Seeks only in creation order, and not through group membership (its writes do not move the version).
  const key = !q.orderBy && !/idp_group/.test(q.where?.sql ?? '') ? `${accountId}\u0000${from}\u0000${JSON.stringify(bindings)}` : undefined;
  if (!key) {
    const total = await count();
    return { total, rows: q.offset >= total ? [] : await page() };
  }
  const known = pageKeys.lookup(key, q.offset);
  if (known?.total !== undefined && (known.anchor || q.offset >= known.total)) {
    const rows = q.offset >= known.total ? [] : await seek(tx, from, bindings, known.anchor!, q.limit);
    // Nothing changed since the key was remembered (nor while the page was read): OFFSET would answer the same.
    if ((await membersVersion(tx, accountId)) === known.version) {
      pageKeys.remember(key, known.version, { offset: q.offset, limit: q.limit, total: known.total, ids: rows.map((r) => r.id) });
      return { total: known.total, rows };
    }
    pageKeys.forget(key);
  }
  const before = await membersVersion(tx, accountId);
  const total = await count();
  const rows = q.offset >= total ? [] : await page();
  if ((await membersVersion(tx, accountId)) === before) pageKeys.remember(key, before, { offset: q.offset, limit: q.limit, total, ids: rows.map((r) => r.id) });
  return { total, rows };
}

/** The page that starts at (or right after) the anchor row, in creation order. */
async function seek(tx: Tx, from: string, bindings: unknown[], anchor: { id: string; inclusive: boolean }, limit: number): Promise<Member[]> {
  const cmp = anchor.inclusive ? '>=' : '>';
  const sql = `select ${MEMBER.columnList('m')} ${from} and (m.created_at, m.id) ${cmp} (select a.created_at, a.id from members as a where a.account_id = ? and a.id = ?) order by m.created_at asc, m.id asc limit ?`;
  return (await preparedRows(tx, shape(sql), [...bindings, bindings[0], anchor.id, limit])).map(MEMBER.read);
}

/** Which of ids are people in the account's SCIM view (e.g. to validate group members). */
export async function existingScimMemberIds(tx: Tx, accountId: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await tx('members as m')
      .where('m.account_id', accountId)
      .whereIn('m.id', ids.slice(i, i + 500))
      .whereRaw(scimVisible(tx))
      .select('m.id')) as Array<{ id: string }>;
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Writes a SCIM document and the columns derived from it, bumping the version. */
export async function setScimManaged(tx: Tx, accountId: string, id: string, managed: boolean, now: string): Promise<void> {
  await tx('members')
    .where({ account_id: accountId, id })
    .update({ scim_managed: managed, updated_at: now, version: tx.raw('version + 1') });
  await touch(tx, accountId);
}

/** Email and userName of the given people (for describing changes), looked up in chunks. */
export async function contactsOf(tx: Tx, accountId: string, ids: string[]): Promise<Map<string, { email: string | null; userName: string | null }>> {
  const out = new Map<string, { email: string | null; userName: string | null }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await tx('members')
      .where({ account_id: accountId })
      .whereIn('id', ids.slice(i, i + 500))
      .select('id', 'email', 'user_name')) as Array<{ id: string; email: string | null; user_name: string | null }>;
    for (const r of rows) out.set(r.id, { email: r.email, userName: r.user_name });
  }
  return out;
}

const MEMBER_STATE = shape('select state from members where account_id = ? and id = ? limit 1');

export async function memberState(tx: Tx, accountId: string, id: string): Promise<MemberState | undefined> {
  return (await first(tx, MEMBER_STATE, [accountId, id]))?.state as MemberState | undefined;
}

export async function touchSignIn(tx: Tx, accountId: string, id: string, now: string): Promise<void> {
  await tx('members').where({ account_id: accountId, id }).update({ last_signin_at: now });
}

/** Everyone who may sign in with this email (invited or active), MSP accounts first, oldest first. */
export async function signInCandidates(tx: Tx, email: string): Promise<Array<{ accountId: string; memberId: string }>> {
  const rows = (await tx('members as m')
    .join('accounts as a', 'a.id', 'm.account_id')
    .where('m.email_ci', email.trim().toLowerCase())
    .whereIn('m.state', ['invited', 'active'])
    .orderByRaw(`case when a.kind = 'msp' then 0 else 1 end`)
    .orderBy('m.created_at')
    .select('m.account_id', 'm.id')) as Array<{ account_id: string; id: string }>;
  return rows.map((r) => ({ accountId: r.account_id, memberId: r.id }));
}

/** Active people with a password under this email (optionally in one account), oldest first. */
export async function passwordCandidates(
  tx: Tx,
  email: string,
  accountId?: string,
): Promise<Array<{ accountId: string; memberId: string; passwordHash: string }>> {
  const rows = (await tx('members')
    .where('email_ci', email.trim().toLowerCase())
    .where('state', 'active')
    .whereNotNull('password_hash')
    .modify((q) => {
      if (accountId) q.andWhere('account_id', accountId);
    })
    .orderBy('created_at')
    .select('account_id', 'id', 'password_hash')) as Array<{ account_id: string; id: string; password_hash: string }>;
  return rows.map((r) => ({ accountId: r.account_id, memberId: r.id, passwordHash: r.password_hash }));
}

/** The person's own language setting, unless their IdP owns it (SCIM preferredLanguage). */
export async function setOwnLanguage(tx: Tx, accountId: string, id: string, lang: string): Promise<void> {
  await tx('members').where({ account_id: accountId, id, scim_managed: false }).update({ preferred_language: lang });
  await touch(tx, accountId);
}
