// Serves the console: the app Vite built into dist/console (built by `npm run build`/prepare,
// never at run time), its page at each console path in the person's language, the language
// switch, "Email me a sign-in link", and a read-only jobs dashboard for the deployment's operators.
import fs from 'node:fs';
import path from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { chooseConsoleLanguage, consoleLanguageOf } from '../domain/consoleLanguage';
import { sessionFor } from '../domain/access';
import { authorizeDeployment } from '../domain/policy';
import { SESSION_COOKIE, parseCookies, safeEqual } from '../http/cookies';
import { withoutFontCdn } from '../http/jobsBoard';
import { fromAcceptLanguage, type Language, LANGUAGES } from '../i18n';
import { QUEUES } from '../queue/jobs';
import type { Runtime } from '../runtime';
import { PACKAGE_ROOT } from '../version';
import { emailLinkRouter } from './emailLink';

export const JOBS_PATH = '/console/jobs';
export const CONSOLE_DIR = path.join(PACKAGE_ROOT, 'dist', 'console');

/** Paths the console app routes itself (client-side); each gets the same page. */
export const CONSOLE_PATHS = [
  '/',
  '/signin',
  '/companies',
  '/technicians',
  '/audit',
  '/notifications',
  '/settings',
  '/accounts/:accountId',
  '/accounts/:accountId/*section',
];

/** The person's language: chosen in this session, else their own setting, else the browser's. */
async function languageOf(rt: Runtime, req: Request): Promise<{ lang: Language; session?: Awaited<ReturnType<typeof sessionFor>> }> {
  const token = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  const session = token ? await sessionFor(rt.db, token, rt.now()) : undefined;
  const browser = fromAcceptLanguage(req.get('accept-language'));
  if (!session) return { lang: browser };
  return { lang: await consoleLanguageOf(rt.db, session.session, browser), session };
}

/** The built page, read once; undefined (with a clear answer to browsers) when nobody built it. */
function loadShell(rt: Runtime): string | undefined {
  const file = path.join(CONSOLE_DIR, 'index.html');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  rt.log.warn({ dir: CONSOLE_DIR }, 'the console is not built (npm run build); its pages answer 503');
  return undefined;
}

export function consoleRouter(rt: Runtime): Router {
  const r = Router();
  const shell = loadShell(rt);

  // Hashed file names: a new build has new names, so browsers may keep these for a year. The build
  // left a gzipped copy of each script and style beside it: sent as is to browsers that take gzip.
  const assets = path.join(CONSOLE_DIR, 'assets');
  r.get('/assets/:file', (req: Request, res: Response, next: NextFunction) => {
    const file = String(req.params.file);
    if (!/^[\w.-]+\.(js|css)$/.test(file) || !req.acceptsEncodings('gzip') || !fs.existsSync(path.join(assets, `${file}.gz`))) return next();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.sendFile(`${file}.gz`, {
      root: assets,
      immutable: true,
      maxAge: '365d',
      headers: { 'Content-Type': file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8' },
    });
  });
  r.use('/assets', express.static(assets, { index: false, immutable: true, maxAge: '365d', fallthrough: false }));

  r.get(CONSOLE_PATHS, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!shell) return res.status(503).type('text/plain').send('The console is not built: run `npm run build` (npm install does it through prepare).');
    const { lang } = await languageOf(rt, req);
    res
      .type('html')
      .send(shell.replace('<html lang="en">', `<html lang="${lang}">`).replace('content="oidc:off"', `content="oidc:${rt.config.oidc ? 'on' : 'off'}"`));
  });

  // The language switch: kept with the session, so every page (and the next sign-in) follows it.
  r.post('/console/language', express.json({ limit: '1kb' }), async (req, res) => {
    const lang = String(req.body?.lang ?? '');
    if (!(LANGUAGES as readonly string[]).includes(lang))
      return res.status(400).json({ error: { code: 'language.unknown', message: 'lang is "en" or "de".' } });
    const { session } = await languageOf(rt, req);
    if (session) {
      const sent = req.get('x-csrf-token');
      if (!sent || !safeEqual(sent, session.session.csrfToken))
        return res.status(403).json({ error: { code: 'csrf', message: 'The request is missing its CSRF token.' } });
      await chooseConsoleLanguage(rt.db, session.session, lang as Language);
    }
    res.json({ lang });
  });

  r.use(emailLinkRouter(rt));

  // The jobs dashboard, read-only, for the deployment's operators only (policy
  // `deployment.jobs`): it shows every tenant's jobs. MSP people see their own tenants' jobs
  // through GET /api/v1/jobs. The full board with retries is /admin/queues behind ADMIN_TOKEN.
  const adapter = new ExpressAdapter();
  adapter.setBasePath(JOBS_PATH);
  createBullBoard({
    queues: QUEUES.map((q) => new BullMQAdapter(rt.queues.get(q), { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'mspbridge jobs' } },
  });
  const operatorsOnly = async (req: Request, res: Response, next: NextFunction) => {
    const { session } = await languageOf(rt, req);
    if (session) {
      try {
        await authorizeDeployment({ tx: rt.db, actor: session.principal, now: rt.now() }, 'deployment.jobs');
        return next();
      } catch {
        // not an operator: the page does not exist for them
      }
    }
    res.status(404).json({ error: { code: 'not_found', message: 'No such page.' } });
  };
  r.use(JOBS_PATH, operatorsOnly, withoutFontCdn, adapter.getRouter());
  return r;
}
