/// <reference lib="dom" />
// What the console costs: its bundle (gzipped, as the server sends it) and the time until Managed
// Companies with 1,000 companies is interactive, on a desktop and on a throttled phone. The figures
// go to test-artifacts/console/performance.json; generous budgets keep a regression from slipping by.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { insertSigninLink } from '../../src/db/signin.repo';
import { hashSecret } from '../../src/domain/secrets';
import { CONSOLE_DIR } from '../../src/web/console';
import { asOp } from '../helpers/ctx';
import { ARTIFACTS, DESKTOP, PHONE, type Screen, type Stack, startConsoleStack, visit } from './harness';

const COMPANIES = 1000;

/** Initial download: the page, its script and style, and the catalogue of one language (all gzipped as sent). */
function bundleSizes() {
  const dir = path.join(CONSOLE_DIR, 'assets');
  const gz = (f: string) => fs.statSync(path.join(dir, `${f}.gz`)).size;
  const files = fs.readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
  const html = fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  const entry = files.filter((f) => html.includes(`/assets/${f}`));
  const english = files.find((f) => f.startsWith('console.en'))!;
  return {
    initialGzipBytes: [...entry, english].reduce((n, f) => n + gz(f), 0),
    allGzipBytes: files.filter((f) => !f.startsWith('console.de')).reduce((n, f) => n + gz(f), 0),
    files: Object.fromEntries(files.map((f) => [f, { bytes: fs.statSync(path.join(dir, f)).size, gzipBytes: gz(f) }])),
  };
}

describe('the console’s size and speed', () => {
  let stack: Stack;
  const figures: Record<string, unknown> = {};
  let owner: { accountId: string; memberId: string };
  /** A fresh one-time sign-in link for the MSP's Owner (each works once). */
  const signInLink = async () => {
    const token = `msb_sin_${crypto.randomBytes(24).toString('base64url')}`;
    const now = new Date();
    await asOp(stack.app.rt.db, (ctx) =>
      insertSigninLink(ctx.tx, {
        id: crypto.randomUUID(),
        ...owner,
        tokenHash: hashSecret(token),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 600_000).toISOString(),
      }),
    );
    return token;
  };

  beforeAll(async () => {
    stack = await startConsoleStack();
    const msp = await asOp(stack.app.rt.db, (ctx) => createMsp(ctx, { name: 'Big MSP', region: 'eu', ownerEmail: 'owner@big.example' }, ['eu']));
    await asOp(stack.app.rt.db, async (ctx) => {
      for (let i = 0; i < COMPANIES; i++)
        await addCompany(ctx, { mspId: msp.account.id, name: `Company ${String(i).padStart(4, '0')}`, country: 'DE', seats: i % 50 });
    });
    owner = { accountId: msp.account.id, memberId: msp.ownerId };
  }, 120_000);
  afterAll(async () => {
    fs.writeFileSync(path.join(ARTIFACTS, 'performance.json'), JSON.stringify(figures, null, 2));
    console.log(`console size and speed: ${JSON.stringify(figures, null, 2)}`);
    await stack?.close();
  });

  it('ships a small enough bundle, gzipped as sent', async () => {
    const sizes = bundleSizes();
    figures.bundle = { initialGzipKiB: +(sizes.initialGzipBytes / 1024).toFixed(1), allGzipKiB: +(sizes.allGzipBytes / 1024).toFixed(1) };
    const res = await fetch(`${stack.app.url}/assets/${Object.keys(sizes.files).find((f) => f.startsWith('index') && f.endsWith('.js'))}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(sizes.initialGzipBytes).toBeLessThan(200 * 1024);
  });

  const timeToInteractive = async (screen: Screen, throttled: boolean) => {
    const v = await visit(stack, 'en', screen, 'performance');
    const cdp = await v.context.newCDPSession(v.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttled) {
      // A mid-range phone on a good mobile network: CPU 4× slower, 9 Mbit/s, 40 ms round trips.
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 40,
        downloadThroughput: (9 * 1024 * 1024) / 8,
        uploadThroughput: (2 * 1024 * 1024) / 8,
      });
    }
    await v.page.goto(`${stack.app.url}/signin/${await signInLink()}`);
    await v.page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    // Measured from a fresh navigation to Managed Companies, signed in, nothing cached.
    await v.page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.startTime + e.duration))).observe({
        type: 'longtask',
        buffered: true,
      });
    });
    await v.page.goto(`${stack.app.url}/companies`);
    await v.page.getByRole('table', { name: `${COMPANIES.toLocaleString('en-US')} companies` }).waitFor({ timeout: 60_000 });
    const shown = (await v.page.evaluate(() => performance.now())) as number;
    // Interactive: typing a search filters the list.
    await v.page.getByLabel('Search by name').fill('Company 0999');
    await v.page.getByRole('table', { name: '1 company' }).waitFor();
    const filtered = (await v.page.evaluate(() => performance.now())) as number;
    const timing = (await v.page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const w = window as unknown as { longTasks: number[] };
      const bytes = performance.getEntriesByType('resource').reduce((n, r) => n + (r as PerformanceResourceTiming).transferSize, nav.transferSize);
      return {
        domContentLoaded: nav.domContentLoadedEventEnd,
        firstContentfulPaint: fcp?.startTime ?? 0,
        lastLongTaskEnd: Math.max(0, ...w.longTasks),
        transferredBytes: bytes,
      };
    })) as { domContentLoaded: number; firstContentfulPaint: number; lastLongTaskEnd: number; transferredBytes: number };
    await v.close();
    const tti = Math.max(shown, timing.lastLongTaskEnd);
    return {
      screen: `${screen.width}×${screen.height}`,
      throttling: throttled ? 'CPU 4×, 9 Mbit/s, 40 ms RTT' : 'none',
      firstContentfulPaintMs: Math.round(timing.firstContentfulPaint),
      tableShownMs: Math.round(shown),
      timeToInteractiveMs: Math.round(tti),
      searchAnsweredAfterMs: Math.round(filtered - shown),
      transferredKiB: +(timing.transferredBytes / 1024).toFixed(1),
    };
  };

  it(`makes Managed Companies with ${COMPANIES.toLocaleString('en-US')} companies interactive quickly on a desktop and on a phone`, async () => {
    const desktop = await timeToInteractive(DESKTOP, false);
    const phone = await timeToInteractive(PHONE, true);
    figures.managedCompanies = { companies: COMPANIES, desktop, phone };
    expect(desktop.timeToInteractiveMs).toBeLessThan(3000);
    expect(phone.timeToInteractiveMs).toBeLessThan(8000);
  }, 180_000);
});
