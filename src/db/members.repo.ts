// Queries for the people of one account; every query is scoped by account id.
import { isPg, type Tx } from './knex';
import { addFilledSeats } from './accounts.repo';
import { workOf } from './unitOfWork';
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

const MEMBER = rowCodec<Member>({
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

export async function insertMember(tx: Tx, m: NewMember): Promise<Member> {
  const row: Row = {
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
  await tx('members').insert(row);
  if (fillsSeat(m.state)) addFilledSeats(tx, m.accountId, 1);
  return MEMBER.read(row);
}

export async function getMember(tx: Tx, accountId: string, id: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, id }).whereRaw(NOT_REMOVED).first());
}

/** Also returns removed people (for reactivation and audit views). */
export async function getMemberAnyState(tx: Tx, accountId: string, id: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, id }).first());
}

export async function findMemberByUserName(tx: Tx, accountId: string, userName: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, user_name_ci: userName.toLowerCase() }).whereRaw(NOT_REMOVED).first());
}

export async function findMemberByEmail(tx: Tx, accountId: string, email: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, email_ci: email.toLowerCase() }).whereRaw(NOT_REMOVED).orderBy('created_at').first());
}

export async function findMemberByExternalId(tx: Tx, accountId: string, externalId: string): Promise<Member | undefined> {
  return MEMBER.maybe(await tx('members').where({ account_id: accountId, external_id: externalId }).whereRaw(NOT_REMOVED).first());
}

/** Updates profile fields and bumps the version (the SCIM ETag). */
export async function updateMemberProfile(tx: Tx, accountId: string, id: string, patch: Partial<NewMember>, now: string): Promise<void> {
  await tx('members')
    .where({ account_id: accountId, id })
    .update({ ...profileColumns(patch), updated_at: now, version: tx.raw('version + 1') });
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
  const q = tx('members as m').where({ 'm.account_id': accountId, 'm.id': id }).whereRaw(scimVisible(tx)).first('m.*');
  if (opts.forUpdate && isPg(tx)) q.forUpdate();
  const row = await q;
  return MEMBER.maybe(row);
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

/**
 * A page of the SCIM view plus the total matching, both computed in SQL. A first page that is
 * not full is the whole result (the usual `userName eq` lookup), so it needs no count.
 */
export async function queryScimMembers(tx: Tx, accountId: string, q: ViewQuery): Promise<{ total: number; rows: Member[] }> {
  const base = tx('members as m').where('m.account_id', accountId).whereRaw(scimVisible(tx));
  if (q.where) base.andWhereRaw(q.where.sql, q.where.bindings);
  const count = async () => Number(((await base.clone().count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
  const page = async () =>
    (
      await base
        .clone()
        .select('m.*')
        .orderByRaw(q.orderBy ? `${q.orderBy}, m.created_at asc, m.id asc` : 'm.created_at asc, m.id asc')
        .limit(q.limit)
        .offset(q.offset)
    ).map(MEMBER.read);
  if (q.limit <= 0) return { total: await count(), rows: [] };
  if (q.offset === 0) {
    const rows = await page();
    return { total: rows.length < q.limit ? rows.length : await count(), rows };
  }
  const total = await count();
  return { total, rows: q.offset >= total ? [] : await page() };
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

export async function memberState(tx: Tx, accountId: string, id: string): Promise<MemberState | undefined> {
  const m = (await tx('members').where({ account_id: accountId, id }).first('state')) as { state: MemberState } | undefined;
  return m?.state;
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
}
