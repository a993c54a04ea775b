// /api/v1: authentication (API token or console session with CSRF), the caller gate of each
// route, input validation (zod), one transaction per request, JSON problems, CSV and OpenAPI.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { getAccount } from '../db/accounts.repo';
import type { Tx } from '../db/knex';
import { authenticateApiToken, sessionFor, technicianFor } from '../domain/access';
import type { Ctx } from '../domain/context';
import { isDomainError } from '../domain/errors';
import { personOf, type Principal } from '../domain/principal';
import { rolesOf } from '../domain/roles';
import { SESSION_COOKIE, parseCookies, safeEqual } from '../http/cookies';
import { RateLimiter } from '../http/rateLimit';
import { errorMessage, fromAcceptLanguage } from '../i18n';
import type { Runtime } from '../runtime';
import { HttpProblem, toProblem } from './errors';
import { openApiDocument } from './openapi';
import type { Caller, RouteDef } from './route';
import { accountRoutes } from './routes/accounts';
import { meRoutes } from './routes/me';
import { mspRoutes } from './routes/msp';

export const ROUTES: RouteDef[] = [...meRoutes, ...mspRoutes, ...accountRoutes];

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

/** Who is calling: an API token (Authorization: Bearer msb_api_…) or a console session cookie. */
export async function identify(rt: Runtime, req: Request): Promise<Identity | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (bearer) return { principal: await authenticateApiToken(rt.db, bearer, rt.now()) };
  const cookie = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  if (!cookie) return undefined;
  const s = await sessionFor(rt.db, cookie, rt.now());
  return s ? { principal: s.principal, csrf: s.session.csrfToken } : undefined;
}

/** The callers a principal counts as in an account, from their roles there. */
async function callersIn(tx: Tx, accountId: string, memberId: string, kind: 'msp' | 'company'): Promise<Set<Caller>> {
  const roles = await rolesOf(tx, accountId, memberId);
  const out = new Set<Caller>(['member']);
  if (roles.has('owners')) out.add('owner');
  if (roles.has('administrators')) out.add('admin');
  if (kind === 'msp' && roles.has('msp_technicians')) out.add('technician');
  return out;
}

export function apiRouter(rt: Runtime): Router {
  const router = Router();
  const failures = new RateLimiter(rt.config.scim.authFailuresPerMinute / 60, rt.config.scim.authFailuresPerMinute);
  router.use(express.json({ limit: '2mb' }));

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(ROUTES, rt.config.publicUrl));
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const client = req.ip ?? 'unknown';
    const wait = failures.peek(client);
    if (wait > 0) return sendProblem(res, new HttpProblem(429, 'rate_limited', 'Too many failed sign-ins; wait before retrying.', { 'Retry-After': String(wait) }));
    try {
      req.identity = await identify(rt, req);
    } catch (err) {
      if (isDomainError(err) && err.kind === 'unauthenticated') failures.take(client);
      return sendProblem(res, toProblem(err, req.log));
    }
    if (!req.identity) {
      return sendProblem(res, new HttpProblem(401, 'unauthenticated', 'Sign in, or send an API token as "Authorization: Bearer <token>".', { 'WWW-Authenticate': 'Bearer realm="mspbridge-api"' }));
    }
    // A console session must prove the request came from the console (double-submit token).
    if (req.identity.csrf && UNSAFE.has(req.method)) {
      const sent = req.get('x-csrf-token');
      if (!sent || !safeEqual(sent, req.identity.csrf)) return sendProblem(res, new HttpProblem(403, 'csrf', 'The request is missing its CSRF token.'));
    }
    next();
  });

  // The console reads its CSRF token here (it is not a secret from the page itself).
  router.get('/session', (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ csrfToken: req.identity?.csrf ?? null, principal: req.identity?.principal.kind });
  });

  for (const def of ROUTES) {
    router[def.method](def.path, async (req: Request, res: Response) => {
      try {
        const identity = req.identity!;
        const result = await rt.db.transaction(async (tx) => {
          // Who may call comes first: a caller without the role learns nothing about the input.
          const { principal, accountId } = await gate(rt, tx, def, identity.principal, req);
          const input = {
            params: req.params as Record<string, string>,
            body: def.body ? def.body.parse(req.body ?? {}) : undefined,
            query: def.query ? def.query.parse(req.query) : undefined,
          };
          const ctx: Ctx = { tx, actor: principal, now: rt.now() };
          return def.handle(ctx, { ...input, accountId, rt });
        });
        if (def.csv && (req.query.format === 'csv' || (req.accepts(['json', 'text/csv']) === 'text/csv' && req.query.format !== 'json'))) {
          res.status(def.status ?? 200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="audit.csv"');
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

/**
 * Resolves who acts and where, and refuses callers the route does not list. Another account's
 * resources are simply not found; a launch token turns an MSP person into a technician acting
 * in the company it names.
 */
async function gate(rt: Runtime, tx: Tx, def: RouteDef, principal: Principal, req: Request): Promise<{ principal: Principal; accountId: string }> {
  const person = personOf(principal);
  if (!person) throw new HttpProblem(403, 'forbidden', 'Not for this credential.');
  if (def.scope === 'me') return { principal, accountId: person.accountId };
  if (def.scope === 'msp') {
    const home = await getAccount(tx, person.accountId);
    if (!home || home.kind !== 'msp') throw new HttpProblem(404, 'not_found', 'No such endpoint for this account.');
    const callers = await callersIn(tx, home.id, person.memberId, 'msp');
    if (!def.callers.some((c) => callers.has(c))) throw new HttpProblem(403, 'role.required', `This needs one of: ${def.callers.join(', ')}.`);
    return { principal, accountId: home.id };
  }
  const accountId = String(req.params.accountId);
  const launchToken = req.get('x-launch-token');
  let acting = principal;
  let callers: Set<Caller>;
  if (accountId === person.accountId) {
    const account = await getAccount(tx, accountId);
    callers = await callersIn(tx, accountId, person.memberId, account?.kind ?? 'company');
  } else if (launchToken) {
    const tech = await technicianFor(tx, { launchToken, person, companyId: accountId, now: rt.now() });
    if (!tech) throw new HttpProblem(404, 'account.not_found', 'No such account (or the launch session ended).');
    acting = tech;
    callers = new Set(['launched']);
  } else {
    throw new HttpProblem(404, 'account.not_found', 'No such account.');
  }
  if (!def.callers.some((c) => callers.has(c))) throw new HttpProblem(403, 'role.required', `This needs one of: ${def.callers.join(', ')}.`);
  // A frozen account is read-only (export still works); subscribing is how it thaws.
  if (UNSAFE.has(req.method) && !def.path.endsWith('/subscribe')) {
    const account = await getAccount(tx, accountId);
    if (account?.status === 'frozen') throw new HttpProblem(403, 'account.frozen', 'This account is frozen (read-only): subscribe or link it to an MSP to change it.');
  }
  return { principal: acting, accountId };
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
