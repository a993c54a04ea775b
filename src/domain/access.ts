// Signing in and acting: console sessions (OIDC or a one-time link), API tokens for automation,
// and launch sessions through which a technician acts inside one managed company.
import { getAccount } from '../db/accounts.repo';
import { newId } from '../db/codec';
import type { Tx } from '../db/knex';
import { getMemberAnyState, passwordCandidates, setMemberState, signInCandidates, touchSignIn, type Member } from '../db/members.repo';
import {
  type ApiTokenRow,
  apiTokenExists,
  launchAccountId,
  endLaunchRow,
  findApiTokenByHash,
  findLaunchByHash,
  findSessionByHash,
  insertApiToken,
  insertLaunch,
  insertSession,
  listApiTokens,
  revokeApiTokenRow,
  revokeSessionRow,
  touchApiToken,
  type SessionRow,
} from '../db/sessions.repo';
import { findSigninLinkByHash, useSigninLink } from '../db/signin.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Forbidden, Invalid, NotFound, Unauthenticated } from './errors';
import { personOf, type Principal } from './principal';
import { authorize, authorizeCompany, companyStates, permits } from './policy';
import { isActing, isActingState, rolesOf } from './roles';
import { hashSecret, issueSecret, sameHash, verifyPassword } from './secrets';
import { auditMspOf, requireAccount } from './tenancy';

export const SESSION_TTL_MS = 12 * 3600 * 1000;
export const LAUNCH_TTL_MS = 60 * 60 * 1000;

export interface IssuedSession {
  token: string;
  csrfToken: string;
  expiresAt: string;
  accountId: string;
  memberId: string;
}

/** A console session for a person; their first sign-in also accepts an open invitation. */
export async function startSession(ctx: Ctx, member: Member, via: string): Promise<IssuedSession> {
  if (member.state !== 'active' && member.state !== 'invited') throw new Forbidden('signin.suspended', 'This account is suspended.');
  const now = nowIso(ctx);
  if (member.state === 'invited') await setMemberState(ctx.tx, member, 'active', now);
  const secret = issueSecret('msb_sess');
  const csrf = issueSecret('csrf');
  const expiresAt = new Date(ctx.now.getTime() + SESSION_TTL_MS).toISOString();
  await insertSession(ctx.tx, {
    id: newId(),
    accountId: member.accountId,
    memberId: member.id,
    tokenHash: secret.hash,
    csrfToken: csrf.value,
    language: null,
    createdAt: now,
    expiresAt,
    revokedAt: null,
  });
  await touchSignIn(ctx.tx, member.accountId, member.id, now);
  const account = await requireAccount(ctx, member.accountId);
  await recordAudit(
    { ...ctx, actor: { kind: 'member', accountId: member.accountId, memberId: member.id, label: member.email ?? member.userName } },
    { accountId: account.id, mspId: auditMspOf(account), action: 'signin', target: { type: 'member', id: member.id }, data: { via } },
  );
  return { token: secret.value, csrfToken: csrf.value, expiresAt, accountId: member.accountId, memberId: member.id };
}

/** The one-time sign-in link `msp create` prints (when no OIDC issuer is configured). */
export async function signInWithLink(ctx: Ctx, token: string): Promise<IssuedSession> {
  const link = await findSigninLinkByHash(ctx.tx, hashSecret(token));
  if (!link || link.usedAt || link.expiresAt <= nowIso(ctx)) throw new Unauthenticated('signin.link.invalid', 'This sign-in link is not valid any more.');
  if (!(await useSigninLink(ctx.tx, link.accountId, link.id, nowIso(ctx))))
    throw new Unauthenticated('signin.link.invalid', 'This sign-in link is not valid any more.');
  const member = await getMemberAnyState(ctx.tx, link.accountId, link.memberId);
  if (!member) throw new Unauthenticated('signin.link.invalid', 'This sign-in link is not valid any more.');
  return startSession(ctx, member, 'link');
}

