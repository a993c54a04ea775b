/// <reference lib="dom" />
// Seat caps and technician scope in Chromium, in English and German: the "At cap" mark and the
// MSP's seat dialog with its banner, raising the cap, the company console's banner after a launch,
// the MSP Owner's technician-scope setting and a technician's assigned companies.
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { addManualMember } from '../../src/domain/members';
import { updateCompanySeats } from '../../src/domain/seatCaps';
import { asOp } from '../helpers/ctx';
import { DESKTOP, type Lang, type Stack, startConsoleStack, inVisit } from './harness';

describe('seat caps and technician scope in the console', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it.each(['en', 'de'] as Lang[])(
    'shows the seat cap banner, changes the cap and assigns companies [%s]',
    async (lang) => {
      const db = stack.app.rt.db;
      const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `Cap IT ${lang}`, region: 'eu', ownerEmail: `owner@cap-${lang}.example` }, ['eu']));
      const mspId = msp.account.id;
      const full = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: `Praxis Voll ${lang}`, country: 'DE', seats: 2 }));
      const open = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: `Kanzlei Offen ${lang}`, country: 'DE' }));
      for (const who of ['a', 'b'])
        await asOp(db, (ctx) => addManualMember(ctx, { accountId: full.id, email: `${who}@voll-${lang}.example`, group: 'Owners' }));
      await asOp(db, (ctx) => addManualMember(ctx, { accountId: mspId, email: `tech@cap-${lang}.example`, group: 'MSP Technicians', state: 'active' }));

      await inVisit(stack, lang, DESKTOP, 'seats', async (v) => {
        const { page, t } = v;
        await page.goto(`${stack.app.url}/signin/${msp.signInToken}`);
        await page.getByRole('heading', { name: t('companies.title') }).waitFor();
        if (lang === 'de') {
          await v.nav('nav.settings');
          await page.getByLabel(t('language')).selectOption('de');
          await v.nav('nav.companies');
        }
        // The list marks the company at its cap; the default allowance is not called a cap.
        const fullRow = page.getByRole('row', { name: new RegExp(full.name) });
        await fullRow.getByText(t('seats.capped', { filled: 2, total: 2 })).waitFor();
        await fullRow.getByText(t('seats.atCap')).waitFor();
        await page
          .getByRole('row', { name: new RegExp(open.name) })
          .getByText(t('companies.seatsOf', { filled: 0, total: 10 }))
          .waitFor();
        await v.check('companies with a company at its cap');

        // The MSP's view of the company: the banner, then a higher cap.
        await page.getByRole('button', { name: t('companies.moreFor', { name: full.name }) }).click();
        await page.getByRole('menuitem', { name: t('seats.action') }).click();
        const dialog = page.getByRole('dialog', { name: t('seats.title', { name: full.name }) });
        await dialog
          .getByTestId('seat-cap-banner')
          .getByText(t('seats.bannerMsp', { name: full.name, filled: 2, total: 2 }))
          .waitFor();
        await v.check('seat dialog at the cap');
        await v.shot('seat-dialog');
        await dialog.getByLabel(t('seats.label')).fill('lots');
        await dialog.getByRole('button', { name: t('seats.save') }).click();
        await dialog.getByText(t('field.wholeNumber')).waitFor();
        await dialog.getByLabel(t('seats.label')).fill('3');
        await dialog.getByRole('button', { name: t('seats.save') }).click();
        await page
          .getByTestId('status')
          .getByText(t('seats.saved', { name: full.name, total: 3 }))
          .waitFor();
        await fullRow.getByText(t('seats.capped', { filled: 2, total: 3 })).waitFor();
        expect(await fullRow.getByText(t('seats.atCap')).count()).toBe(0);

        // Lowered back to 2 (as another MSP admin might), the company console shows the banner after a launch.
        await asOp(db, (ctx) => updateCompanySeats(ctx, { mspId, companyId: full.id, seats: 2 }));
        await page.reload();
        await page.getByRole('button', { name: t('companies.launchNamed', { name: full.name }) }).click();
        await page
          .getByRole('region', { name: t('seats.region') })
          .getByText(t('seats.banner', { name: full.name, filled: 2, total: 2 }))
          .waitFor();
        await v.check('company console at its cap');
        await v.shot('company-banner');
        await page.getByRole('button', { name: t('launch.end') }).click();
        await page.getByRole('heading', { name: t('companies.title') }).waitFor();

        // Settings: the MSP's Owner scopes technicians to assigned companies.
        await v.nav('nav.settings');
        const scope = page.getByRole('form', { name: t('scope.title') });
        await scope.getByLabel(t('scope.label')).selectOption('assigned');
        await scope.getByRole('button', { name: t('scope.save') }).click();
        await page.getByTestId('status').getByText(t('scope.saved')).waitFor();
        await v.check('technician scope');

        // Technicians → Companies: assign one, then take it back.
        await v.nav('nav.technicians');
        await page.getByRole('button', { name: t('assign.actionNamed', { who: `tech@cap-${lang}.example` }) }).click();
        const assign = page.getByRole('dialog', { name: t('assign.title', { who: `tech@cap-${lang}.example` }) });
        await assign.getByText(t('assign.none')).waitFor();
        await assign.getByLabel(t('assign.company')).selectOption({ label: open.name });
        await assign.getByRole('button', { name: t('assign.add') }).click();
        await assign.getByRole('rowheader', { name: open.name }).waitFor();
        await v.check('assigned companies');
        await v.shot('assignments');
        const rows = await db('technician_assignments').where({ msp_id: mspId, company_id: open.id });
        expect(rows).toHaveLength(1);
        await assign.getByRole('button', { name: t('assign.removeNamed', { name: open.name }) }).click();
        await assign.getByText(t('assign.none')).waitFor();
        expect(await db('technician_assignments').where({ msp_id: mspId })).toHaveLength(0);
      });
    },
    180_000,
  );
});
