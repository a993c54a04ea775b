// Signing in to the console: OIDC (authorization code + PKCE, state and nonce checked by
// openid-client) against the configured issuer, or the one-time link `msp create` prints;
// the session lives in an HttpOnly, SameSite cookie.
import express, { type Request, type Response, Router } from 'express';
import * as oidc from 'openid-client';
import { endSession, type IssuedSession, SESSION_TTL_MS, signInWithLink, signInWithOidc, signInWithPassword } from '../domain/access';
import { isDomainError } from '../domain/errors';
import { system } from '../domain/principal';
import { SESSION_COOKIE, parseCookies, serializeCookie, sign, unsign } from '../http/cookies';
import { jsonBody } from '../http/jsonBody';
import { CredentialGuard, RateLimited } from '../http/rateLimit';
import { fromAcceptLanguage } from '../i18n';
import type { Runtime } from '../runtime';
import { html, page } from './html';
import { unitOfWork } from '../db/unitOfWork';

const OIDC_COOKIE = 'msb_oidc';
const OIDC_STATE_TTL_S = 600;

export function authRouter(rt: Runtime): Router {
  const r = Router();
  const secure = rt.config.publicUrl.startsWith('https:');
  const redirectUri = `${rt.config.publicUrl}/auth/oidc/callback`;
  let discovered: Promise<oidc.Configuration> | undefined;
  const guard = new CredentialGuard(rt, 'signin');

  const oidcConfig = (): Promise<oidc.Configuration> => {
    const o = rt.config.oidc!;
    discovered ??= oidc
      .discovery(new URL(o.issuer), o.clientId, o.clientSecret, undefined, o.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        discovered = undefined; // try discovery again next time
        throw err;
      });
    return discovered;
  };

  const setSession = (res: Response, s: IssuedSession) => {
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, s.token, { secure, maxAgeSeconds: Math.floor(SESSION_TTL_MS / 1000) }));
  };
  const asSystem = <T>(fn: (ctx: Parameters<typeof signInWithLink>[0]) => Promise<T>) =>
    unitOfWork(rt.db, (tx) => fn({ tx, actor: system('sign-in'), now: rt.now() }));
  const failure = (req: Request, res: Response, status: number, message: string) => {
    const lang = fromAcceptLanguage(req.get('accept-language'));
    res
      .status(status)
      .type('html')
      .send(
        page(
          lang,
          'Sign-in failed',
          html`<p class="error" role="alert">${message}</p>
            <p><a href="/">Back</a></p>`,
        ),
      );
  };

  r.get('/signin/:token', async (req, res) => {
    try {
      const s = await asSystem((ctx) => signInWithLink(ctx, String(req.params.token)));
      setSession(res, s);
      res.redirect(303, '/');
    } catch (err) {
      if (isDomainError(err)) return failure(req, res, err.kind === 'forbidden' ? 403 : 401, err.message);
      throw err;
    }
  });

  r.get('/auth/oidc/login', async (req, res) => {
    if (!rt.config.oidc) return failure(req, res, 404, 'No identity provider is configured; use your one-time sign-in link.');
    const config = await oidcConfig();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const account = typeof req.query.account === 'string' ? req.query.account.slice(0, 64) : undefined;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // The verifier, state and nonce wait in a signed, short-lived cookie for the callback.
    const payload = Buffer.from(JSON.stringify({ verifier, state, nonce, account, at: Date.now() })).toString('base64url');
    res.append('Set-Cookie', serializeCookie(OIDC_COOKIE, sign(rt.secret, payload), { secure, maxAgeSeconds: OIDC_STATE_TTL_S }));
    res.redirect(303, url.href);
  });

  r.get('/auth/oidc/callback', async (req, res) => {
    if (!rt.config.oidc) return failure(req, res, 404, 'No identity provider is configured.');
    res.append('Set-Cookie', serializeCookie(OIDC_COOKIE, '', { secure, maxAgeSeconds: 0 }));
    const raw = unsign(rt.secret, parseCookies(req.get('cookie'))[OIDC_COOKIE]);
    let pending: { verifier: string; state: string; nonce: string; account?: string; at: number } | undefined;
    try {
      pending = raw ? JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) : undefined;
    } catch {
      pending = undefined;
    }
    if (!pending || Date.now() - pending.at > OIDC_STATE_TTL_S * 1000)
      return failure(req, res, 400, 'The sign-in took too long or did not start here; try again.');
    let claims: { email?: string; email_verified?: boolean } | undefined;
    try {
      const config = await oidcConfig();
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, rt.config.publicUrl), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as typeof claims;
      // Many providers keep the ID token lean (OpenID Connect core §5.4): ask userinfo then.
      if (claims && !claims.email) {
        const sub = (tokens.claims() as { sub: string }).sub;
        const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
        claims = { email: info.email as string | undefined, email_verified: info.email_verified as boolean | undefined };
      }
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'OIDC callback refused');
      return failure(req, res, 400, 'The identity provider’s answer could not be verified; try signing in again.');
    }
    try {
      const s = await asSystem((ctx) => signInWithOidc(ctx, { email: claims?.email, emailVerified: claims?.email_verified }, pending!.account));
      setSession(res, s);
      res.redirect(303, '/');
    } catch (err) {
      if (isDomainError(err)) return failure(req, res, err.kind === 'forbidden' ? 403 : 401, err.message);
      throw err;
    }
  });

  // Password sign-in (the password set when accepting an invitation), rate-limited per client.
  r.post('/auth/signin', jsonBody('8kb'), express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const email = String(req.body?.email ?? '');
    const password = String(req.body?.password ?? '');
    const accountId = typeof req.body?.accountId === 'string' ? req.body.accountId : undefined;
    try {
      const s = await guard.run(req.ip ?? 'unknown', () => asSystem((ctx) => signInWithPassword(ctx, { email, password, accountId })));
      setSession(res, s);
      if (req.accepts(['html', 'json']) === 'json' || req.is('application/json'))
        res.json({ signedIn: true, csrfToken: s.csrfToken, accountId: s.accountId, memberId: s.memberId });
      else res.redirect(303, '/');
    } catch (err) {
      if (err instanceof RateLimited) {
        res.setHeader('Retry-After', String(err.retryAfterS));
        return res.status(429).json({ error: { code: 'rate_limited', message: 'Too many failed sign-ins; wait before retrying.' } });
      }
      if (isDomainError(err) && err.kind === 'unauthenticated') return res.status(401).json({ error: { code: err.code, message: err.message } });
      throw err;
    }
  });

  r.post('/auth/logout', async (req, res) => {
    const token = parseCookies(req.get('cookie'))[SESSION_COOKIE];
    if (token) await asSystem((ctx) => endSession(ctx, token));
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { secure, maxAgeSeconds: 0 }));
    if (req.accepts(['html', 'json']) === 'json') res.json({ signedOut: true });
    else res.redirect(303, '/');
  });
  return r;
}
