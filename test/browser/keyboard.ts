/// <reference lib="dom" />
// The console from the keyboard alone: a sensible tab order, New company's dialog taking and
// giving back focus, a row's actions menu and its confirmation, the sign-in page.
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { asOp } from '../helpers/ctx';
import type { Stack, Visit } from './harness';

export async function keyboardStory(stack: Stack, v: Visit): Promise<void> {
  const { page, t } = v;
  const msp = await asOp(stack.app.rt.db, (ctx) => createMsp(ctx, { name: 'Keyboard IT', region: 'eu', ownerEmail: 'keys@keyboard.example' }, ['eu']));
  await asOp(stack.app.rt.db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Tastatur GmbH', country: 'DE' }));
  await page.goto(`${stack.app.url}/signin/${msp.signInToken}`);
  await page.getByRole('heading', { name: t('companies.title') }).waitFor();
  await page.reload();
  await page.getByRole('row', { name: /Tastatur GmbH/ }).waitFor();
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement;
      const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '';
      return label.trim();
    });
  /** Focus moves back after a dialog's exit animation: the label focus settles on (or the last one seen after 3 s). */
  const settledFocus = async (expected: string): Promise<string> => {
    const until = Date.now() + 3000;
    let now = await focused();
    while (now !== expected && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      now = await focused();
    }
    return now;
  };
  const order: string[] = [];
  // Enough stops for the header, every sidebar link (the MSP's pages grew) and the page's toolbar.
  for (let i = 0; i < 22; i++) {
    await page.keyboard.press('Tab');
    order.push(await focused());
  }
  expect(order[0]).toBe(t('skip'));
  const idx = (name: string) => order.indexOf(name);
  // Header, the sidebar, then the page in reading order.
  const expected = [
    t('signout'),
    t('nav.companies'),
    t('nav.technicians'),
    t('nav.settings'),
    t('language'),
    t('companies.new'),
    t('companies.search'),
    t('companies.sortBy'),
    t('companies.filter'),
    t('companies.clear'),
  ];
  expect(expected.map(idx).every((n, i, all) => n > 0 && (i === 0 || n > all[i - 1]!))).toBe(true);

  // New company from the keyboard: focus goes into the dialog, Escape closes it and focus comes back.
  while ((await focused()) !== t('companies.new')) await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: t('newCompany.title') });
  await dialog.waitFor();
  expect(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null)).toBe(true);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await settledFocus(t('companies.new'))).toBe(t('companies.new'));

  // A row's actions: the menu opens on Enter on its first item, the arrow keys move to the next,
  // and an item opens a confirmation naming the company.
  await page.getByRole('button', { name: t('companies.moreFor', { name: 'Tastatur GmbH' }) }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: t('unlink.action') }).waitFor();
  expect(await settledFocus(t('seats.action'))).toBe(t('seats.action'));
  await page.keyboard.press('ArrowDown');
  expect(await settledFocus(t('report.open'))).toBe(t('report.open'));
  await page.keyboard.press('ArrowDown');
  expect(await settledFocus(t('unlink.action'))).toBe(t('unlink.action'));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('alertdialog', { name: t('unlink.title', { name: 'Tastatur GmbH' }) });
  await confirm.waitFor();
  // The safe choice has the focus.
  expect(await settledFocus(t('cancel'))).toBe(t('cancel'));
  await v.shot('keyboard-confirm');
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });

  // Signed out, the sign-in page is reached in order too.
  await page.getByRole('button', { name: t('signout') }).click();
  await page.getByRole('heading', { name: t('signin.title') }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: t('signin.title') }).waitFor();
  const signin: string[] = [];
  for (let i = 0; i < 7; i++) {
    await page.keyboard.press('Tab');
    signin.push(await focused());
  }
  expect(signin).toEqual([
    t('skip'),
    t('language'),
    t('signin.email'),
    t('signin.password'),
    t('signin.submit'),
    t('signin.linkEmail'),
    t('signin.linkSubmit'),
  ]);
}
