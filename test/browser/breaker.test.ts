/// <reference lib="dom" />
// The console's view of the deprovisioning breaker, in Chromium, in English and German: the
// limit under "What pushes do", held removals listed on the Provisioning page with Release and
// Discard (each confirmed), and People marking who is held.
import { getAccount } from '../../src/db/accounts.repo';
import { getMemberAnyState } from '../../src/db/members.repo';
import { startSession } from '../../src/domain/access';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { addManualMember } from '../../src/domain/members';
import { createScimToken } from '../../src/domain/scimTokens';
import { updateSettings } from '../../src/domain/settings';
import { asOp } from '../helpers/ctx';
import { patchOp, scimClientFor, userBody } from '../helpers/scim';
import { DESKTOP, PHONE, type Lang, type Screen, type Stack, startConsoleStack, inVisit } from './harness';

describe('held removals in the console', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it.each([
    ['en', DESKTOP],
    ['de', PHONE],
  ] as Array<[Lang, Screen]>)(
    'lists, releases and discards what the breaker holds [%s]',
    async (lang, screen) => {
      const db = stack.app.rt.db;
      const tag = `${lang}${screen.name}`;
      const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `Breaker MSP ${tag}`, region: 'eu', ownerEmail: `o@${tag}.example` }, ['eu']));
      const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: `Breaker Co ${tag}`, country: 'DE' }));
      const owner = await asOp(db, (ctx) => addManualMember(ctx, { accountId: company.id, email: `owner@${tag}.example`, group: 'Owners', state: 'active' }));
      await asOp(db, (ctx) => updateSettings(ctx, company.id, { deprovisionLimit: 1 }));
      const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
      const scim = scimClientFor(stack.app.url, token, company.id, msp.account.id);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await scim.req<{ id: string }>('POST', '/Users', userBody(`p${i}@${tag}.example`))).body.id);
      for (const id of ids.slice(0, 3)) expect((await scim.req('DELETE', `/Users/${id}`)).status).toBe(204);

      await inVisit(stack, lang, screen, 'breaker', async (v) => {
        const { page, t } = v;
        const s = await asOp(db, async (ctx) => startSession(ctx, (await getMemberAnyState(ctx.tx, company.id, owner.id))!, 'test'));
        await v.context.addCookies([{ name: 'msb_session', value: s.token, url: stack.app.url }]);
        await page.goto(`${stack.app.url}/accounts/${company.id}/provisioning`);
        const section = page.getByRole('region', { name: t('breaker.title') });
        await section.getByText(t('breaker.explain', { n: 1 })).waitFor();
        await section
          .getByRole('row', { name: new RegExp(`p1@${tag}`) })
          .getByText(t('breaker.kind.remove'))
          .waitFor();
        await section.getByRole('row', { name: new RegExp(`p2@${tag}`) }).waitFor();
        expect(await page.getByLabel(t('push.deprovisionLimit')).inputValue()).toBe('1');
        // The request log below shows the IdP's request paths, ids included.
        await v.check('held removals', { ids: false });
        await v.shot('held-removals');

        // Release, confirmed: both apply, the list empties.
        await section.getByRole('button', { name: t('breaker.release') }).click();
        const dialog = page.getByRole('alertdialog', { name: t('breaker.releaseTitle', { count: 2 }) });
        await dialog.getByText(t('breaker.releaseExplain')).waitFor();
        await dialog.getByRole('button', { name: t('breaker.release') }).click();
        await page.getByTestId('status').getByText(t('breaker.released')).waitFor();
        await section.getByText(t('breaker.none')).waitFor();
        const states = await db('members').whereIn('id', ids.slice(0, 3)).pluck('state');
        expect(states).toEqual(['suspended', 'suspended', 'suspended']);

        // A held deactivation: People marks the person; Discard, confirmed, drops it.
        expect((await scim.req('PATCH', `/Users/${ids[3]}`, patchOp({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
        await page.goto(`${stack.app.url}/accounts/${company.id}/members`);
        await page
          .getByRole('row', { name: new RegExp(`p3@${tag}`) })
          .getByText(t('members.heldBreaker', { what: t('breaker.kind.suspend') }))
          .waitFor();
        await v.check('people with a held removal');
        await page
          .getByRole('navigation', { name: t('account.sections') })
          .getByRole('link', { name: t('tab.provisioning') })
          .click();
        await section
          .getByRole('row', { name: new RegExp(`p3@${tag}`) })
          .getByText(t('breaker.kind.suspend'))
          .waitFor();
        await section.getByRole('button', { name: t('breaker.discard') }).click();
        await page
          .getByRole('alertdialog', { name: t('breaker.discardTitle', { count: 1 }) })
          .getByRole('button', { name: t('breaker.discard') })
          .click();
        await page.getByTestId('status').getByText(t('breaker.discarded')).waitFor();
        await section.getByText(t('breaker.none')).waitFor();
        expect(await db('members').where({ id: ids[3] }).first('state')).toEqual({ state: 'invited' });

        // Set the limit back to the default from the form.
        await page.getByLabel(t('push.deprovisionLimit')).fill('10');
        await page
          .getByRole('button', { name: t('policies.save') })
          .first()
          .click();
        await page.getByTestId('status').getByText(t('policies.saved')).waitFor();
        expect((await getAccount(db, company.id))!.settings.deprovisionLimit).toBe(10);
      });
    },
    120_000,
  );
});
