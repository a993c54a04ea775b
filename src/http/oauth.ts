// The OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4): short-lived, signed access
// tokens scoped to one account and to SCIM, verified by the SCIM authenticator.
import crypto from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { authenticateOAuthClient } from '../domain/oauthClients';
import { isDomainError } from '../domain/errors';
import type { Runtime } from '../runtime';
import { RateLimiter } from './rateLimit';

export const ACCESS_TOKEN_TTL_S = 3600;
export const SCIM_SCOPE = 'scim';

/** The HMAC key for access tokens, derived from the deployment secret (shared by every process). */
export function tokenKey(secret: Buffer): Uint8Array {
  return new Uint8Array(crypto.createHmac('sha256', secret).update('mspbridge oauth access tokens v1').digest());
}

export interface AccessTokenClaims {
  accountId: string;
  clientId: string;
}

export const issuerOf = (publicUrl: string) => publicUrl;
export const audienceOf = (publicUrl: string) => `${publicUrl}/scim/v2`;

export async function issueAccessToken(rt: Runtime, c: AccessTokenClaims): Promise<string> {
  const now = Math.floor(rt.now().getTime() / 1000);
  return new SignJWT({ acc: c.accountId, scope: SCIM_SCOPE })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(issuerOf(rt.config.publicUrl))
    .setAudience(audienceOf(rt.config.publicUrl))
    .setSubject(c.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_S)
    .setJti(crypto.randomUUID())
    .sign(tokenKey(rt.secret));
}

/** Verifies signature (HS256 only), issuer, audience, expiry and scope; undefined when any fails. */
export async function verifyAccessToken(rt: Runtime, token: string): Promise<AccessTokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, tokenKey(rt.secret), {
      algorithms: ['HS256'],
      issuer: issuerOf(rt.config.publicUrl),
      audience: audienceOf(rt.config.publicUrl),
      currentDate: rt.now(),
      typ: 'at+jwt',
    });
    if (payload.scope !== SCIM_SCOPE || typeof payload.acc !== 'string' || typeof payload.sub !== 'string') return undefined;
    return { accountId: payload.acc, clientId: payload.sub };
  } catch {
    return undefined;
  }
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="mspbridge-oauth"');
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({ error, error_description: description });
}

/** Client credentials from HTTP Basic (preferred by RFC 6749 §2.3.1) or the form body. */
function credentials(req: Request): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (basic) {
    const [id, ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(rest.join(':')) };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  return { id: typeof body.client_id === 'string' ? body.client_id : undefined, secret: typeof body.client_secret === 'string' ? body.client_secret : undefined };
}

export function oauthRouter(rt: Runtime): Router {
  const r = Router();
  const failures = new RateLimiter(rt.config.scim.authFailuresPerMinute / 60, rt.config.scim.authFailuresPerMinute);
  r.post('/oauth/token', express.urlencoded({ extended: false, limit: '8kb' }), express.json({ limit: '8kb' }), async (req, res) => {
    const client = req.ip ?? 'unknown';
    const wait = failures.peek(client);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      return oauthError(res, 429, 'slow_down', 'Too many failed attempts.');
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    const scope = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [];
    if (scope.some((s) => s !== SCIM_SCOPE)) return oauthError(res, 400, 'invalid_scope', 'The only scope is "scim".');
    const { id, secret } = credentials(req);
    if (!id || !secret) return oauthError(res, 401, 'invalid_client', 'Send client_id and client_secret (HTTP Basic or form).');
    try {
      const c = await rt.db.transaction((tx) => authenticateOAuthClient(tx, id, secret, rt.now()));
      const token = await issueAccessToken(rt, { accountId: c.accountId, clientId: c.clientId });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: SCIM_SCOPE });
    } catch (err) {
      if (isDomainError(err) && err.kind === 'unauthenticated') {
        failures.take(client);
        return oauthError(res, 401, 'invalid_client', err.message);
      }
      throw err;
    }
  });
  return r;
}
