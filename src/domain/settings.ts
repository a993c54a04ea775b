// Per-account settings an Owner/Administrator (or the operator) may change.
import { type AccountSettings, updateAccount } from '../db/accounts.repo';
import { auditOn } from './audit';
import { DEFAULT_DEPROVISION_LIMIT, MAX_DEPROVISION_LIMIT } from './breaker';
import { type Ctx, nowIso } from './context';
import { Invalid } from './errors';
import { authorize } from './policy';

export interface Policies {
  passwordMinLength?: number;
  requireTwoFactor?: boolean;
}

export interface RecoveryPlan {
  /** Administrators may recover members (Owners always may). */
  allowAdministrators?: boolean;
  /** MSP technicians launched into the company may recover members. */
  allowTechnicians?: boolean;
}

export interface SettingsPatch {
  scimDeleteMode?: 'suspend' | 'remove';
  adoptExistingMembers?: boolean;
  unmappedGroupsAsCustom?: boolean;
  /** Whether MSP technicians may give themselves vault access (the company's Owners decide). */
  technicianSelfAccess?: boolean;
  defaultLanguage?: 'en' | 'de';
  policies?: Policies;
  recoveryPlan?: RecoveryPlan;
  /** MSP accounts: technicians see every managed company (`all`, default) or only those assigned to them. */
  technicianScope?: 'all' | 'assigned';
  /** SCIM removals applied per rolling hour before the deprovisioning breaker holds the rest (0: off). */
  deprovisionLimit?: number;
}

export async function updateSettings(ctx: Ctx, accountId: string, patch: SettingsPatch): Promise<AccountSettings & { defaultLanguage: string }> {
  // The company's own Owners decide how far its MSP's technicians may reach.
  const account = await authorize(ctx, 'settings.update', accountId);
  // Adoption by SCIM, technicians' self-access and the recovery plan govern Owners and technicians.
  // The technician scope governs technicians too (DESIGN: only Owners change such settings).
  const governing = [patch.adoptExistingMembers, patch.technicianSelfAccess, patch.recoveryPlan, patch.technicianScope];
  if (governing.some((v) => v !== undefined)) {
    await authorize(ctx, 'settings.update.governing', account);
  }
  if (
    patch.policies?.passwordMinLength !== undefined &&
    (!Number.isInteger(patch.policies.passwordMinLength) || patch.policies.passwordMinLength < 8 || patch.policies.passwordMinLength > 128)
  ) {
    throw new Invalid('settings.policies.passwordMinLength', 'passwordMinLength is a whole number from 8 to 128.');
  }
  if (
    patch.deprovisionLimit !== undefined &&
    (!Number.isInteger(patch.deprovisionLimit) || patch.deprovisionLimit < 0 || patch.deprovisionLimit > MAX_DEPROVISION_LIMIT)
  ) {
    throw new Invalid('settings.deprovisionLimit', `deprovisionLimit is a whole number from 0 (off) to ${MAX_DEPROVISION_LIMIT}.`);
  }
  if (patch.scimDeleteMode && !['suspend', 'remove'].includes(patch.scimDeleteMode)) {
    throw new Invalid('settings.scimDeleteMode.invalid', 'scimDeleteMode is "suspend" or "remove".');
  }
  if (patch.defaultLanguage && !['en', 'de'].includes(patch.defaultLanguage)) {
    throw new Invalid('settings.defaultLanguage.invalid', 'defaultLanguage is "en" or "de".');
  }
  if (patch.technicianScope !== undefined) {
    if (account.kind !== 'msp')
      throw new Invalid('settings.technicianScope.msp_only', 'The technician scope is a setting of an MSP account, not of a company.');
    if (!['all', 'assigned'].includes(patch.technicianScope)) throw new Invalid('settings.technicianScope.invalid', 'technicianScope is "all" or "assigned".');
  }
  const { defaultLanguage, ...rest } = patch;
  const settings: AccountSettings = { ...account.settings };
  for (const [k, v] of Object.entries(rest)) {
    if (v === undefined) continue;
    const prev = (settings as Record<string, unknown>)[k];
    // Nested objects (policies, recovery plan) merge: a patch names only what changes.
    (settings as Record<string, unknown>)[k] = v && typeof v === 'object' && prev && typeof prev === 'object' ? { ...prev, ...v } : v;
  }
  await updateAccount(ctx.tx, account.id, { settings, ...(defaultLanguage ? { defaultLanguage } : {}) }, nowIso(ctx));
  await auditOn(ctx, account, 'account.settings_changed', undefined, { ...patch });
  return { ...settings, deprovisionLimit: settings.deprovisionLimit ?? DEFAULT_DEPROVISION_LIMIT, defaultLanguage: defaultLanguage ?? account.defaultLanguage };
}