/**
 * Sign-in through the configured OIDC issuer: the verified email names the person. Someone in
 * several accounts picks one with `accountHint`; MSP accounts come first otherwise.
 */
export async function signInWithOidc(ctx: Ctx, claims: { email?: string; emailVerified?: boolean }, accountHint?: string): Promise<IssuedSession> {
  if (!claims.email || claims.emailVerified === false)
    throw new Unauthenticated('signin.oidc.email', 'The identity provider did not give a verified email address.');
  const rows = await signInCandidates(ctx.tx, claims.email);
  const pick = accountHint ? rows.find((r) => r.accountId === accountHint) : rows[0];
  if (!pick) throw new Forbidden('signin.oidc.unknown', `${claims.email} is not a member of ${accountHint ? 'that account' : 'any account'} here.`);
  const member = (await getMemberAnyState(ctx.tx, pick.accountId, pick.memberId))!;
  return startSession(ctx, member, 'oidc');
}

export interface ActiveSession {
  session: SessionRow;
  principal: Principal;
}

/** The session behind a cookie, if it is valid and its person may still act. */
export async function sessionFor(tx: Tx, token: string, now: Date): Promise<ActiveSession | undefined> {
  const session = await findSessionByHash(tx, hashSecret(token));
  if (!session || session.revokedAt || session.expiresAt <= now.toISOString()) return undefined;
  if (!(await isActing(tx, session.accountId, session.memberId))) return undefined;
  const member = await getMemberAnyState(tx, session.accountId, session.memberId);
  return {
    session,
    principal: { kind: 'member', accountId: session.accountId, memberId: session.memberId, label: member?.email ?? member?.userName ?? 'member' },
  };
}

export async function endSession(ctx: Ctx, token: string): Promise<void> {
  const session = await findSessionByHash(ctx.tx, hashSecret(token));
  if (session) await revokeSessionRow(ctx.tx, session.accountId, session.id, nowIso(ctx));
}

/**
 * Sign-in with the password set when accepting an invitation. The answer does not tell a wrong
 * password from an unknown person; the adapter rate-limits failures.
 */
