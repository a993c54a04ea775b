// The /scim/v2 HTTP adapter: bearer auth picks the tenant, bodies are parsed here, every
// failure leaves as a SCIM error body, and each request lands in the SCIM request log.
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../http/jsonBody';
import { CredentialGuard, RateLimited, SharedLimit, perSecondBudget } from '../http/rateLimit';
import type { Runtime } from '../runtime';
import { ScimAuthenticator, type ScimIdentity } from './auth';
import { runBulk } from './bulk';
import type { ScimEnv, ScimResult } from './context';
import { MAX_PAYLOAD_BYTES } from './discovery';
import { checkMethod, dispatch } from './dispatch';
import { ScimError, errorBody, invalidSyntax, invalidValue, toScimError } from './errors';
import { UNSTORABLE } from './quirks';
import { RequestLog, boundedBody, detectIdp } from './requestLog';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

declare module 'express-serve-static-core' {
  interface Request {
    scim?: ScimIdentity;
  }
}

const RESOURCES = new Map(['Users', 'Groups', 'Bulk', 'ServiceProviderConfig', 'Schemas', 'ResourceTypes', 'Me'].map((r) => [r.toLowerCase(), r]));

/**
 * The metric label of a request's endpoint: one of a fixed set, so a client sending arbitrary
 * paths cannot grow the metric registry (one series per distinct label value, kept forever).
 */
function metricResource(path: string): string {
  const first = path.split('/')[1];
  if (!first) return 'root';
  return RESOURCES.get(first.toLowerCase()) ?? (first.toLowerCase() === 'serviceproviderconfigs' ? 'ServiceProviderConfig' : 'other');
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const metricMethod = (method: string): string => (METHODS.has(method) ? method : 'other');

/** Walks a parsed body once (iteratively): refuses unstorable text. */
function checkBody(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) throw invalidValue('The request body contains a NUL character or an unpaired surrogate.');
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) throw invalidValue('The request body contains a NUL character or an unpaired surrogate.');
        stack.push(child);
      }
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      throw invalidValue('The request body contains a number too large to represent.');
    }
  }
}

/** Parses a request body as JSON whatever its declared type (IdPs are not consistent about it). */
function parseBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  // Before parsing, as on /api/v1: a deep body costs one scan and reaches nothing recursive.
  if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) throw invalidSyntax(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidSyntax('The request body is not valid JSON.');
  }
  checkBody(value);
  return value;
}

export interface ScimRouter {
  router: Router;
  requestLog: RequestLog;
}

export function scimRouter(rt: Runtime): ScimRouter {
  const router = Router();
  const auth = new ScimAuthenticator(rt);
  rt.onClose('scim auth cache', () => auth.close());
  const requestLog = new RequestLog(rt.db, rt.log);
  rt.onClose('scim request log', () => requestLog.flush());
  // Both limits live in Redis, shared by every serve process (see src/http/rateLimit.ts).
  const perCredential = new SharedLimit(rt, 'scim-credential', perSecondBudget(rt.config.scim.ratePerToken));
  const guard = new CredentialGuard(rt, 'scim');
  const baseUrl = `${rt.config.publicUrl}/scim/v2`;

  const send = (res: Response, r: ScimResult) => {
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    res.status(r.status);
    if (r.body === undefined || r.status === 204 || r.status === 304) {
      res.end();
      return;
    }
    // Straight to the socket: the JSON text once, its length, no further copies (Express' send would re-encode and re-check).
    const text = JSON.stringify(r.body);
    res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  };

  const sendError = (_req: Request, res: Response, e: ScimError) => {
    res.locals.scimError = e;
    send(res, { status: e.status, body: errorBody(e), headers: e.headers });
  };

  // Every response of this router, error or not, is logged per account once the tenant is known.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const idp = detectIdp(req.get('user-agent'));
      const resource = metricResource(req.path);
      rt.metrics.scimRequests.inc({ method: metricMethod(req.method), resource, status: String(res.statusCode), idp: idp ?? 'none' });
      if (!req.scim) return;
      const e = res.locals.scimError as ScimError | undefined;
      requestLog.add({
        accountId: req.scim.account.id,
        method: req.method,
        path: req.originalUrl.replace(/^\/scim\/v2/, ''),
        status: res.statusCode,
        latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        idp,
        userAgent: req.get('user-agent') ?? null,
        scimType: e?.scimType ?? null,
        // On success, what the admin should still know (attributes the IdP sent that no schema has).
        detail: e?.message ?? (res.locals.scimWarnings as string[] | undefined)?.join(' ') ?? null,
        body: req.method === 'GET' || req.method === 'DELETE' ? undefined : boundedBody(res.locals.scimBody),
        requestId: req.id,
        createdAt: rt.now().toISOString(),
      });
    });
    next();
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    try {
      // A credential verified in the last half second is no guess: only checks take failure points.
      req.scim = auth.cached(header) ?? (await guard.run(req.ip ?? 'unknown', () => auth.authenticate(header), header));
      const retry = await perCredential.take(req.scim.credentialKey);
      if (retry > 0) throw new RateLimited(retry, 'Too many requests for this SCIM credential; slow down.');
    } catch (err) {
      const e = err instanceof RateLimited ? new ScimError(429, undefined, err.message, { 'Retry-After': String(err.retryAfterS) }) : toScimError(err, req.log);
      sendError(req, res, e);
      return;
    }
    next();
  });

  // The method is checked before the body is read: a read-only endpoint answers 405 to a POST
  // whatever it carries (Okta's spec test posts non-JSON to /Schemas and expects 405, not 400).
  router.use((req: Request, res: Response, next: NextFunction) => {
    try {
      checkMethod(req.method, req.path);
    } catch (err) {
      sendError(req, res, toScimError(err, req.log));
      return;
    }
    next();
  });

  router.use(express.raw({ type: () => true, limit: MAX_PAYLOAD_BYTES }));

  const handle = async (req: Request, res: Response) => {
    try {
      const body = ['POST', 'PUT', 'PATCH'].includes(req.method) ? parseBody(req.body as Buffer | undefined) : undefined;
      res.locals.scimBody = body;
      const env: ScimEnv = { db: rt.db, log: req.log, now: rt.now, account: req.scim!.account, actor: req.scim!.actor, baseUrl };
      const result = await dispatch(
        env,
        {
          method: req.method,
          path: req.path,
          query: req.query as Record<string, unknown>,
          body,
          ifMatch: req.get('if-match'),
          ifNoneMatch: req.get('if-none-match'),
        },
        runBulk,
      );
      res.locals.scimWarnings = result.warnings;
      send(res, result);
    } catch (err) {
      sendError(req, res, toScimError(err, req.log));
    }
  };
  router.all('/', handle);
  router.all('/*splat', handle);

  // Body-parser failures (too large, aborted, bad encoding) become SCIM errors too.
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(req, res, toScimError(err, req.log));
  });

  return { router, requestLog };
}
