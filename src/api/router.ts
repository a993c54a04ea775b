// /api/v1: authentication (API token or console session with CSRF), the policy check of each
// route (dispatch.ts), input validation (zod), one transaction per request, JSON problems, CSV and OpenAPI.
import { type NextFunction, type Request, type Response, Router } from 'express';
import { authenticateApiToken, sessionFor } from '../domain/access';
import type { Principal } from '../domain/principal';
import { SESSION_COOKIE, parseCookies, safeEqual } from '../http/cookies';
import { jsonBody } from '../http/jsonBody';
import { CredentialGuard, RateLimited } from '../http/rateLimit';
import { sameOriginOnly } from '../http/sameOrigin';
import { errorMessage, fromAcceptLanguage } from '../i18n';
import type { Runtime } from '../runtime';
import { HttpProblem, toProblem } from './errors';
import { openApiDocument } from './openapi';
import { runRoute } from './dispatch';
import type { RouteDef } from './route';
import { accountRoutes } from './routes/accounts';
import { provisioningRoutes } from './routes/provisioning';
import { vaultRoutes } from './routes/vaults';
import { consoleRoutes } from './routes/console';
import { meRoutes } from './routes/me';
import { mspRoutes } from './routes/msp';
import { seatsAndScopeRoutes } from './routes/seatsAndScope';
import { insightRoutes } from './routes/insight';
import { notificationRoutes } from './routes/notifications';
import { unitOfWork } from '../db/unitOfWork';

export const ROUTES: RouteDef[] = [
  ...meRoutes,
  ...mspRoutes,
  ...seatsAndScopeRoutes,
  ...insightRoutes,
  ...notificationRoutes,
  ...accountRoutes,
  ...vaultRoutes,
  ...provisioningRoutes,
  ...consoleRoutes,
];

interface Identity {
  principal: Principal;
  /** Present for console sessions: the CSRF token unsafe requests must echo. */
  csrf?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: Identity;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const bearerOf = (req: Request): string | undefined => /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];

/** Who is calling: an API token (Authorization: Bearer msb_api_…) or a console session cookie. */
export async function identify(rt: Runtime, req: Request): Promise<Identity | undefined> {
  const bearer = bearerOf(req);
  if (bearer) return { principal: await authenticateApiToken(rt.db, bearer, rt.now()) };
  const cookie = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  if (!cookie) return undefined;
  const s = await sessionFor(rt.db, cookie, rt.now());
  return s ? { principal: s.principal, csrf: s.session.csrfToken } : undefined;
}

export function apiRouter(rt: Runtime): Router {
  const router = Router();
  const guard = new CredentialGuard(rt, 'api');

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(ROUTES, rt.config.publicUrl));
  });

  // A session cookie rides along on any request a browser sends: only this deployment's pages
  // may use it to change things. An Authorization header is never sent by a third-party page.
  router.use(sameOriginOnly(rt.config.publicUrl, { exempt: (req) => bearerOf(req) !== undefined }));

  // Authentication comes before the body is read: an anonymous caller costs no parsing at all.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      // An API token can only be guessed by trying it: each try takes a point of the client's budget first.
      const bearer = bearerOf(req);
      req.identity = bearer ? await guard.run(req.ip ?? 'unknown', () => identify(rt, req), bearer) : await identify(rt, req);
    } catch (err) {
      if (err instanceof RateLimited) return sendProblem(res, new HttpProblem(429, 'rate_limited', err.message, { 'Retry-After': String(err.retryAfterS) }));
      return sendProblem(res, toProblem(err, req.log));
    }
    if (!req.identity) {
      return sendProblem(
        res,
        new HttpProblem(401, 'unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>".', {
          'WWW-Authenticate': 'Bearer realm="mspbridge-api"',
        }),
      );
    }
    // A console session must prove the request came from the console (double-submit token).
    if (req.identity.csrf && UNSAFE.has(req.method)) {
      const sent = req.get('x-csrf-token');
      if (!sent || !safeEqual(sent, req.identity.csrf)) return sendProblem(res, new HttpProblem(403, 'csrf', 'The request is missing its CSRF token.'));
    }
    next();
  });
  router.use(jsonBody('2mb'));

  // The console reads its CSRF token here (it is not a secret from the page itself).
  router.get('/session', (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ csrfToken: req.identity?.csrf ?? null, principal: req.identity?.principal.kind });
  });

  for (const def of ROUTES) {
    router[def.method](def.path, async (req: Request, res: Response) => {
      try {
        const identity = req.identity!;
        const result = await unitOfWork(rt.db, (tx) =>
          runRoute(rt, tx, def, identity.principal, {
            params: req.params as Record<string, string>,
            body: req.body,
            query: req.query,
            launchToken: req.get('x-launch-token'),
          }),
        );
        if (def.html && req.query.format === 'html') {
          // A printable page rendered from data (every value escaped); nothing on it runs.
          res
            .status(def.status ?? 200)
            .type('text/html; charset=utf-8')
            .setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
          res.send(def.html(result));
          return;
        }
        if (def.csv && (req.query.format === 'csv' || (req.accepts(['json', 'text/csv']) === 'text/csv' && req.query.format !== 'json'))) {
          res
            .status(def.status ?? 200)
            .type('text/csv; charset=utf-8')
            .setHeader('Content-Disposition', `attachment; filename="${def.csvName ?? 'audit.csv'}"`);
          res.send(def.csv(result));
          return;
        }
        if (result === undefined) res.status(def.status === 204 ? 204 : (def.status ?? 200)).end();
        else res.status(def.status ?? 200).json(result);
      } catch (err) {
        sendProblem(res, toProblem(err, req.log));
      }
    });
  }

  router.use((_req: Request, res: Response) => sendProblem(res, new HttpProblem(404, 'not_found', 'No such endpoint.')));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => sendProblem(res, toProblem(err, req.log)));
  return router;
}

/** Writes a problem; its human message follows Accept-Language, its code never changes. */
function sendProblem(res: Response, p: HttpProblem | ReturnType<typeof toProblem>): void {
  const problem = p instanceof HttpProblem ? toProblem(p) : p;
  for (const [k, v] of Object.entries(problem.headers ?? {})) res.setHeader(k, v);
  const lang = fromAcceptLanguage(res.req.get('accept-language'));
  const { code, message } = problem.body.error;
  res.setHeader('Content-Language', lang);
  res.status(problem.status).json({ error: { ...problem.body.error, message: errorMessage(lang, code, message) } });
}