export async function signInWithPassword(ctx: Ctx, input: { email: string; password: string; accountId?: string }): Promise<IssuedSession> {
  const rows = await passwordCandidates(ctx.tx, input.email, input.accountId);
  for (const r of rows) {
    if (await verifyPassword(input.password, r.passwordHash)) {
      return startSession(ctx, (await getMemberAnyState(ctx.tx, r.accountId, r.memberId))!, 'password');
    }
  }
  // Spend the same time whether or not the person exists.
  if (!rows.length) await verifyPassword(input.password, DUMMY_HASH);
  throw new Unauthenticated('signin.password.invalid', 'Wrong email or password.');
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

// ---- API tokens ----

export async function createApiToken(ctx: Ctx, input: { mspId: string; label?: string }): Promise<{ id: string; token: string; prefix: string }> {
  await authorize(ctx, 'api_tokens.manage', input.mspId);
  const person = personOf(ctx.actor);
  if (!person) throw new Invalid('api_token.person', 'An API token acts for a person: create it signed in.');
  const secret = issueSecret('msb_api');
  const id = newId();
  await insertApiToken(ctx.tx, {
    id,
    accountId: input.mspId,
    memberId: person.memberId,
    tokenHash: secret.hash,
    prefix: secret.prefix,
    label: input.label ?? null,
    createdBy: ctx.actor.label,
    createdAt: nowIso(ctx),
  });
  await recordAudit(ctx, {
    accountId: input.mspId,
    mspId: input.mspId,
    action: 'api_token.created',
    target: { type: 'api_token', id },
    data: { label: input.label ?? null },
  });
  return { id, token: secret.value, prefix: secret.prefix };
}

export async function listTokensOfMsp(ctx: Ctx, mspId: string): Promise<ApiTokenRow[]> {
  await authorize(ctx, 'api_tokens.manage', mspId);
  return listApiTokens(ctx.tx, mspId);
}

export async function revokeApiToken(ctx: Ctx, input: { mspId: string; tokenId: string }): Promise<void> {
  await authorize(ctx, 'api_tokens.manage', input.mspId);
  if (!(await revokeApiTokenRow(ctx.tx, input.mspId, input.tokenId, nowIso(ctx)))) {
    if (!(await apiTokenExists(ctx.tx, input.mspId, input.tokenId))) throw new NotFound('api_token.not_found', 'No such API token.');
    return;
  }
  await recordAudit(ctx, { accountId: input.mspId, mspId: input.mspId, action: 'api_token.revoked', target: { type: 'api_token', id: input.tokenId } });
}

/** The principal of an API token: its creator, acting with their current roles. */
export async function authenticateApiToken(tx: Tx, presented: string, now: Date): Promise<Principal> {
  const hash = hashSecret(presented);
  const token = await findApiTokenByHash(tx, hash);
  if (!token || !sameHash(token.tokenHash, hash) || token.revokedAt) throw new Unauthenticated('api_token.invalid', 'The API token is not valid.');
  if (!isActingState(token.memberState)) throw new Unauthenticated('api_token.invalid', 'The API token is not valid.');
  if (!token.lastUsedAt || now.getTime() - Date.parse(token.lastUsedAt) > 60_000) await touchApiToken(tx, token.id, now.toISOString());
  return { kind: 'api_token', accountId: token.accountId, tokenId: token.id, memberId: token.memberId, label: `api:${token.prefix}` };
}

// ---- launch ----

export interface Launch {
  launchId: string;
  token: string;
  companyId: string;
  expiresAt: string;
}

/** A technician (or Owner/Administrator) of the MSP opens an audited, time-boxed session in a company it manages. */
export async function launchCompany(ctx: Ctx, input: { mspId: string; companyId: string; reason?: string }): Promise<Launch> {
  await authorizeCompany(ctx, 'company.launch', input.mspId, input.companyId);
  const person = personOf(ctx.actor);
  if (!person) throw new Invalid('launch.person', 'A launch is made by a person of the MSP.');
  const company = await getAccount(ctx.tx, input.companyId);
  if (!company || company.kind !== 'company' || company.mspId !== input.mspId) throw new NotFound('company.not_found', 'No such company.');
  if (company.status === 'pending_link') throw new Forbidden('launch.pending_link', 'The company has not approved the link yet.');
  const secret = issueSecret('msb_launch');
  const id = newId();
  const expiresAt = new Date(ctx.now.getTime() + LAUNCH_TTL_MS).toISOString();
  await insertLaunch(ctx.tx, {
    id,
    accountId: company.id,
    mspId: input.mspId,
    memberId: person.memberId,
    tokenHash: secret.hash,
    reason: input.reason ?? null,
    createdAt: nowIso(ctx),
    expiresAt,
    endedAt: null,
  });
  await recordAudit(ctx, {
    accountId: company.id,
    mspId: input.mspId,
    action: 'company.launched',
    target: { type: 'launch', id },
    data: { reason: input.reason ?? null, expiresAt },
  });
  return { launchId: id, token: secret.value, companyId: company.id, expiresAt };
}

/**
 * The technician principal for a request into `companyId`: the launch token must be open, for
 * this company, made by this person, who must still be MSP staff of the managing MSP.
 */
export async function technicianFor(
  tx: Tx,
  input: { launchToken: string; person: { accountId: string; memberId: string }; companyId: string; now: Date },
): Promise<Principal | undefined> {
  const launch = await findLaunchByHash(tx, hashSecret(input.launchToken));
  if (!launch || launch.endedAt || launch.expiresAt <= input.now.toISOString()) return undefined;
  if (launch.accountId !== input.companyId || launch.memberId !== input.person.memberId || launch.mspId !== input.person.accountId) return undefined;
  const company = await getAccount(tx, input.companyId);
  if (!company || company.mspId !== launch.mspId) return undefined;
  const member = await getMemberAnyState(tx, launch.mspId, launch.memberId);
  // Still allowed to launch into it now (a role taken away ends every open launch at once).
  const asPerson: Principal = { kind: 'member', accountId: launch.mspId, memberId: launch.memberId, label: member?.email ?? 'technician' };
  const asCtx = { tx, actor: asPerson, now: input.now };
  const msp = await getAccount(tx, launch.mspId);
  if (!msp || !(await permits(asCtx, 'company.launch', msp, await companyStates(asCtx, msp, company.id)))) return undefined;
  return {
    kind: 'technician',
    accountId: company.id,
    mspId: launch.mspId,
    memberId: launch.memberId,
    launchId: launch.id,
    label: member?.email ?? 'technician',
  };
}

export async function endLaunch(ctx: Ctx, input: { mspId: string; launchId: string }): Promise<void> {
  await authorize(ctx, 'launch.end', input.mspId);
  const person = personOf(ctx.actor);
  if (!person || person.accountId !== input.mspId) throw new NotFound('launch.not_found', 'No such launch.');
  if (!(await endLaunchRow(ctx.tx, input.mspId, input.launchId, person.memberId, nowIso(ctx)))) throw new NotFound('launch.not_found', 'No such open launch.');
  const companyId = (await launchAccountId(ctx.tx, input.launchId))!;
  await recordAudit(ctx, { accountId: companyId, mspId: input.mspId, action: 'company.launch_ended', target: { type: 'launch', id: input.launchId } });
}

/** A person of an account as a principal (the operator creating an API token in their name). */
export async function memberPrincipal(tx: Tx, accountId: string, memberId: string, via: string): Promise<Principal> {
  const m = await getMemberAnyState(tx, accountId, memberId);
  if (!m) throw new NotFound('member.not_found', 'No such member in that account.');
  return { kind: 'member', accountId, memberId: m.id, label: `${m.email ?? m.userName} (via ${via})` };
}

export interface WhoAmI {
  accountId: string;
  accountKind: 'msp' | 'company';
  accountName: string;
  memberId: string;
  email: string | null;
  roles: string[];
  via: 'api_token' | 'session';
}

/** The signed-in person (or API token): account, roles (what the console shows first). */
export async function whoAmI(ctx: Ctx): Promise<WhoAmI> {
  const person = personOf(ctx.actor);
  if (!person) throw new Forbidden('forbidden', 'Not for this credential.');
  const account = await authorize(ctx, 'account.read', person.accountId);
  const member = await getMemberAnyState(ctx.tx, person.accountId, person.memberId);
  const roles = [...(await rolesOf(ctx.tx, person.accountId, person.memberId))].filter((r) => r !== 'member');
  return {
    accountId: account.id,
    accountKind: account.kind,
    accountName: account.name,
    memberId: person.memberId,
    email: member?.email ?? null,
    roles,
    via: ctx.actor.kind === 'api_token' ? 'api_token' : 'session',
  };
}

export interface OwnProfile {
  name: string | null;
  email: string | null;
  hasPassword: boolean;
  language: string | null;
}

/** What the signed-in person sees of themself (name, email, whether a password is set, language). */
export async function ownProfile(ctx: Ctx): Promise<OwnProfile> {
  const person = personOf(ctx.actor);
  if (!person) throw new Forbidden('forbidden', 'Not for this credential.');
  await authorize(ctx, 'account.read', person.accountId);
  const m = await getMemberAnyState(ctx.tx, person.accountId, person.memberId);
  const name = m?.displayName ?? ([m?.givenName, m?.familyName].filter(Boolean).join(' ') || null);
  return { name, email: m?.email ?? null, hasPassword: Boolean(m?.passwordHash), language: m?.preferredLanguage ?? null };
}
