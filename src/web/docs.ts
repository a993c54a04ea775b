// The setup guides and operations docs shipped in docs/, served at /docs (ServiceProviderConfig's
// documentationUri points here, so an IdP admin following it finds the guide for their IdP).
import fs from 'node:fs';
import path from 'node:path';
import { type Request, type Response, Router } from 'express';
import { PACKAGE_ROOT } from '../version';
import { html, page } from './html';

const DOCS_DIR = path.join(PACKAGE_ROOT, 'docs');
const NAME = /^[a-z0-9-]{1,40}$/;

function guides(): Array<{ name: string; title: string }> {
  if (!fs.existsSync(DOCS_DIR)) return [];
  return fs
    .readdirSync(DOCS_DIR)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => {
      const first = fs.readFileSync(path.join(DOCS_DIR, f), 'utf8').split('\n', 1)[0] ?? '';
      return { name: f.slice(0, -3), title: first.replace(/^#\s*/, '') || f };
    });
}

export function docsRouter(): Router {
  const r = Router();
  r.get('/docs', (_req: Request, res: Response) => {
    const items = guides().map((g) => html`<li><a href="/docs/${g.name}">${g.title}</a></li>`);
    res.type('html').send(
      page(
        'en',
        'mspbridge documentation',
        html`<ul>
          ${items}
        </ul>`,
      ),
    );
  });
  r.get('/docs/:name', (req: Request, res: Response) => {
    const name = String(req.params.name).replace(/\.md$/, '');
    const file = path.join(DOCS_DIR, `${name}.md`);
    if (!NAME.test(name) || !fs.existsSync(file)) {
      res.status(404).type('text/plain').send('No such document; see /docs.');
      return;
    }
    // Markdown as text: readable in a browser, and nothing in it can run.
    res.type('text/plain; charset=utf-8').send(fs.readFileSync(file, 'utf8'));
  });
  return r;
}
