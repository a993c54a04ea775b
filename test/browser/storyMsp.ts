/// <reference lib="dom" />
// The help article from the MSP's side: sign in, Managed Companies (New company with its errors
// in the dialog, search, sort, filter, Clear all), Launch, unlinking (refused, then confirmed),
// linking an account by the code its Owner shares, Technicians, the Audit log, Usage, Templates, Settings, and
// signing out and back in with "Email me a sign-in link".
import type { Page } from 'playwright-core';
import { createMsp } from '../../src/domain/accounts';
import { snapshotUsage } from '../../src/domain/usage';
import { asOp } from '../helpers/ctx';
import { type Stack, type Visit, linkIn, mailTo } from './harness';
import { type Company, setUpLaunchedCompany } from './storyCompany';

const status = (page: Page) => page.getByTestId('status');
const row = (page: Page, text: string | RegExp) => page.getByRole('row', { name: text });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function mspStory(stack: Stack, v: Visit, tag: string): Promise<void> {
  const { page, t } = v;
  const domain = `${tag}.example`;
  const ownerEmail = `owner@${domain}`;
  const msp = await asOp(stack.app.rt.db, (ctx) => createMsp(ctx, { name: `Acme IT ${tag}`, region: 'eu', ownerEmail }, ['eu']));

  // The sign-in page: every way in, and no stray "null".
  await page.goto(`${stack.app.url}/signin`);
  await page.getByRole('heading', { name: t('signin.title') }).waitFor();
  await page.getByRole('button', { name: t('signin.linkSubmit') }).waitFor();
  await v.check('sign in');
  await v.shot('signin', v.lang === 'en' && v.screen.name === 'desktop' ? 'signin' : undefined);

  // The one-time link `msp create` printed.
  await page.goto(`${stack.app.url}/signin/${msp.signInToken}`);
  await page.getByRole('heading', { name: t('companies.title') }).waitFor();
  if (v.lang === 'de') {
    // The person's choice is kept as their language (emails follow it).
    await v.nav('nav.settings');
    await page.getByRole('heading', { name: t('settings.title') }).waitFor();
    if (v.screen.name === 'phone') await page.getByRole('button', { name: t('menu') }).click();
    await page.getByLabel(t('language')).selectOption('de');
    // (On a phone the menu is still open.)
    await page
      .getByRole('navigation', { name: t('nav.label') })
      .getByRole('link', { name: t('nav.companies') })
      .click();
  }
  await page.getByText(t('companies.none')).waitFor();
  await v.check('managed companies (empty)');

  // New company: a mistake is explained beside its field, inside the dialog, in the reader's language.
  const companies: Company[] = [
    { id: '', name: 'Bäckerei Schmidt', owner: `alice@baeckerei-${domain}`, admin: `bob@baeckerei-${domain}` },
    { id: '', name: 'Zahnarzt Müller', owner: `dora@zahnarzt-${domain}`, admin: `emil@zahnarzt-${domain}` },
  ];
  for (const [i, c] of companies.entries()) {
    await page.getByRole('button', { name: t('companies.new') }).click();
    const dialog = page.getByRole('dialog', { name: t('newCompany.title') });
    await dialog.getByLabel(t('newCompany.name')).fill(c.name);
    await dialog.getByLabel(t('newCompany.website')).fill('example.com');
    await dialog.getByLabel(t('newCompany.country')).fill(v.lang === 'de' ? 'Deutschland' : 'Germany');
    await dialog.getByLabel(t('newCompany.address')).fill('Hauptstraße 1');
    if (i === 0) {
      await dialog.getByLabel(t('newCompany.seats')).fill('2000000');
      await dialog.getByRole('button', { name: t('newCompany.add') }).click();
      await dialog.getByText(t('field.tooBig', { n: 1_000_000 })).waitFor();
      await dialog.getByText(t('error.fields')).waitFor();
      expect(await page.getByTestId('alert').innerText()).toBe('');
      // The Close button is on screen and works, even on a phone.
      const close = dialog.getByRole('button', { name: t('close') });
      const box = (await close.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(v.screen.width);
      await v.check('new company dialog with an error');
      await v.shot('new-company-error', v.lang === 'de' && v.screen.name === 'phone' ? 'new-company-phone-de' : undefined);
      await dialog.getByLabel(t('newCompany.seats')).fill('25');
    }
    await dialog.getByRole('button', { name: t('newCompany.add') }).click();
    await status(page)
      .getByText(t('newCompany.added', { name: c.name }))
      .waitFor();
    await row(page, new RegExp(esc(c.name))).waitFor();
  }
  await page.getByRole('table', { name: t('companies.caption', { count: 2 }) }).waitFor();

  // Search, sort, filter, Clear all.
  await page.getByLabel(t('companies.search')).fill('zahn');
  await page.getByRole('table', { name: t('companies.caption', { count: 1 }) }).waitFor();
  await page.getByLabel(t('companies.sortBy')).selectOption('seats');
  await page.getByLabel(t('companies.filter')).selectOption('setup');
  await page.getByRole('button', { name: t('companies.clear') }).click();
  await page.getByRole('table', { name: t('companies.caption', { count: 2 }) }).waitFor();
  expect(await page.getByLabel(t('companies.search')).inputValue()).toBe('');
  await v.check('managed companies');
  await v.shot(
    'managed-companies',
    v.screen.name === 'desktop' ? (v.lang === 'en' ? 'managed-companies' : undefined) : v.lang === 'de' ? 'managed-companies-phone-de' : undefined,
  );

  // Launch into the bakery and set it up.
  const bakery = companies[0]!;
  await page.getByRole('button', { name: t('companies.launchNamed', { name: bakery.name }) }).click();
  await page.getByRole('heading', { name: bakery.name, level: 1 }).waitFor();
  bakery.id = /\/accounts\/([^/]+)\//.exec(page.url())![1]!;
  await setUpLaunchedCompany(stack, v, bakery);
  await page.getByRole('button', { name: t('launch.end') }).click();
  await status(page)
    .getByText(t('launch.ended', { name: bakery.name }))
    .waitFor();
  await page.getByRole('heading', { name: t('companies.title') }).waitFor();

  // Unlinking asks first, naming the company; the dentist has no Owner yet, so it is refused in the dialog.
  const dentist = companies[1]!;
  const unlink = async (c: Company) => {
    await page.getByRole('button', { name: t('companies.moreFor', { name: c.name }) }).click();
    await page.getByRole('menuitem', { name: t('unlink.action') }).click();
    return page.getByRole('alertdialog', { name: t('unlink.title', { name: c.name }) });
  };
  let dialog = await unlink(dentist);
  await dialog.getByText(t('unlink.noOwner', { name: dentist.name })).waitFor();
  await dialog.getByRole('button', { name: t('unlink.confirm') }).click();
  await dialog.getByRole('alert').waitFor();
  expect(await dialog.getByRole('alert').innerText()).toMatch(v.lang === 'de' ? /eigenen Eigentümer/ : /Owner of its own/);
  await v.check('unlink refused');
  await v.shot('unlink-refused');
  await dialog.getByRole('button', { name: t('cancel') }).click();
  dialog = await unlink(bakery);
  await dialog.getByText(t('unlink.explain', { name: bakery.name })).waitFor();
  await dialog.getByRole('button', { name: t('unlink.confirm') }).click();
  await status(page)
    .getByText(new RegExp(esc(t('unlink.done', { name: bakery.name, date: '§' })).split('§')[0]!))
    .waitFor();
  await page.getByRole('table', { name: t('companies.caption', { count: 1 }) }).waitFor();

  // Linking it back: its Owner makes a link code and shares it; the MSP types the code (never an
  // account id) and learns nothing about the account until the Owner approves by email.
  const owner = await v.context
    .browser()!
    .newContext({ locale: v.lang === 'de' ? 'de-DE' : 'en-US', viewport: { width: v.screen.width, height: v.screen.height } });
  const op = await owner.newPage();
  await op.goto(`${stack.app.url}/signin`);
  await op.getByLabel(t('signin.email'), { exact: true }).fill(bakery.owner);
  await op.getByLabel(t('signin.password'), { exact: true }).fill('owner password 123');
  await op.getByRole('button', { name: t('signin.submit') }).click();
  await op.getByRole('heading', { name: bakery.name, level: 1 }).waitFor();
  await op
    .getByRole('navigation', { name: t('account.sections') })
    .getByRole('link', { name: t('tab.policies') })
    .click();
  await op.getByRole('button', { name: t('linkCode.create') }).click();
  const code = (await op.getByTestId('link-code').innerText()).trim();
  expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  await owner.close();
  await page.getByRole('button', { name: t('companies.new') }).click();
  const linkDialog = page.getByRole('dialog', { name: t('newCompany.title') });
  await linkDialog.getByRole('tab', { name: t('newCompany.linkTitle') }).click();
  await linkDialog.getByLabel(t('newCompany.code')).fill('WRONG-CODE');
  await linkDialog.getByRole('button', { name: t('newCompany.link') }).click();
  await linkDialog
    .getByRole('alert')
    .getByText(v.lang === 'de' ? /Verknüpfungscode ist nicht gültig/ : /link code is not valid/)
    .waitFor();
  await linkDialog.getByLabel(t('newCompany.code')).fill(code.toLowerCase());
  await linkDialog.getByRole('button', { name: t('newCompany.link') }).click();
  await linkDialog.getByText(t('link.awaiting_approval')).waitFor({ timeout: 20_000 });
  expect(await linkDialog.innerText()).not.toContain(bakery.id);
  await v.check('link by code');
  await v.shot('link-by-code');
  await linkDialog
    .getByRole('button', { name: t('close') })
    .last()
    .click();
  const approval = linkIn(await mailTo(stack.smtp, bakery.owner, /Acme IT/), 'links');
  expect(
    (await fetch(approval, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) })).status,
  ).toBe(200);
  await page.reload();
  await page.getByRole('table', { name: t('companies.caption', { count: 2 }) }).waitFor();

  // Technicians: added, then removed after a confirmation naming them.
  await v.nav('nav.technicians');
  await page.getByLabel(t('tech.email')).fill(`tech@${domain}`);
  await page
    .getByRole('button', { name: t('tech.add') })
    .last()
    .click();
  await status(page)
    .getByText(t('tech.invited', { email: `tech@${domain}` }))
    .waitFor();
  await page.getByRole('button', { name: t('tech.removeNamed', { who: `tech@${domain}` }) }).click();
  await page
    .getByRole('alertdialog', { name: t('tech.removeTitle', { who: `tech@${domain}` }) })
    .getByRole('button', { name: t('tech.remove') })
    .click();
  await status(page)
    .getByText(t('tech.removed', { who: `tech@${domain}` }))
    .waitFor();
  await v.check('technicians');
  await v.shot('technicians');

  // Audit log: what happened in words, where by name, never an id.
  await v.nav('nav.audit');
  await row(page, new RegExp(`${esc(t('action.company.unlinked'))}.*${esc(bakery.name)}`))
    .first()
    .waitFor();
  await page.getByLabel(t('audit.action')).selectOption('company.unlinked');
  await page.getByRole('table', { name: t('audit.caption', { count: 1 }) }).waitFor();
  const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), await page.getByRole('link', { name: t('audit.csv') }).getAttribute('href'));
  expect(csv.split('\r\n')[1]).toContain('company.unlinked');
  await v.check('audit log');
  await v.shot('audit', v.lang === 'en' && v.screen.name === 'desktop' ? 'audit' : undefined);

  // Usage: today's snapshot per company (seat-days, a chart of seats per day), CSV with a row per company.
  await asOp(stack.app.rt.db, (ctx) => snapshotUsage(ctx, msp.account.id));
  await v.nav('nav.usage');
  await page.getByRole('heading', { name: t('usage.title') }).waitFor();
  for (const c of companies) await row(page, new RegExp(esc(c.name))).waitFor();
  const usageCsv = await page.evaluate(
    async (href) => (await fetch(href!)).text(),
    await page.getByRole('link', { name: t('usage.csv') }).getAttribute('href'),
  );
  expect(usageCsv.split('\r\n')).toHaveLength(companies.length + 2);
  expect(usageCsv).toContain(companies[1]!.name);
  await v.check('usage');
  await v.shot('usage', v.lang === 'en' && v.screen.name === 'desktop' ? 'usage' : undefined);

  // Templates: the bakery's setup saved as a template; the dentist drifts from it and is brought in line.
  await v.nav('nav.templates');
  await page.getByText(t('tpl.none')).waitFor();
  await page.getByLabel(t('tpl.fromCompany')).selectOption({ label: bakery.name });
  await page.getByLabel(t('tpl.name')).fill('Standard');
  await page
    .getByRole('button', { name: t('tpl.create') })
    .last()
    .click();
  await status(page)
    .getByText(t('tpl.created', { name: 'Standard' }))
    .waitFor();
  await row(page, new RegExp(`${esc(bakery.name)}.*${esc(t('tpl.inLine'))}`)).waitFor();
  await v.check('templates (drift)');
  await v.shot('templates', v.lang === 'en' && v.screen.name === 'desktop' ? 'templates' : undefined);
  await page.getByRole('button', { name: t('tpl.applyNamed', { name: dentist.name }) }).click();
  const applyDialog = page.getByRole('alertdialog', { name: t('tpl.applyTitle', { name: dentist.name }) });
  await applyDialog.getByText(t('tpl.willChange')).first().waitFor();
  await v.check('templates (preview)');
  await applyDialog.getByRole('button', { name: t('tpl.apply') }).click();
  await status(page)
    .getByText(new RegExp(esc(dentist.name)))
    .waitFor();
  await page
    .getByRole('button', { name: t('tpl.applyNamed', { name: dentist.name }) })
    .waitFor({ state: 'detached' })
    .catch(() => undefined);

  // Settings: a password to sign in with; an API token revoked after a confirmation.
  await v.nav('nav.settings');
  await page.getByLabel(t('settings.newPassword')).fill('short');
  await page.getByRole('button', { name: t('settings.passwordSet') }).click();
  await page.locator('.field-error', { hasText: t('field.tooShort', { n: 10 }) }).waitFor();
  expect(await page.getByLabel(t('settings.newPassword')).getAttribute('aria-invalid')).toBe('true');
  await page.getByLabel(t('settings.newPassword')).fill('msp owner password 1');
  await page.getByRole('button', { name: t('settings.passwordSet') }).click();
  await status(page).getByText(t('settings.passwordSaved')).waitFor();
  await page.getByLabel(t('tokens.label')).fill('billing sync');
  await page.getByRole('button', { name: t('tokens.create') }).click();
  await page.getByTestId('api-token').waitFor();
  await page.getByRole('button', { name: t('tokens.revokeNamed', { name: 'billing sync' }) }).click();
  await page
    .getByRole('alertdialog', { name: t('tokens.revokeTitle', { name: 'billing sync' }) })
    .getByRole('button', { name: t('tokens.revoke') })
    .click();
  await status(page)
    .getByText(t('tokens.revoked', { name: 'billing sync' }))
    .waitFor();
  await v.check('settings');
  await v.shot('settings');

  // Signed out is not locked out: "Email me a sign-in link" brings the Owner back, once.
  await page.getByRole('button', { name: t('signout') }).click();
  await page.getByRole('heading', { name: t('signin.title') }).waitFor();
  const before = stack.smtp.mails.length;
  await page.getByLabel(t('signin.linkEmail')).fill(ownerEmail.toUpperCase());
  await page.getByRole('button', { name: t('signin.linkSubmit') }).click();
  await page.getByText(t('signin.linkSent', { email: ownerEmail.toUpperCase() })).waitFor();
  const mail = await mailTo(stack.smtp, ownerEmail, /./, before);
  expect(mail.language).toBe(v.lang);
  const signin = new RegExp(`${esc(stack.app.url)}/signin/[A-Za-z0-9_-]+`).exec(mail.text)![0];
  await page.goto(signin);
  await page.getByRole('heading', { name: t('companies.title') }).waitFor();
  await page.getByRole('button', { name: t('signout') }).click();
  await page.getByRole('heading', { name: t('signin.title') }).waitFor();
  expect((await fetch(signin, { redirect: 'manual' })).status).toBe(401);
  // And the password set in Settings works too.
  await page.getByLabel(t('signin.email'), { exact: true }).fill(ownerEmail);
  await page.getByLabel(t('signin.password'), { exact: true }).fill('msp owner password 1');
  await page.getByRole('button', { name: t('signin.submit') }).click();
  await page.getByRole('heading', { name: t('companies.title') }).waitFor();
}
