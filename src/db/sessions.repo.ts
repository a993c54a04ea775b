// Console sessions, API tokens and launch sessions: credentials stored as hashes only.
import type { Tx } from './knex';
import { optIso, optText, rowCodec, text, time } from './codec';
import { first, shape } from './prepared';

export interface SessionRow {
  id: string;
  accountId: string;
  memberId: string;
  csrfToken: string;
  language: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

const SESSION = rowCodec<SessionRow>({
  id: text,
  accountId: text,
  memberId: text,
  csrfToken: text,
  language: optText,
  createdAt: time,
  expiresAt: time,
  revokedAt: optIso,
});

export async function insertSession(tx: Tx, s: SessionRow & { tokenHash: string }): Promise<void> {
  await tx('sessions').insert({ ...SESSION.write(s), token_hash: s.tokenHash });
}

export async function findSessionByHash(tx: Tx, tokenHash: string): Promise<SessionRow | undefined> {
  return SESSION.maybe(await tx('sessions').where({ token_hash: tokenHash }).first());
}

export async function revokeSessionRow(tx: Tx, accountId: string, id: string, now: string): Promise<void> {
  await tx('sessions').where({ account_id: accountId, id }).update({ revoked_at: now });
}

export async function setSessionLanguage(tx: Tx, accountId: string, id: string, language: string): Promise<void> {
  await tx('sessions').where({ account_id: accountId, id }).update({ language });
}

export interface ApiTokenRow {
  id: string;
  accountId: string;
  memberId: string;
  prefix: string;
  label: string | null;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const API_TOKEN = rowCodec<ApiTokenRow>({
  id: text,
  accountId: text,
  memberId: text,
  prefix: text,
  label: optText,
  createdBy: optText,
  createdAt: time,
  lastUsedAt: optIso,
  revokedAt: optIso,
});

export async function insertApiToken(tx: Tx, t: Omit<ApiTokenRow, 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<void> {
  await tx('api_tokens').insert({ ...API_TOKEN.write(t), token_hash: t.tokenHash });
}

// The token with its creator's member state: one statement for the check of every API request.
const API_TOKEN_BY_HASH = shape(
  `select ${API_TOKEN.columnList('t')}, t.token_hash, m.state as member_state from api_tokens as t
   left join members as m on m.account_id = t.account_id and m.id = t.member_id where t.token_hash = ? limit 1`,
);

export async function findApiTokenByHash(
  tx: Tx,
  tokenHash: string,
): Promise<(ApiTokenRow & { tokenHash: string; memberState: string | undefined }) | undefined> {
  const r = await first(tx, API_TOKEN_BY_HASH, [tokenHash]);
  return r ? { ...API_TOKEN.read(r), tokenHash: r.token_hash as string, memberState: (r.member_state as string | null) ?? undefined } : undefined;
}

export async function listApiTokens(tx: Tx, accountId: string): Promise<ApiTokenRow[]> {
  return (await tx('api_tokens').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(API_TOKEN.read);
}

export async function revokeApiTokenRow(tx: Tx, accountId: string, id: string, now: string): Promise<boolean> {
  return (await tx('api_tokens').where({ account_id: accountId, id }).whereNull('revoked_at').update({ revoked_at: now })) > 0;
}

export async function touchApiToken(tx: Tx, id: string, now: string): Promise<void> {
  await tx('api_tokens').where({ id }).update({ last_used_at: now });
}

export interface LaunchRow {
  id: string;
  accountId: string;
  mspId: string;
  memberId: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
}

const LAUNCH = rowCodec<LaunchRow>({
  id: text,
  accountId: text,
  mspId: text,
  memberId: text,
  reason: optText,
  createdAt: time,
  expiresAt: time,
  endedAt: optIso,
});

export async function insertLaunch(tx: Tx, l: LaunchRow & { tokenHash: string }): Promise<void> {
  await tx('launch_sessions').insert({ ...LAUNCH.write(l), token_hash: l.tokenHash });
}

export async function findLaunchByHash(tx: Tx, tokenHash: string): Promise<LaunchRow | undefined> {
  return LAUNCH.maybe(await tx('launch_sessions').where({ token_hash: tokenHash }).first());
}

export async function endLaunchRow(tx: Tx, mspId: string, id: string, memberId: string, now: string): Promise<boolean> {
  return (await tx('launch_sessions').where({ msp_id: mspId, id, member_id: memberId }).whereNull('ended_at').update({ ended_at: now })) > 0;
}

/**
 * Everything that lets a person act without signing in again: console sessions, API tokens and
 * open launches (as an MSP person). Revoked together when their credentials are reset.
 */
export async function revokeAllCredentialsOf(
  tx: Tx,
  accountId: string,
  memberId: string,
  now: string,
): Promise<{ sessions: number; apiTokens: number; launches: number }> {
  const sessions = await tx('sessions').where({ account_id: accountId, member_id: memberId }).whereNull('revoked_at').update({ revoked_at: now });
  const apiTokens = await tx('api_tokens').where({ account_id: accountId, member_id: memberId }).whereNull('revoked_at').update({ revoked_at: now });
  const launches = await tx('launch_sessions').where({ msp_id: accountId, member_id: memberId }).whereNull('ended_at').update({ ended_at: now });
  return { sessions, apiTokens, launches };
}

export async function apiTokenExists(tx: Tx, accountId: string, id: string): Promise<boolean> {
  return Boolean(await tx('api_tokens').where({ account_id: accountId, id }).first('id'));
}

/** The company a launch was into. */
export async function launchAccountId(tx: Tx, id: string): Promise<string | undefined> {
  const row = (await tx('launch_sessions').where({ id }).first('account_id')) as { account_id: string } | undefined;
  return row?.account_id;
}
