// Per-request id, structured access log and HTTP metrics.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Link pages carry their secret in the path (/signin/<token>, /invitations/<token>, ...): never log it. */
export function loggablePath(path: string): string {
  return path.replace(/^\/(signin|invitations|recovery|links)\/[^/]+/, '/$1/[redacted]');
}

/** The route a request matched, without ids, to keep metric label cardinality bounded. */
export function routeLabel(req: Request): string {
  const base = req.baseUrl ?? '';
  const route = (req.route as { path?: string } | undefined)?.path;
  if (route !== undefined) return `${base}${route}`;
  return base || 'unmatched';
}

export function requestContext(log: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    req.log = log.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeLabel(req);
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'debug';
      req.log[level]({ method: req.method, path: loggablePath(req.path), status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
