/// <reference lib="dom" />
// What the console's browser tests share: the app with its workers and an SMTP server, Debian's
// Chromium (playwright-core), a page per language and screen size, the console's own catalogues
// for the words on screen, and checks every page passes (axe-core, no sideways scrolling, no raw
// ids or "null", every API answer as the OpenAPI document says).
import fs from 'node:fs';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { type Browser, type BrowserContext, type Page, type Response, chromium } from 'playwright-core';
import { RESPONSES } from '../../src/api/responses';
import { ROUTES } from '../../src/api/router';
import { type ConsoleKey } from '../../src/i18n/console.en';
import { consoleMessages } from '../../src/i18n';
import { CONSOLE_DIR } from '../../src/web/console';
import { startStack, type TestApp } from '../helpers/app';
import { linkIn, startSmtp, type ReceivedMail, type TestSmtp } from '../helpers/smtp';

export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'console');
const DOCS_IMG = path.join(__dirname, '..', '..', 'docs', 'img');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed for the console tests (apt-get install -y chromium); not found at ${CHROMIUM}`);
if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html'))) throw new Error('The console is not built: run `npm run build` first (npm test does).');

export type Lang = 'en' | 'de';
export interface Screen {
  name: 'desktop' | 'phone';
  width: number;
  height: number;
}
export const DESKTOP: Screen = { name: 'desktop', width: 1280, height: 800 };
export const PHONE: Screen = { name: 'phone', width: 390, height: 844 };

/** The console's own words in a language, formatted as the console formats them. */
export function words(lang: Lang) {
  const messages = consoleMessages(lang) as Record<ConsoleKey, string>;
  return (key: ConsoleKey, values: Record<string, string | number> = {}) =>
    String(new IntlMessageFormat(messages[key], lang === 'de' ? 'de-DE' : 'en-US').format(values));
}

export interface Stack {
  app: TestApp;
  smtp: TestSmtp;
  browser: Browser;
  close(): Promise<void>;
}

export async function startConsoleStack(env: Record<string, string> = {}): Promise<Stack> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const smtp = await startSmtp();
  const app = await startStack('sqlite', { smtpUrl: smtp.url, env });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    app,
    smtp,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
      await smtp.close();
    },
  };
}

/** Route keys ("GET /accounts/:accountId") with a regexp for the paths they answer. */
const CONTRACTS = ROUTES.map((r) => ({
  method: r.method.toUpperCase(),
  re: new RegExp(`^/api/v1${r.path.replace(/:\w+/g, '[^/]+')}$`),
  key: `${r.method.toUpperCase()} ${r.path}`,
}));

export interface Visit {
  page: Page;
  context: BrowserContext;
  lang: Lang;
  screen: Screen;
  t: ReturnType<typeof words>;
  /** API answers that did not match their schema in the OpenAPI document. */
  contractBreaks: string[];
  /** A full-page screenshot for the artifacts; with UPDATE_DOCS_IMG=1 also docs/img/<docs>.png (the screen, no notices). */
  shot(name: string, docs?: string): Promise<void>;
  /** axe-core finds nothing serious or critical, the page is no wider than the screen, no raw ids or "null". */
  check(where: string, opts?: { ids?: boolean }): Promise<void>;
  /** Opens a sidebar entry (through the Menu button on a phone). */
  nav(key: ConsoleKey): Promise<void>;
  close(): Promise<void>;
}

/** A story in a fresh visit: a screenshot when it fails, the page closed, every API answer as documented. */
export async function inVisit(stack: Stack, lang: Lang, screen: Screen, tag: string, story: (v: Visit) => Promise<void>): Promise<void> {
  const v = await visit(stack, lang, screen, tag);
  try {
    await story(v);
  } catch (err) {
    await v.shot('failed').catch(() => undefined);
    throw err;
  } finally {
    await v.close();
  }
  expect(v.contractBreaks).toEqual([]);
}

export async function visit(stack: Stack, lang: Lang, screen: Screen, tag: string): Promise<Visit> {
  const context = await stack.browser.newContext({
    locale: lang === 'de' ? 'de-DE' : 'en-US',
    viewport: { width: screen.width, height: screen.height },
    deviceScaleFactor: 1,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.app.url });
  const page = await context.newPage();
  const t = words(lang);
  const contractBreaks: string[] = [];
  const pending: Array<Promise<void>> = [];
  page.on('response', (res: Response) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/v1/') || !res.ok() || res.status() === 204) return;
    const route = CONTRACTS.find((c) => c.method === res.request().method() && c.re.test(url.pathname));
    if (!route || url.searchParams.get('format') === 'csv') return;
    const schema = RESPONSES[route.key];
    pending.push(
      res.json().then(
        (body) => {
          if (!schema) return void contractBreaks.push(`${route.key}: no response schema`);
          const r = schema.safeParse(body);
          if (!r.success) contractBreaks.push(`${route.key}: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
        },
        () => undefined,
      ),
    );
  });
  let n = 0;
  const dir = path.join(ARTIFACTS, `${tag}-${lang}-${screen.name}`);
  fs.mkdirSync(dir, { recursive: true });
  const v: Visit = {
    page,
    context,
    lang,
    screen,
    t,
    contractBreaks,
    async shot(name, docs) {
      await page.screenshot({ path: path.join(dir, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true, animations: 'disabled' });
      if (docs && process.env.UPDATE_DOCS_IMG === '1') {
        await page.evaluate(() => document.querySelector('.notices')?.setAttribute('hidden', ''));
        await page.screenshot({ path: path.join(DOCS_IMG, `${docs}.png`), animations: 'disabled' });
        await page.evaluate(() => document.querySelector('.notices')?.removeAttribute('hidden'));
      }
    },
    async check(where, opts = {}) {
      await page.evaluate(AXE);
      const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
        violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
      };
      const bad = result.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical' || x.id === 'label');
      const layout = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth, text: document.body.innerText }));
      const problems = [
        ...bad.map((x) => `axe ${x.id}: ${x.nodes.map((nd) => nd.target.join(' ')).join(', ')}`),
        ...(layout.scroll > layout.width ? [`page is ${layout.scroll}px wide on a ${layout.width}px screen`] : []),
        ...(/\bnull\b|\bundefined\b|NaN/.test(layout.text) ? ['"null", "undefined" or "NaN" on the page'] : []),
        ...(opts.ids !== false && UUID.test(layout.text) ? [`a raw id on the page: ${UUID.exec(layout.text)![0]}`] : []),
      ];
      expect({ where: `${where} [${lang} ${screen.name}]`, problems }).toEqual({ where: `${where} [${lang} ${screen.name}]`, problems: [] });
    },
    async nav(key) {
      if (screen.name === 'phone') await page.getByRole('button', { name: t('menu') }).click();
      await page
        .getByRole('navigation', { name: t('nav.label') })
        .getByRole('link', { name: t(key) })
        .click();
    },
    async close() {
      await Promise.all(pending);
      await context.close();
    },
  };
  return v;
}

/** The first email to `to` whose subject matches, waiting for the workers to send it. */
export async function mailTo(smtp: TestSmtp, to: string, subject: RegExp, after = 0): Promise<ReceivedMail> {
  const until = Date.now() + 20_000;
  for (;;) {
    const m = smtp.mails.slice(after).find((x) => x.to.includes(to.toLowerCase()) && subject.test(x.subject));
    if (m) return m;
    if (Date.now() > until) throw new Error(`no "${subject}" email for ${to}; got: ${smtp.mails.map((x) => `${x.to.join(',')} ${x.subject}`).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function acceptInvitation(smtp: TestSmtp, to: string, password: string): Promise<void> {
  const link = linkIn(await mailTo(smtp, to, /invit|Einladung/i), 'invitations');
  const res = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  if (res.status !== 200) throw new Error(`accepting ${to}'s invitation answered ${res.status}`);
}

export { linkIn };
