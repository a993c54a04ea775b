// The console: one HTML shell, a small script over the same REST API, the messages in the
// person's language, and a read-only jobs dashboard for the deployment's operators.
import fs from 'node:fs';
import path from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { getMemberAnyState } from '../db/members.repo';
import { setSessionLanguage } from '../db/sessions.repo';
import { sessionFor } from '../domain/access';
import { authorizeDeployment } from '../domain/policy';
import { SESSION_COOKIE, parseCookies, safeEqual } from '../http/cookies';
import { fromAcceptLanguage, type Language, LANGUAGES, consoleMessages, pickLanguage } from '../i18n';
import { QUEUES } from '../queue/jobs';
import type { Runtime } from '../runtime';
import { escapeHtml } from './html';

export const JOBS_PATH = '/console/jobs';

function staticDir(): string {
  // src/web/static when running from source; the build copies it next to dist/src/web.
  for (const dir of [path.join(__dirname, 'static'), path.join(__dirname, '..', '..', '..', 'src', 'web', 'static')]) {
    if (fs.existsSync(path.join(dir, 'console.js'))) return dir;
  }
  throw new Error('console assets not found (src/web/static)');
}

/** The person's language: chosen in this session, else their own setting, else the browser's. */
async function languageOf(rt: Runtime, req: Request): Promise<{ lang: Language; session?: Awaited<ReturnType<typeof sessionFor>> }> {
  const token = parseCookies(req.get('cookie'))[SESSION_COOKIE];
  const session = token ? await sessionFor(rt.db, token, rt.now()) : undefined;
  const browser = fromAcceptLanguage(req.get('accept-language'));
  if (!session) return { lang: browser };
  const member = await getMemberAnyState(rt.db, session.session.accountId, session.session.memberId);
  const lang = pickLanguage([session.session.language, member?.preferredLanguage, member?.locale], browser);
  return { lang, session };
}

export function consoleRouter(rt: Runtime): Router {
  const r = Router();
  const dir = staticDir();
  const shell = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');

  r.use('/static', express.static(dir, { index: false, maxAge: rt.config.production ? '1h' : 0 }));

  r.get('/', async (req, res) => {
    const { lang } = await languageOf(rt, req);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(shell.replace('<html lang="en">', `<html lang="${lang}">`).replace('{{oidc}}', rt.config.oidc ? 'true' : 'false').replace('{{title}}', escapeHtml('mspbridge')));
  });

  r.get('/console/messages.json', async (req, res) => {
    const requested = String(req.query.lang ?? '');
    const { lang } = await languageOf(rt, req);
    const use = (LANGUAGES as readonly string[]).includes(requested) ? (requested as Language) : lang;
    res.json({ lang: use, messages: consoleMessages(use) });
  });

  // The language switch: kept with the session, so every page (and the next sign-in) follows it.
  r.post('/console/language', express.json({ limit: '1kb' }), async (req, res) => {
    const lang = String(req.body?.lang ?? '');
    if (!(LANGUAGES as readonly string[]).includes(lang)) return res.status(400).json({ error: { code: 'language.unknown', message: 'lang is "en" or "de".' } });
    const { session } = await languageOf(rt, req);
    if (session) {
      const sent = req.get('x-csrf-token');
      if (!sent || !safeEqual(sent, session.session.csrfToken)) return res.status(403).json({ error: { code: 'csrf', message: 'The request is missing its CSRF token.' } });
      await setSessionLanguage(rt.db, session.session.accountId, session.session.id, lang);
      // Kept as the person's setting too, unless their IdP owns it (SCIM preferredLanguage).
      await rt.db('members')
        .where({ account_id: session.session.accountId, id: session.session.memberId, scim_managed: false })
        .update({ preferred_language: lang });
    }
    res.json({ lang });
  });

  // The jobs dashboard, read-only, for the deployment's operators only (policy
  // `deployment.jobs`): it shows every tenant's jobs. MSP people see their own tenants' jobs
  // through GET /api/v1/jobs. The full board with retries is /admin/queues behind ADMIN_TOKEN.
  const adapter = new ExpressAdapter();
  adapter.setBasePath(JOBS_PATH);
  createBullBoard({ queues: QUEUES.map((q) => new BullMQAdapter(rt.queues.get(q), { readOnlyMode: true })), serverAdapter: adapter, options: { uiConfig: { boardTitle: 'mspbridge jobs' } } });
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
  r.use(JOBS_PATH, operatorsOnly, adapter.getRouter());
  return r;
}
