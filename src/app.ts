// buildApp(runtime): the express app (no listen), shared by `serve`, `start` and the tests.
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { clientErrorOf } from './http/clientError';
import { healthRouter } from './http/health';
import { loadShedder } from './http/loadShed';
import { requestContext } from './http/requestContext';
import { sameOriginOnly } from './http/sameOrigin';
import { apiRouter } from './api/router';
import { directoryRouter } from './http/directory';
import { jobsBoard } from './http/jobsBoard';
import { oauthRouter } from './http/oauth';
import { scimRouter } from './scim/router';
import { authRouter } from './web/auth';
import { consoleRouter } from './web/console';
import { docsRouter } from './web/docs';
import { publicRouter } from './web/public';
import type { Runtime } from './runtime';

/** Queue depth for /metrics, skipped when Redis does not answer within a second. */
async function sampleQueues(rt: Runtime): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const counts = await Promise.race([
    rt.queues.counts(),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 1000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (!counts) return;
  for (const [queue, byState] of Object.entries(counts)) {
    for (const [state, n] of Object.entries(byState)) rt.metrics.queueDepth.set({ queue, state }, n);
  }
}

export function buildApp(rt: Runtime): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are set where they mean something (SCIM resource versions), not computed from bodies.
  app.set('etag', false);
  app.set('trust proxy', rt.config.trustProxy);
  app.use(loadShedder(rt.config.maxInFlight, rt.metrics));
  app.use((_req, res, next) => {
    const done = rt.load.enter();
    res.once('finish', done);
    res.once('close', done);
    next();
  });
  app.use(requestContext(rt.log, rt.metrics));
  // Over plain http (a laptop, a test) upgrading requests and HSTS would break the console.
  const https = rt.config.publicUrl.startsWith('https:');
  const strict = helmet({
    hsts: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
  });
  // The jobs dashboards (bull-board) render with inline scripts and styles of their own.
  const boards = helmet({
    hsts: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null, 'script-src': ["'self'", "'unsafe-inline'"] } },
  });
  app.use((req, res, next) => (req.path.startsWith('/console/jobs') || req.path.startsWith('/admin/queues') ? boards : strict)(req, res, next));
  app.use(healthRouter(rt, () => sampleQueues(rt)));
  // Pages and forms a browser posts to with its cookie (or, for sign-in, to get one); /api/v1 checks its own.
  app.use(['/auth', '/signin', '/invitations', '/recovery', '/links', '/console', '/admin'], sameOriginOnly(rt.config.publicUrl));
  app.use('/scim/v2', scimRouter(rt).router);
  app.use(oauthRouter(rt));
  app.use('/api/v1', apiRouter(rt));
  app.use(directoryRouter(rt));
  app.use(publicRouter(rt));
  app.use(docsRouter());
  app.use(authRouter(rt));
  app.use(consoleRouter(rt));
  app.use(jobsBoard(rt));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'not_found', message: 'No such page.' } });
  });
  // Last resort: nothing leaks a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const client = clientErrorOf(err);
    if (!client) req.log.error({ err }, 'unhandled error');
    if (res.headersSent) return;
    const { status, code, message } = client ?? { status: 500, code: 'internal', message: 'Internal error.' };
    res.status(status).json({ error: { code, message } });
  });
  return app;
}
