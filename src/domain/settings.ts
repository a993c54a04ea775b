// Per-account settings an Owner/Administrator (or the operator) may change.
import { type AccountSettings, updateAccount } from '../db/accounts.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Invalid } from './errors';
import { auditMspOf, requireAccount } from './tenancy';
import { assertAccountAdmin } from './roles';

export interface SettingsPatch {
  scimDeleteMode?: 'suspend' | 'remove';
  adoptExistingMembers?: boolean;
  unmappedGroupsAsCustom?: boolean;
  technicianSelfAccess?: boolean;
  defaultLanguage?: 'en' | 'de';
}

export async function updateSettings(ctx: Ctx, accountId: string, patch: SettingsPatch): Promise<AccountSettings & { defaultLanguage: string }> {
  await assertAccountAdmin(ctx, accountId);
  const account = await requireAccount(ctx, accountId);
  if (patch.scimDeleteMode && !['suspend', 'remove'].includes(patch.scimDeleteMode)) {
    throw new Invalid('settings.scimDeleteMode.invalid', 'scimDeleteMode is "suspend" or "remove".');
  }
  if (patch.defaultLanguage && !['en', 'de'].includes(patch.defaultLanguage)) {
    throw new Invalid('settings.defaultLanguage.invalid', 'defaultLanguage is "en" or "de".');
  }
  const { defaultLanguage, ...rest } = patch;
  const settings: AccountSettings = { ...account.settings };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) (settings as Record<string, unknown>)[k] = v;
  await updateAccount(ctx.tx, account.id, { settings, ...(defaultLanguage ? { defaultLanguage } : {}) }, nowIso(ctx));
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'account.settings_changed', data: { ...patch } });
  return { ...settings, defaultLanguage: defaultLanguage ?? account.defaultLanguage };
}
