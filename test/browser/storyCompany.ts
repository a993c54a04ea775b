/// <reference lib="dom" />
// The help article inside a launched company: the setup checklist, members (invite, roles given
// and taken, removal), groups, vaults and their items, policies, provisioning (a SCIM token
// listed at once, an IdP pushing people and a group, mapping it by name with a preview, revoking a
// token), and recovering an account.
import type { Page } from 'playwright-core';
import { scimClientFor } from '../helpers/scim';
import { type Stack, type Visit, acceptInvitation, linkIn, mailTo } from './harness';

export interface Company {
  id: string;
  name: string;
  owner: string;
  admin: string;
}

const section = async (v: Visit, key: Parameters<Visit['t']>[0]) => {
  await v.page
    .getByRole('navigation', { name: v.t('account.sections') })
    .getByRole('link', { name: v.t(key) })
    .click();
};
const status = (page: Page) => page.getByTestId('status');
/** A row of a data table, by the text that names it. */
const row = (page: Page, text: string | RegExp) => page.getByRole('row', { name: text });

export async function setUpLaunchedCompany(stack: Stack, v: Visit, c: Company): Promise<void> {
  const { page, t } = v;
  // Setup checklist first, nothing done yet.
  await page.getByRole('heading', { name: t('setup.title') }).waitFor();
  await page
    .getByText(t('setup.progress', { done: 0, total: 6 }))
    .first()
    .waitFor();
  await page
    .getByRole('region', { name: t('launch.banner') })
    .getByText(new RegExp(c.name))
    .waitFor();
  await v.check('setup checklist');
  await v.shot('setup-checklist', v.lang === 'en' && v.screen.name === 'desktop' ? 'setup-checklist' : undefined);

  // Members: the future Owner (a launched technician names the first Owner), an administrator,
  // and someone invited by mistake and removed again.
  await section(v, 'tab.members');
  const invite = async (email: string, group?: string) => {
    await page.getByLabel(t('members.email')).fill(email);
    if (group) await page.getByLabel(t('members.group')).selectOption(group);
    await page.getByRole('button', { name: t('members.invite'), exact: true }).click();
    await status(page).getByText(t('members.invited', { email })).waitFor();
    await row(page, new RegExp(email.replace(/[.]/g, '\\.'))).waitFor();
  };
  await invite(c.owner, 'Owners');
  await invite(c.admin);
  await invite('mistake@example.com');
  // Roles: given and taken (after a confirmation that names the person and the group).
  await page.getByRole('button', { name: t('members.actionsFor', { who: c.admin }) }).click();
  await page.getByRole('menuitem', { name: t('members.makeAdmin') }).click();
  await status(page)
    .getByText(t('members.granted', { who: c.admin, group: t('group.Administrators') }))
    .waitFor();
  await page.getByRole('button', { name: t('members.actionsFor', { who: c.admin }) }).click();
  await page.getByRole('menuitem', { name: t('members.removeFrom', { group: t('group.Administrators') }) }).click();
  const roleDialog = page.getByRole('alertdialog', { name: t('members.removeRoleTitle', { who: c.admin, group: t('group.Administrators') }) });
  await v.check('remove role dialog');
  await v.shot('remove-role-confirm');
  await roleDialog.getByRole('button', { name: t('members.removeRoleConfirm') }).click();
  await status(page)
    .getByText(t('members.roleRemoved', { who: c.admin, group: t('group.Administrators') }))
    .waitFor();
  await page.getByRole('button', { name: t('members.actionsFor', { who: c.admin }) }).click();
  await page.getByRole('menuitem', { name: t('members.makeAdmin') }).click();
  await status(page)
    .getByText(t('members.granted', { who: c.admin, group: t('group.Administrators') }))
    .waitFor();
  // Removing a person names them and asks first.
  await page.getByRole('button', { name: t('members.actionsFor', { who: 'mistake@example.com' }) }).click();
  await page.getByRole('menuitem', { name: t('members.remove') }).click();
  await page
    .getByRole('alertdialog', { name: t('members.removeTitle', { who: 'mistake@example.com' }) })
    .getByRole('button', { name: t('members.removeConfirm') })
    .click();
  await status(page)
    .getByText(t('members.removed', { who: 'mistake@example.com' }))
    .waitFor();
  await row(page, /mistake@example\.com/).waitFor({ state: 'detached' });
  await v.check('members');
  await v.shot('members', v.lang === 'de' && v.screen.name === 'phone' ? 'members-phone-de' : undefined);

  // Groups: built-in ones in the reader's language, a custom one.
  await section(v, 'tab.groups');
  await row(page, new RegExp(t('group.Administrators'))).waitFor();
  await page.getByLabel(t('groups.name')).fill('Filialen');
  await page.getByRole('button', { name: t('groups.create') }).click();
  await row(page, /Filialen/).waitFor();
  await v.check('groups');

  // Vaults: create one, give yourself access (audited), view it: vault and company named,
  // categories in words.
  await section(v, 'tab.vaults');
  await page.getByLabel(t('vaults.name')).fill('Kasse');
  await page.getByRole('button', { name: t('vaults.create') }).click();
  await row(page, /Kasse/)
    .getByRole('button', { name: t('vaults.giveMyself') })
    .click();
  await status(page)
    .getByText(t('vaults.selfGranted', { name: 'Kasse' }))
    .waitFor();
  await v.shot('vaults');
  await page.getByRole('link', { name: t('vaults.viewNamed', { name: 'Kasse' }) }).click();
  await page.getByRole('heading', { name: t('items.title', { vault: 'Kasse', company: c.name }) }).waitFor();
  await page.getByLabel(t('items.itemTitle')).fill('Online banking');
  await page.getByRole('button', { name: t('items.add') }).click();
  await row(page, new RegExp(`Online banking.*${t('category.login')}`)).waitFor();
  await v.check('vault items');
  await v.shot('vault-items');

  // Policies: team policies saved with a message; the Owners-only part says why it is locked.
  await section(v, 'tab.policies');
  await page.getByLabel(t('policies.minLength')).fill('14');
  await page.getByLabel(t('policies.twoFactor')).check();
  await page
    .getByRole('button', { name: t('policies.save') })
    .first()
    .click();
  await status(page).getByText(t('policies.saved')).waitFor();
  await page.getByText(t('policies.ownersOnly')).first().waitFor();
  expect(await page.getByLabel(t('policies.selfAccess')).isDisabled()).toBe(true);
  await v.check('policies');

  // Provisioning: a SCIM token is shown once and listed at once; a second one is revoked after
  // a confirmation naming it.
  await section(v, 'tab.provisioning');
  await page.getByLabel(t('scim.label')).fill('Entra ID');
  await page.getByRole('button', { name: t('scim.createToken') }).click();
  const token = (await page.getByTestId('scim-token').innerText()).trim();
  expect(token).toMatch(/^msb_scim_/);
  await row(page, /Entra ID/).waitFor();
  await page.getByTestId('scim-token').locator('xpath=following-sibling::button').click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await page.getByLabel(t('scim.label')).fill('old');
  await page.getByRole('button', { name: t('scim.createToken') }).click();
  await page.getByRole('button', { name: t('scim.revokeNamed', { name: 'old' }) }).click();
  await page
    .getByRole('alertdialog', { name: t('scim.revokeTitle', { name: 'old' }) })
    .getByRole('button', { name: t('scim.revoke') })
    .click();
  await status(page)
    .getByText(t('scim.revokedNamed', { name: 'old' }))
    .waitFor();
  await row(page, new RegExp(`old.*${t('scim.revoked')}`)).waitFor();

  // The IdP pushes a person (with a name and a language) and a group.
  const scim = scimClientFor(stack.app.url, token, c.id);
  const carla = await scim.req<{ id: string }>('POST', '/Users', {
    userName: `carla@${c.id.slice(0, 8)}.example`,
    name: { givenName: 'Carla', familyName: 'Schmidt' },
    displayName: 'Carla Schmidt',
    preferredLanguage: v.lang,
    emails: [{ value: `carla@${c.id.slice(0, 8)}.example`, primary: true }],
  });
  expect(carla.status).toBe(201);
  const group = await scim.req<{ id: string }>('POST', '/Groups', { displayName: 'Filialleitung', members: [{ value: carla.body.id }] });
  expect(group.status).toBe(201);
  // Her invitation, in her language, does not claim the company invited her to itself.
  const invitation = await mailTo(stack.smtp, `carla@${c.id.slice(0, 8)}.example`, /./);
  expect(invitation.language).toBe(v.lang);
  expect(invitation.text).not.toContain(`${c.name} invited you to join ${c.name}`);
  expect(invitation.text).not.toContain(`${c.name} hat Sie zu ${c.name}`);

  // Mapping by the name the IdP pushed (a picker, not an id), previewed, then applied.
  // The request log is written in batches: Refresh until the push shows.
  for (let i = 0; i < 40 && !(await row(page, /POST \/Groups/).count()); i++) {
    await page.getByRole('button', { name: t('refresh') }).click();
    await page.waitForTimeout(250);
  }
  await row(page, /POST \/Groups/).waitFor();
  await page.getByRole('combobox', { name: t('mapping.idpGroup') }).fill('Filial');
  await page.getByRole('option', { name: /Filialleitung/ }).click();
  await page.getByLabel(t('mapping.target')).selectOption('Administrators');
  await page.getByRole('button', { name: t('mapping.preview') }).click();
  await page.getByText(t('change.gain', { who: `carla@${c.id.slice(0, 8)}.example`, group: t('group.Administrators') })).waitFor();
  await v.check('provisioning with a preview');
  await v.shot('mapping-preview', v.lang === 'en' && v.screen.name === 'desktop' ? 'provisioning' : undefined);
  await page.getByRole('button', { name: t('mapping.apply') }).click();
  await status(page)
    .getByText(t('mapping.applied', { count: 2 }).split(';')[0]!)
    .waitFor();
  await row(page, new RegExp(`Filialleitung.*${t('group.Administrators')}`)).waitFor();
  await v.shot('provisioning');

  // Members: Carla by name beside her email; the IdP manages her, so no roles or resending here.
  await section(v, 'tab.members');
  const carlaRow = row(page, /Carla Schmidt/);
  await carlaRow.getByText(`carla@${c.id.slice(0, 8)}.example`).waitFor();
  await carlaRow.getByText(t('members.managedInIdp')).waitFor();
  expect(await carlaRow.getByRole('button').count()).toBe(0);

  // Recover accounts: the two people accept, Bob's recovery is started by picking him by name.
  await acceptInvitation(stack.smtp, c.owner, 'owner password 123');
  await acceptInvitation(stack.smtp, c.admin, 'admin password 123');
  await section(v, 'tab.recovery');
  await page.getByRole('heading', { name: t('tab.recovery') }).waitFor();
  await page.getByRole('combobox', { name: t('recovery.member') }).fill(c.admin.slice(0, 4));
  await page.getByRole('option', { name: new RegExp(c.admin.replace(/[.]/g, '\\.')) }).click();
  await page.getByRole('button', { name: t('recovery.start') }).click();
  await status(page)
    .getByText(t('recovery.started', { who: c.admin }))
    .waitFor();
  const rec = linkIn(await mailTo(stack.smtp, c.admin, /Recover|Wiederherstell|Konto/), 'recovery');
  expect(
    (await fetch(rec, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'admin new password 9' }) })).status,
  ).toBe(200);
  await section(v, 'tab.members');
  await section(v, 'tab.recovery');
  await page.getByRole('button', { name: t('recovery.completeFor', { who: c.admin }) }).click();
  await status(page)
    .getByText(t('recovery.completed', { who: c.admin }))
    .waitFor();
  await v.check('recovery');
  await v.shot('recovery');

  // The checklist follows what exists.
  await section(v, 'tab.setup');
  await page
    .getByText(t('setup.progress', { done: 5, total: 6 }))
    .first()
    .waitFor();
}
