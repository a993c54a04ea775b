// Past capacity, answer at once: when MAX_IN_FLIGHT requests to SCIM or the API are already being
// served, a new one gets 429 with Retry-After before any other work (no logging, helmet, auth or
// database), so an overloaded process sheds load quickly instead of queueing requests until they
// time out. Health, readiness and metrics are never shed.
import type { NextFunction, Request, Response } from 'express';
import type { Metrics } from '../metrics';

const SHEDDABLE = /^\/(scim\/v2|api\/v1)(\/|$)/;
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function loadShedder(maxInFlight: number, metrics: Metrics) {
  let inFlight = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!SHEDDABLE.test(req.path)) return next();
    if (inFlight >= maxInFlight) {
      metrics.shedRequests.inc();
      const scim = req.path.startsWith('/scim/');
      const detail = 'The server is at capacity; retry after the time in Retry-After.';
      const body = JSON.stringify(scim ? { schemas: [SCIM_ERROR], status: '429', detail } : { error: { code: 'overloaded', message: detail } });
      res.writeHead(429, {
        'Content-Type': scim ? 'application/scim+json; charset=utf-8' : 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Retry-After': '1',
        'Cache-Control': 'no-store',
      });
      res.end(body);
      return;
    }
    inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
