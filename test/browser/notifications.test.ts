/// <reference lib="dom" />
// The Notifications page in Chromium: add a German contact and a webhook (its secret shown once),
// an event arrives signed with that secret and shows as delivered; remove the webhook.
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { unlinkCompany } from '../../src/domain/links';
import { addManualMember } from '../../src/domain/members';
import { asOp } from '../helpers/ctx';
import { type Receiver, startReceiver, verifySignature } from '../helpers/webhookReceiver';
import { DESKTOP, PHONE, type Stack, mailTo, startConsoleStack, inVisit } from './harness';

describe('the Notifications page in Chromium', () => {
  let stack: Stack;
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
    stack = await startConsoleStack({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '300' });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await rx?.close();
  });

  it.each([
    ['en', DESKTOP],
    ['de', PHONE],
  ] as const)(
    'adds a contact and a webhook, shows the secret once and the delivery [%s]',
    async (lang, screen) => {
      await inVisit(stack, lang, screen, 'notifications', async (v) => {
        const { page, t } = v;
        const db = stack.app.rt.db;
        const tag = `${lang}-${screen.name}`;
        const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `Hooks IT ${tag}`, region: 'eu', ownerEmail: `owner@${tag}.example` }, ['eu']));
        await page.goto(`${stack.app.url}/signin/${msp.signInToken}`);
        await page.getByRole('heading', { name: t('companies.title') }).waitFor();
        await v.nav('nav.notifications');
        await page.getByRole('heading', { name: t('notify.title'), level: 1 }).waitFor();
        await page.getByText(t('notify.noContacts')).waitFor();
        await v.check('notifications (empty)');

        const contact = `alerts@${tag}.example`;
        await page.getByLabel(t('notify.email'), { exact: true }).fill(contact);
        await page.getByLabel(t('notify.language'), { exact: true }).selectOption('de');
        await page.getByRole('button', { name: t('notify.addContact') }).click();
        await page
          .getByRole('row', { name: new RegExp(contact) })
          .getByText(t('notify.language.de'))
          .waitFor();

        const path = `/hook-${tag}`;
        await page.getByLabel(t('notify.url'), { exact: true }).fill(`${rx.url}${path}`);
        await page.getByRole('button', { name: t('notify.addWebhook') }).click();
        const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();
        expect(secret).toMatch(/^whsec_/);
        await page
          .getByRole('row', { name: new RegExp(path) })
          .getByText(t('notify.allEvents'))
          .waitFor();
        await v.check('notifications (secret shown)', { ids: false });

        const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: `Leaving ${tag}`, country: 'DE' }));
        await asOp(db, (ctx) => addManualMember(ctx, { accountId: company.id, email: `boss@leaving-${tag}.example`, group: 'Owners', state: 'active' }));
        await asOp(db, (ctx) => unlinkCompany(ctx, { mspId: msp.account.id, companyId: company.id }));
        const [delivery] = (await rx.waitFor((r) => r.some((x) => x.path === path))).filter((x) => x.path === path);
        expect(verifySignature(delivery!.headers['mspbridge-signature'] as string, delivery!.body, secret)).toBe(true);
        await mailTo(stack.smtp, contact, /aufgehoben/);

        // Read again: the delivery is listed as delivered, and the secret is nowhere any more.
        await page.reload();
        await page.getByRole('heading', { name: t('notify.title'), level: 1 }).waitFor();
        await page
          .getByRole('row', { name: /company\.unlinked/ })
          .getByText(t('notify.status.delivered'))
          .waitFor();
        expect(await page.content()).not.toContain(secret);
        await v.check('notifications (delivered)');
        await v.shot('notifications', lang === 'en' ? 'notifications' : undefined);

        await page.getByRole('button', { name: t('notify.removeWebhookNamed', { name: `${rx.url}${path}` }) }).click();
        const dialog = page.getByRole('alertdialog').or(page.getByRole('dialog'));
        await dialog.getByRole('button', { name: t('notify.removeWebhook') }).click();
        await page.getByText(t('notify.noWebhooks')).waitFor();
      });
    },
    120_000,
  );
});
