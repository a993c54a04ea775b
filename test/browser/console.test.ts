/// <reference lib="dom" />
// The console in a real browser (Debian's Chromium driven by playwright-core): the help article's
// story page by page, with screenshots under test-artifacts/console, axe-core checks and keyboard use.
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { createMsp } from '../../src/domain/accounts';
import { startStack, type TestApp } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { scimClientFor } from '../helpers/scim';
import { linkIn, startSmtp, type TestSmtp } from '../helpers/smtp';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed for the console tests (apt-get install -y chromium); not found at ${CHROMIUM}`);

describe('the console in Chromium [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let signInUrl: string;
  const shots: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtp();
    app = await startStack('sqlite', { smtpUrl: smtp.url });
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Console IT', region: 'eu', ownerEmail: 'owner@console.example' }, ['eu']));
    signInUrl = `${app.url}/signin/${msp.signInToken}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await smtp?.close();
  });

  const shot = async (name: string) => {
    const file = path.join(ARTIFACTS, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  };
  /** axe-core on the current page: no serious or critical violation, and every field labelled. */
  const accessible = async (where: string) => {
    // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') stays on.
    await page.evaluate(AXE);
    const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> };
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'label');
    expect({ where, violations: bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) }).toEqual({ where, violations: [] });
  };
  const mail = async (to: string, subject: RegExp) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const m = smtp.mails.find((x) => x.to.includes(to) && subject.test(x.subject));
      if (m) return m;
      if (Date.now() > until) throw new Error(`no "${subject}" email for ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const acceptInvitation = async (to: string, password: string) => {
    const link = linkIn(await mail(to, /invited/), 'invitations');
    expect((await fetch(link, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) })).status).toBe(200);
  };
  const alertText = () => page.locator('#alert').innerText();
  const statusText = () => page.locator('#status').innerText();

  it('runs the help article’s story', async () => {
    // Sign in with the one-time link.
    await page.goto(signInUrl);
    await page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    await accessible('companies (empty)');

    // Add two companies through "New company".
    for (const [name, country] of [['Bäckerei Schmidt', 'Austria'], ['Zahnarzt Müller', 'Germany']]) {
      await page.getByRole('button', { name: 'New company' }).click();
      const dialog = page.getByRole('dialog', { name: 'New company' });
      await dialog.getByLabel('Company name').fill(name!);
      await dialog.getByLabel('Website (optional)').fill('example.com');
      await dialog.getByLabel('Country/region').fill(country!);
      await dialog.getByLabel('Address (optional)').fill('Hauptstraße 1');
      if (name === 'Bäckerei Schmidt') {
        await accessible('new company dialog');
        await shot('new-company');
      }
      await dialog.getByRole('button', { name: 'Add company' }).click();
      await page.getByRole('row', { name: new RegExp(name!) }).waitFor();
    }
    expect(await statusText()).toContain('Zahnarzt Müller was added.');
    // Search, sort, filter, Clear all.
    await page.getByLabel('Search by name').fill('zahn');
    await page.getByRole('cell', { name: '1–1 of 1' }).or(page.getByText('1–1 of 1')).first().waitFor();
    await page.getByLabel('Sort by').selectOption('seats');
    await page.getByLabel('Status').selectOption('setup');
    await shot('companies-filtered');
    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.getByText('1–2 of 2').waitFor();
    expect(await page.getByLabel('Search by name').inputValue()).toBe('');
    await shot('companies');
    await accessible('companies');

    // Launch into the bakery.
    await page.getByRole('button', { name: 'Launch into Bäckerei Schmidt' }).click();
    await page.getByRole('heading', { name: 'Bäckerei Schmidt' }).waitFor();
    await expect(page.getByText(/as an administrator for your MSP/).isVisible()).resolves.toBe(true);

    // Invite the future Owner and a member; make her Owner (co-own).
    await page.getByLabel('Email').fill('alice@baeckerei.example');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('row', { name: /alice@baeckerei\.example/ }).waitFor();
    await page.getByRole('row', { name: /alice@baeckerei\.example/ }).getByRole('button', { name: 'Make Owner' }).click();
    await page.getByRole('row', { name: /alice@baeckerei\.example.*Owners/ }).waitFor();
    await page.getByLabel('Email').fill('bob@baeckerei.example');
    await page.getByLabel('Group').selectOption('Administrators');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('row', { name: /bob@baeckerei\.example/ }).waitFor();
    await shot('members');
    await accessible('members');

    // Unlinking is refused while Alice has not accepted: the page says why.
    await page.getByRole('link', { name: 'Managed Companies' }).click();
    await page.locator('summary[aria-label="More actions for Bäckerei Schmidt"]').click();
    const bakery = page.getByRole('row', { name: /Bäckerei Schmidt/ });
    await bakery.getByText(/14-day free trial/).waitFor();
    await shot('unlink-menu');
    await bakery.getByRole('button', { name: 'Unlink this company' }).click();
    await page.locator('#alert').waitFor({ state: 'visible' });
    expect(await alertText()).toMatch(/needs an Owner of its own who has accepted/);
    await acceptInvitation('alice@baeckerei.example', 'alice password 123');
    await acceptInvitation('bob@baeckerei.example', 'bob password 1234');

    // Back inside: a vault, self-access, its items.
    await page.getByRole('button', { name: 'Launch into Bäckerei Schmidt' }).click();
    await page.getByRole('link', { name: 'Vaults' }).click();
    await page.getByLabel('New vault').fill('Kasse');
    await page.getByRole('button', { name: 'Create vault' }).click();
    await page.getByRole('row', { name: /Kasse/ }).getByRole('button', { name: 'Give yourself access' }).click();
    await page.getByText(/You now have access to Kasse/).waitFor();
    await shot('vaults');
    await page.getByRole('link', { name: 'Kasse' }).click();
    await page.getByLabel('New item title').fill('Online banking');
    await page.getByRole('button', { name: 'Add item' }).click();
    await page.getByRole('row', { name: /Online banking/ }).waitFor();
    await shot('vault-items');
    await accessible('vault items');

    // Recovery of Bob.
    await page.goBack();
    await page.getByRole('link', { name: 'Recovery' }).click();
    await page.getByLabel('Member').selectOption({ label: 'bob@baeckerei.example' });
    await page.getByRole('button', { name: 'Start recovery' }).click();
    await page.getByText(/A recovery email is on its way/).waitFor();
    const rec = linkIn(await mail('bob@baeckerei.example', /Recover/), 'recovery');
    expect((await fetch(rec, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'bob new password 9' }) })).status).toBe(200);
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('link', { name: 'Recovery' }).click();
    await page.getByRole('button', { name: 'Complete recovery' }).click();
    await page.getByText(/The recovery of bob@baeckerei\.example is complete/).waitFor();
    await shot('recovery');
    await accessible('recovery');

    // Policies.
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByLabel('Minimum password length').fill('14');
    await page.getByLabel('Require two-factor authentication').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.getByLabel('MSP technicians may give themselves access to vaults').isDisabled()).toBe(true);
    await shot('policies');
    await accessible('policies');

    // Provisioning: a SCIM token shown once, the IdP pushes a group, map it with a preview.
    await page.getByRole('link', { name: 'Provisioning' }).click();
    await page.getByRole('button', { name: 'Create SCIM token' }).click();
    const token = (await page.getByTestId('scim-token').innerText()).trim();
    expect(token).toMatch(/^msb_scim_/);
    await page.getByTestId('scim-token').locator('xpath=following-sibling::button').click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    const companyId = /#\/a\/([^/]+)\//.exec(page.url())![1]!;
    const scim = scimClientFor(app.url, token, companyId);
    const pushed = await scim.req<{ id: string }>('POST', '/Users', { userName: 'carla@baeckerei.example', emails: [{ value: 'carla@baeckerei.example', primary: true }] });
    const group = await scim.req<{ id: string }>('POST', '/Groups', { displayName: 'Filialleitung', members: [{ value: pushed.body.id }] });
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('link', { name: 'Provisioning' }).click();
    await page.getByLabel('IdP group (SCIM id or externalId)').fill(group.body.id);
    await page.getByLabel('Maps to').selectOption('Administrators');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('carla@baeckerei.example gains Administrators').waitFor();
    await shot('mapping-preview');
    await page.getByRole('button', { name: 'Apply mapping' }).click();
    await page.getByText(/Mapping applied/).waitFor();
    await page.getByRole('button', { name: 'Resync all roles' }).click();
    await page.getByText(/Resync finished; 0 role changes/).waitFor();
    await page.getByRole('row', { name: /POST \/Groups/ }).waitFor();
    await shot('provisioning');
    await accessible('provisioning');

    // End the launch, unlink (Alice accepted now).
    await page.getByRole('button', { name: 'End launch' }).click();
    await page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    await page.locator('summary[aria-label="More actions for Bäckerei Schmidt"]').click();
    await page.getByRole('row', { name: /Bäckerei Schmidt/ }).getByRole('button', { name: 'Unlink this company' }).click();
    await page.getByText(/Bäckerei Schmidt is unlinked; its free trial ends/).waitFor();
    await page.getByText('1–1 of 1').waitFor();

    // MSP settings: technicians, API tokens, audit log with CSV, jobs.
    await page.getByRole('link', { name: 'Technicians' }).click();
    await page.getByLabel('Email').fill('tech@console.example');
    await page.getByRole('button', { name: 'Add technician' }).click();
    await page.getByRole('row', { name: /tech@console\.example/ }).waitFor();
    await shot('technicians');
    await accessible('technicians');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Label (optional)').fill('billing sync');
    await page.getByRole('button', { name: 'Create API token' }).click();
    await page.getByText(/shown once/).waitFor();
    await shot('api-tokens');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('company.unlinked');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('row', { name: /company\.unlinked/ }).waitFor();
    const csvHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), csvHref);
    expect(csv.split('\r\n')[1]).toContain('company.unlinked');
    await shot('audit');
    await accessible('audit');
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('link', { name: 'Open the jobs dashboard' }).click();
    await page.waitForURL(/\/console\/jobs/);
    await page.getByText('invitations').first().waitFor({ timeout: 15_000 });
    await shot('jobs');

    // Sign out.
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await accessible('sign in');
    await shot('signed-out');
    expect(shots.length).toBeGreaterThanOrEqual(15);
  }, 180_000);

  it('works from the keyboard: tab order, the ellipsis menu and the dialog', async () => {
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Keyboard IT', region: 'eu', ownerEmail: 'keys@keyboard.example' }, ['eu']));
    await page.goto(`${app.url}/signin/${msp.signInToken}`);
    await page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    const focused = () => page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      return (el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    });
    const order: string[] = [];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    expect(order[0]).toBe('Skip to content');
    // The toolbar in reading order: search, sort, filter, Clear all, New company.
    const idx = (name: string) => order.indexOf(name);
    expect(idx('Search by name')).toBeGreaterThan(0);
    expect([idx('Search by name'), idx('Sort by'), idx('Status'), idx('Clear all'), idx('New company')].every((v, i, a) => v > 0 && (i === 0 || v > a[i - 1]!))).toBe(true);
    // New company opens a modal dialog from the keyboard, with focus inside; Escape closes it.
    while ((await focused()) !== 'New company') await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New company' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Add a company, then open its ellipsis menu with the keyboard.
    await page.getByRole('button', { name: 'New company' }).click();
    await page.getByRole('dialog').getByLabel('Company name').fill('Tastatur GmbH');
    await page.getByRole('dialog').getByLabel('Country/region').fill('Germany');
    await page.getByRole('dialog').getByLabel('Company name').press('Enter');
    await page.getByRole('row', { name: /Tastatur GmbH/ }).waitFor();
    await page.locator('summary[aria-label="More actions for Tastatur GmbH"]').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('row', { name: /Tastatur GmbH/ }).getByRole('button', { name: 'Unlink this company' }).waitFor();
    await shot('keyboard-menu');
    // Signed out, the sign-in form is reached in order too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const signin: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      signin.push(await focused());
    }
    expect(signin).toEqual(['Skip to content', 'Language', 'Email', 'Password', 'Sign in']);
  });

  it('renders Managed Companies in English and German', async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 800 } });
    const de = await context.newPage();
    const msp = await asOp(app.rt.db, (ctx) => createMsp(ctx, { name: 'Sprachen IT', region: 'eu', ownerEmail: 'inhaber@sprachen.example' }, ['eu']));
    await de.goto(`${app.url}/signin/${msp.signInToken}`);
    await de.getByRole('heading', { name: 'Unternehmen verwalten' }).waitFor();
    expect(await de.evaluate(() => document.documentElement.lang)).toBe('de');
    await de.getByRole('button', { name: 'Neues Unternehmen' }).click();
    await de.getByRole('heading', { name: 'Eine Firma hinzufügen' }).waitFor();
    await de.getByLabel('Name des Unternehmens').fill('Café Zentral');
    await de.getByLabel('Land/Region').fill('Österreich');
    await de.getByLabel('Plätze').fill('1234');
    await de.getByRole('button', { name: 'Unternehmen hinzufügen' }).click();
    await de.getByRole('row', { name: /Café Zentral/ }).waitFor();
    // Seat counts by locale: 1.234 in German.
    await de.getByText('0 von 1.234').waitFor();
    await de.screenshot({ path: path.join(ARTIFACTS, 'companies-de.png'), fullPage: true });
    await de.getByLabel('Sprache').selectOption('en');
    await de.getByRole('heading', { name: 'Managed Companies' }).waitFor();
    await de.getByText('0 of 1,234').waitFor();
    expect(await de.evaluate(() => document.documentElement.lang)).toBe('en');
    await de.screenshot({ path: path.join(ARTIFACTS, 'companies-en.png'), fullPage: true });
    await context.close();
  });
});
