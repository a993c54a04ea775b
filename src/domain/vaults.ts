// Shared vaults and their items (metadata plus an opaque, client-encrypted payload), who can see
// them, and a technician's audited self-access, which the company's Owners can turn off.
import { newId } from '../db/codec';
import { findVault, hasOpenAccess, insertItem, insertVault, listAccess, listItemRows, listVaultRows, revokeAccessRow, upsertAccess } from '../db/vaults.repo';
import { getMemberAnyState } from '../db/members.repo';
import { auditOn, recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Conflict, Forbidden, Invalid, NotFound } from './errors';
import { authorize, permits } from './policy';

export interface VaultView {
  id: string;
  name: string;
  description: string | null;
  items: number;
  /** Whether the acting person may open it. */
  access: boolean;
  createdAt: string;
}

export interface ItemView {
  id: string;
  title: string;
  category: string;
  metadata: Record<string, unknown>;
  updatedAt: string;
}

export interface AccessView {
  memberId: string;
  email: string | null;
  via: 'grant' | 'technician_self';
  /** For technicians: the MSP they act for. */
  actingForMsp: string | null;
  grantedBy: string | null;
  since: string;
}

/** The person (company member or launched technician) whose access counts for a request. */
function actingMember(ctx: Ctx): string | undefined {
  const a = ctx.actor;
  return a.kind === 'member' || a.kind === 'api_token' || a.kind === 'technician' ? a.memberId : undefined;
}

async function requireVault(ctx: Ctx, accountId: string, vaultId: string): Promise<{ id: string; name: string }> {
  const v = await findVault(ctx.tx, accountId, vaultId);
  if (!v) throw new NotFound('vault.not_found', 'No such vault.');
  return v;
}

async function hasAccess(ctx: Ctx, accountId: string, vaultId: string, memberId: string | undefined): Promise<boolean> {
  if (!memberId) return ctx.actor.kind === 'operator';
  return hasOpenAccess(ctx.tx, accountId, vaultId, memberId);
}

export async function createVault(ctx: Ctx, input: { accountId: string; name: string; description?: string }): Promise<VaultView> {
  const account = await authorize(ctx, 'vaults.create', input.accountId);
  const name = input.name.trim();
  if (!name || name.length > 200) throw new Invalid('vault.name.invalid', 'A vault name is 1 to 200 characters.');
  const id = newId();
  const now = nowIso(ctx);
  await insertVault(ctx.tx, { id, accountId: account.id, name, description: input.description ?? null, createdBy: ctx.actor.label, createdAt: now });
  await auditOn(ctx, account, 'vault.created', { type: 'vault', id }, { name });
  return { id, name, description: input.description ?? null, items: 0, access: false, createdAt: now };
}

/** Shared vaults: administrators and launched technicians see all of them, members those they can open. */
export async function listVaults(ctx: Ctx, accountId: string): Promise<VaultView[]> {
  const account = await authorize(ctx, 'vaults.list', accountId);
  const me = actingMember(ctx);
  const seesAll = await permits(ctx, 'vault.access.read', account);
  return (await listVaultRows(ctx.tx, accountId, me)).map(({ mine, ...v }) => ({ ...v, access: mine })).filter((v) => seesAll || v.access);
}

/** A launched technician gives themself access to a vault; audited, and refused when the company's Owners turned it off. */
export async function grantSelfAccess(ctx: Ctx, input: { accountId: string; vaultId: string }): Promise<AccessView> {
  const account = await authorize(ctx, 'vault.self_access', input.accountId);
  const a = ctx.actor;
  if (a.kind !== 'technician') throw new Forbidden('vault.self_access.technician', 'Self-access is for MSP technicians launched into the company.');
  const vault = await requireVault(ctx, account.id, input.vaultId);
  if (await hasAccess(ctx, account.id, vault.id, a.memberId)) throw new Conflict('vault.access.exists', 'You already have access to this vault.');
  const now = nowIso(ctx);
  await upsertAccess(ctx.tx, { accountId: account.id, vaultId: vault.id, memberId: a.memberId, via: 'technician_self', grantedBy: a.label, now });
  await recordAudit(ctx, {
    accountId: account.id,
    mspId: a.mspId,
    action: 'vault.self_access',
    target: { type: 'vault', id: vault.id },
    data: { vault: vault.name, technician: a.label, launchId: a.launchId },
  });
  return { memberId: a.memberId, email: a.label, via: 'technician_self', actingForMsp: a.mspId, grantedBy: a.label, since: now };
}

