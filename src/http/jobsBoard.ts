// The jobs dashboard (bull-board) for the operator, under /admin/queues, behind ADMIN_TOKEN, with no font CDN.
import crypto from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { QUEUES } from '../queue/jobs';
import type { Runtime } from '../runtime';

export const BOARD_PATH = '/admin/queues';

function matches(presented: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Accepts "Authorization: Bearer <ADMIN_TOKEN>" or Basic with the token as password. */
export function adminTokenGate(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!token) {
      res.status(404).json({ error: { code: 'not_found', message: 'No such page.' } });
      return;
    }
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
    const password = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined;
    if ((bearer && matches(bearer, token)) || (password && matches(password, token))) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="mspbridge admin"');
    res.status(401).json({ error: { code: 'unauthenticated', message: 'The admin token is required.' } });
  };
}

const FONT_CDN_LINK = /<link[^>]+fonts\.googleapis\.com[^>]*>\s*/g;

/**
 * bull-board's page loads its fonts from a public font CDN: that fails offline and tells a third
 * party who opens the dashboard (a data-protection problem for European customers). The link is
 * dropped from the rendered page; the board's own CSS falls back to the system fonts.
 */
export function withoutFontCdn(_req: Request, res: Response, next: NextFunction): void {
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object) =>
    render(view, options ?? {}, (err: Error | null, page?: string) => {
      if (err) return next(err);
      res.send((page ?? '').replace(FONT_CDN_LINK, ''));
    })) as Response['render'];
  next();
}

export function jobsBoard(rt: Runtime, gate: (req: Request, res: Response, next: NextFunction) => void = adminTokenGate(rt.config.adminToken)): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: QUEUES.map((q) => new BullMQAdapter(rt.queues.get(q))), serverAdapter: adapter });
  const r = Router();
  r.use(BOARD_PATH, gate, withoutFontCdn, adapter.getRouter());
  return r;
}
