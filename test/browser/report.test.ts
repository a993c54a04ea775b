/// <reference lib="dom" />
// The monthly client report as its MSP opens it from the console: signed in, the printable page in
// the company's language (German here), checked with axe, printed to A4 as one page.
import fs from 'node:fs';
import path from 'node:path';
import { getAccount } from '../../src/db/accounts.repo';
import { getMemberAnyState } from '../../src/db/members.repo';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { deprovisionUser, provisionUser } from '../../src/domain/provisioning';
import type { Principal } from '../../src/domain/principal';
import { updateSettings } from '../../src/domain/settings';
import { asActor, asOp } from '../helpers/ctx';
import { ARTIFACTS, type Stack, startConsoleStack } from './harness';

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DOCS_IMG = path.join(__dirname, '..', '..', 'docs', 'img');

describe('the monthly report page in Chromium', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startConsoleStack();
  }, 60_000);
  afterAll(() => stack?.close());

  it('opens from Managed Companies, reads in the company’s language and prints on one A4 page', async () => {
    const db = stack.app.rt.db;
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Acme IT Berichte', region: 'eu', ownerEmail: 'owner@bericht.example' }, ['eu']));
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Bäckerei Schmidt', country: 'DE' }));
    await asOp(db, (ctx) => updateSettings(ctx, company.id, { defaultLanguage: 'de', deprovisionLimit: 0 }));
    // October: the IdP pushes twelve people and deactivates three of them.
    const scim: Principal = { kind: 'scim', accountId: company.id, credentialId: 'report-test', label: 'Entra ID', authority: 'owner' };
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const day = new Date(Date.UTC(2026, 9, 1 + i, 9));
      const r = await asActor(
        db,
        scim,
        async (ctx) =>
          provisionUser(
            ctx,
            (await getAccount(ctx.tx, company.id))!,
            {
              userName: `person${i}@baeckerei.example`,
              externalId: null,
              displayName: null,
              givenName: null,
              familyName: null,
              email: `person${i}@baeckerei.example`,
              preferredLanguage: null,
              locale: null,
              attrs: {},
            },
            true,
          ),
        day,
      );
      ids.push(r.member.id);
    }
    for (const [i, id] of ids.slice(0, 3).entries()) {
      await asActor(
        db,
        scim,
        async (ctx) => deprovisionUser(ctx, (await getAccount(ctx.tx, company.id))!, (await getMemberAnyState(ctx.tx, company.id, id))!),
        new Date(Date.UTC(2026, 9, 20 + i, 16)),
      );
    }

    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      await page.goto(`${stack.app.url}/signin/${msp.signInToken}`);
      await page.getByRole('heading', { name: 'Managed Companies' }).waitFor();
      // The row menu's "Monthly report" opens the printable page in a new tab.
      await page.getByRole('button', { name: /More actions for Bäckerei Schmidt/ }).click();
      const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('menuitem', { name: 'Monthly report' }).click()]);
      await report.waitForLoadState();
      expect(report.url()).toContain(`/api/v1/companies/${company.id}/report?format=html`);
      // Last month by the real clock; the October figures are asked for by month.
      await report.goto(`${stack.app.url}/api/v1/companies/${company.id}/report?month=2026-10&format=html`);
      await report.getByRole('heading', { name: 'Bäckerei Schmidt: Monatsbericht Oktober 2026' }).waitFor();
      const text = await report.innerText('body');
      expect(text).toContain('12\nhinzugekommen');
      expect(text).toContain('3\nausgeschieden');
      expect(text).toContain('sofort umgesetzt');
      expect(await report.getAttribute('html', 'lang')).toBe('de');
      // The page's CSP refuses scripts (as it should): axe comes in through the debugger instead.
      await report.evaluate(AXE);
      const violations = await report.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string }> }> } }).axe.run();
        return r.violations.map((v) => v.id);
      });
      expect(violations).toEqual([]);
      fs.mkdirSync(path.join(ARTIFACTS, 'report'), { recursive: true });
      await report.screenshot({ path: path.join(ARTIFACTS, 'report', 'report-de.png'), fullPage: true });
      if (process.env.UPDATE_DOCS_IMG === '1') await report.screenshot({ path: path.join(DOCS_IMG, 'report.png'), fullPage: true });
      // Printed, it is one A4 page per company.
      const pdf = await report.pdf({ format: 'A4', printBackground: true });
      fs.writeFileSync(path.join(ARTIFACTS, 'report', 'report-de.pdf'), pdf);
      expect(/\/Type\s*\/Pages\b[^>]*\/Count\s+(\d+)/.exec(pdf.toString('latin1'))?.[1]).toBe('1');
      await report.close();
    } finally {
      await page.close();
    }
  }, 120_000);
});
