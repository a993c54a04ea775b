// The OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4): short-lived, signed access
// tokens scoped to one account and to SCIM, verified by the SCIM authenticator.
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { authenticateOAuthClient } from '../domain/oauthClients';
import { isDomainError } from '../domain/errors';
import type { Runtime } from '../runtime';
import { clientErrorOf } from './clientError';
import { jsonBody } from './jsonBody';
import { CredentialGuard, RateLimited } from './rateLimit';
import { unitOfWork } from '../db/unitOfWork';

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
export async function verifyAccessToken(rt: Runtime, token: string): Promise<(AccessTokenClaims & { expiresAt: number }) | undefined> {
  try {
    const { payload } = await jwtVerify(token, tokenKey(rt.secret), {
      algorithms: ['HS256'],
      issuer: issuerOf(rt.config.publicUrl),
      audience: audienceOf(rt.config.publicUrl),
      currentDate: rt.now(),
      typ: 'at+jwt',
    });
    if (payload.scope !== SCIM_SCOPE || typeof payload.acc !== 'string' || typeof payload.sub !== 'string') return undefined;
    return { accountId: payload.acc, clientId: payload.sub, expiresAt: (payload.exp ?? 0) * 1000 };
  } catch {
    return undefined;
  }
}

function oauthError(res: Response, status: number, error: string, description: string, headers: Record<string, string> = {}): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="mspbridge-oauth"');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json({ error, error_description: description });
}

/** A request RFC 6749 §5.2 calls malformed: answered 400 invalid_request. */
class InvalidRequest extends Error {}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Form-decoding of a Basic credential half (RFC 6749 §2.3.1: application/x-www-form-urlencoded). */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequest('The client credentials in the Authorization header are not valid percent-encoding.');
  }
}

/** Client credentials from HTTP Basic (preferred by RFC 6749 §2.3.1) or the form body; throws InvalidRequest when malformed. */
function credentials(req: Request): { id?: string; secret?: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const header = req.get('authorization');
  if (header !== undefined && /^Basic(\s|$)/i.test(header)) {
    const encoded = /^Basic\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!encoded || !BASE64.test(encoded) || encoded.length % 4 !== 0)
      throw new InvalidRequest('The Authorization header is not valid HTTP Basic (base64 of "client_id:client_secret").');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidRequest('HTTP Basic credentials must be "client_id:client_secret".');
    // Two ways of authenticating at once is malformed (RFC 6749 §5.2), not a choice for us to make.
    if (body.client_secret !== undefined) throw new InvalidRequest('Send the client secret once: in HTTP Basic or in the form, not both.');
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }
  return {
    id: typeof body.client_id === 'string' ? body.client_id : undefined,
    secret: typeof body.client_secret === 'string' ? body.client_secret : undefined,
  };
}

export function oauthRouter(rt: Runtime): Router {
  const r = Router();
  const guard = new CredentialGuard(rt, 'oauth');
  r.post('/oauth/token', express.urlencoded({ extended: false, limit: '8kb' }), jsonBody('8kb'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    const scope = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [];
    if (scope.some((s) => s !== SCIM_SCOPE)) return oauthError(res, 400, 'invalid_scope', 'The only scope is "scim".');
    let id: string | undefined;
    let secret: string | undefined;
    try {
      ({ id, secret } = credentials(req));
    } catch (err) {
      if (err instanceof InvalidRequest) return oauthError(res, 400, 'invalid_request', err.message);
      throw err;
    }
    if (!id || !secret) return oauthError(res, 401, 'invalid_client', 'Send client_id and client_secret (HTTP Basic or form).');
    try {
      const c = await guard.run(req.ip ?? 'unknown', () => unitOfWork(rt.db, (tx) => authenticateOAuthClient(tx, id, secret, rt.now())));
      const token = await issueAccessToken(rt, { accountId: c.accountId, clientId: c.clientId });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, scope: SCIM_SCOPE });
    } catch (err) {
      // OAuth clients read "error" as a string (RFC 6749 §5.2), so the 429 keeps that shape too.
      if (err instanceof RateLimited) return oauthError(res, 429, 'slow_down', err.message, { 'Retry-After': String(err.retryAfterS) });
      if (isDomainError(err) && err.kind === 'unauthenticated') return oauthError(res, 401, 'invalid_client', err.message);
      throw err;
    }
  });
  // Unreadable bodies (bad JSON, too large, wrong charset) are malformed requests to an OAuth client.
  r.use('/oauth', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const client = clientErrorOf(err);
    if (!client) return next(err);
    oauthError(res, client.status, 'invalid_request', client.message);
  });
  return r;
}