/** An administrator gives a company member access to a vault. */
export async function grantAccess(ctx: Ctx, input: { accountId: string; vaultId: string; memberId: string }): Promise<void> {
  const account = await authorize(ctx, 'vault.access.change', input.accountId);
  const vault = await requireVault(ctx, account.id, input.vaultId);
  const member = await getMemberAnyState(ctx.tx, account.id, input.memberId);
  if (!member || member.state === 'removed') throw new NotFound('member.not_found', 'No such member.');
  const now = nowIso(ctx);
  await upsertAccess(ctx.tx, { accountId: account.id, vaultId: vault.id, memberId: member.id, via: 'grant', grantedBy: ctx.actor.label, now });
  await auditOn(ctx, account, 'vault.access_granted', { type: 'vault', id: vault.id }, { memberId: member.id });
}

export async function revokeAccess(ctx: Ctx, input: { accountId: string; vaultId: string; memberId: string }): Promise<void> {
  const account = await authorize(ctx, 'vault.access.change', input.accountId);
  const vault = await requireVault(ctx, account.id, input.vaultId);
  if (!(await revokeAccessRow(ctx.tx, account.id, vault.id, input.memberId, nowIso(ctx))))
    throw new NotFound('vault.access.not_found', 'That person has no access to this vault.');
  await auditOn(ctx, account, 'vault.access_revoked', { type: 'vault', id: vault.id }, { memberId: input.memberId });
}

/** Who can open a vault, technicians acting for the MSP included (what the company's Owners see). */
export async function vaultAccessList(ctx: Ctx, input: { accountId: string; vaultId: string }): Promise<AccessView[]> {
  await authorize(ctx, 'vault.access.read', input.accountId);
  const vault = await requireVault(ctx, input.accountId, input.vaultId);
  return (await listAccess(ctx.tx, input.accountId, vault.id)).map(({ memberAccountId, ...r }) => ({
    ...r,
    actingForMsp: memberAccountId === input.accountId ? null : memberAccountId,
  }));
}

/** Items of a vault (metadata only); the acting person must have access. */
export async function listItems(ctx: Ctx, input: { accountId: string; vaultId: string }): Promise<ItemView[]> {
  const account = await authorize(ctx, 'items.list', input.accountId);
  const vault = await requireVault(ctx, input.accountId, input.vaultId);
  if (!(await hasAccess(ctx, input.accountId, vault.id, actingMember(ctx)))) {
    throw new Forbidden('vault.access.required', 'You have no access to this vault.');
  }
  if (ctx.actor.kind === 'technician') {
    await recordAudit(ctx, {
      accountId: account.id,
      mspId: ctx.actor.mspId,
      action: 'vault.viewed',
      target: { type: 'vault', id: vault.id },
      data: { technician: ctx.actor.label },
    });
  }
  return listItemRows(ctx.tx, input.accountId, vault.id);
}

export async function createItem(
  ctx: Ctx,
  input: { accountId: string; vaultId: string; title: string; category: string; metadata?: Record<string, unknown>; payload?: string },
): Promise<ItemView> {
  await authorize(ctx, 'items.create', input.accountId);
  const vault = await requireVault(ctx, input.accountId, input.vaultId);
  if (!(await hasAccess(ctx, input.accountId, vault.id, actingMember(ctx)))) {
    throw new Forbidden('vault.access.required', 'You have no access to this vault.');
  }
  const title = input.title.trim();
  if (!title || title.length > 300) throw new Invalid('item.title.invalid', 'An item title is 1 to 300 characters.');
  const id = newId();
  const now = nowIso(ctx);
  // The payload is opaque: encrypted by the client; stored and returned as bytes, never read here.
  const payload = input.payload ? Buffer.from(input.payload, 'base64') : null;
  await insertItem(ctx.tx, {
    id,
    accountId: input.accountId,
    vaultId: vault.id,
    title,
    category: input.category,
    metadata: input.metadata ?? {},
    payload,
    now,
  });
  return { id, title, category: input.category, metadata: input.metadata ?? {}, updatedAt: now };
}
