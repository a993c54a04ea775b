// Refuses cross-site state-changing requests (CSRF, including login CSRF) on everything a
// browser reaches with ambient credentials: the session cookie, or a sign-in form. Browsers say
// where a request comes from (Sec-Fetch-Site, else Origin); clients that send neither (curl,
// the CLI, IdPs, API tokens) are not browsers a third-party page could drive, so they pass.
import type { NextFunction, Request, Response } from 'express';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const MESSAGE = 'This request came from another site and was refused. Use mspbridge’s own pages.';

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined; // "null" (sandboxed frames, privacy redirects) is no origin of ours
  }
}

/** Whether a request comes from a page of this deployment (or from no page at all). */
export function isSameOrigin(req: Request, publicOrigin: string | undefined): boolean {
  const origin = req.get('origin');
  // Same origin by either name: PUBLIC_URL, or the host the request was sent to (a proxy that
  // keeps Host, a laptop reaching 127.0.0.1). Only a browser sets these headers; a page cannot.
  const host = req.get('host');
  const ours = (o: string) => o === publicOrigin || (host !== undefined && parse(o)?.host === host);
  const site = req.get('sec-fetch-site');
  if (site === 'same-origin' || site === 'none') return true;
  // A sibling subdomain is another origin: it passes only as PUBLIC_URL's page (console on the public name, API reached by another).
  if (site === 'same-site') return origin === publicOrigin;
  if (site) return false;
  // Older browsers send only Origin; a browser always sends it on unsafe cross-origin requests.
  if (origin === undefined) return true;
  return ours(origin);
}

/** 403 for unsafe cross-site requests: JSON, or a short page when a browser form asked for HTML. */
export function sameOriginOnly(publicUrl: string, options: { exempt?: (req: Request) => boolean } = {}) {
  const publicOrigin = parse(publicUrl)?.origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!UNSAFE.has(req.method) || options.exempt?.(req) || isSameOrigin(req, publicOrigin)) return next();
    req.log?.warn({ origin: req.get('origin'), site: req.get('sec-fetch-site') }, 'cross-site request refused');
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['json', 'html']) === 'html') {
      res.status(403).type('html').send(`<!doctype html><meta charset="utf-8"><title>Request refused</title><p role="alert">${MESSAGE}</p>`);
      return;
    }
    res.status(403).json({ error: { code: 'cross_site', message: MESSAGE } });
  };
}
