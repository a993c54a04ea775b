// Console sessions, API tokens and launch sessions: credentials stored as hashes only.
import type { Tx } from './knex';
import { optIso } from './codec';

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

const toSession = (r: Record<string, unknown>): SessionRow => ({
  id: r.id as string,
  accountId: r.account_id as string,
  memberId: r.member_id as string,
  csrfToken: r.csrf_token as string,
  language: (r.language as string | null) ?? null,
  createdAt: String(r.created_at),
  expiresAt: String(r.expires_at),
  revokedAt: optIso(r.revoked_at),
});

export async function insertSession(tx: Tx, s: SessionRow & { tokenHash: string }): Promise<void> {
  await tx('sessions').insert({
    id: s.id,
    account_id: s.accountId,
    member_id: s.memberId,
    token_hash: s.tokenHash,
    csrf_token: s.csrfToken,
    language: s.language,
    created_at: s.createdAt,
    expires_at: s.expiresAt,
  });
}

export async function findSessionByHash(tx: Tx, tokenHash: string): Promise<SessionRow | undefined> {
  const r = await tx('sessions').where({ token_hash: tokenHash }).first();
  return r ? toSession(r) : undefined;
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

const toApiToken = (r: Record<string, unknown>): ApiTokenRow => ({
  id: r.id as string,
  accountId: r.account_id as string,
  memberId: r.member_id as string,
  prefix: r.prefix as string,
  label: (r.label as string | null) ?? null,
  createdBy: (r.created_by as string | null) ?? null,
  createdAt: String(r.created_at),
  lastUsedAt: optIso(r.last_used_at),
  revokedAt: optIso(r.revoked_at),
});

export async function insertApiToken(tx: Tx, t: Omit<ApiTokenRow, 'lastUsedAt' | 'revokedAt'> & { tokenHash: string }): Promise<void> {
  await tx('api_tokens').insert({
    id: t.id,
    account_id: t.accountId,
    member_id: t.memberId,
    token_hash: t.tokenHash,
    prefix: t.prefix,
    label: t.label,
    created_by: t.createdBy,
    created_at: t.createdAt,
  });
}

export async function findApiTokenByHash(tx: Tx, tokenHash: string): Promise<(ApiTokenRow & { tokenHash: string }) | undefined> {
  const r = await tx('api_tokens').where({ token_hash: tokenHash }).first();
  return r ? { ...toApiToken(r), tokenHash: r.token_hash as string } : undefined;
}

export async function listApiTokens(tx: Tx, accountId: string): Promise<ApiTokenRow[]> {
  return (await tx('api_tokens').where({ account_id: accountId }).orderBy('created_at', 'desc')).map(toApiToken);
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

const toLaunch = (r: Record<string, unknown>): LaunchRow => ({
  id: r.id as string,
  accountId: r.account_id as string,
  mspId: r.msp_id as string,
  memberId: r.member_id as string,
  reason: (r.reason as string | null) ?? null,
  createdAt: String(r.created_at),
  expiresAt: String(r.expires_at),
  endedAt: optIso(r.ended_at),
});

export async function insertLaunch(tx: Tx, l: LaunchRow & { tokenHash: string }): Promise<void> {
  await tx('launch_sessions').insert({
    id: l.id,
    account_id: l.accountId,
    msp_id: l.mspId,
    member_id: l.memberId,
    token_hash: l.tokenHash,
    reason: l.reason,
    created_at: l.createdAt,
    expires_at: l.expiresAt,
  });
}

export async function findLaunchByHash(tx: Tx, tokenHash: string): Promise<LaunchRow | undefined> {
  const r = await tx('launch_sessions').where({ token_hash: tokenHash }).first();
  return r ? toLaunch(r) : undefined;
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
