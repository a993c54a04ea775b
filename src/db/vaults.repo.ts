// Queries for shared vaults, who may open them, and their items (metadata plus an opaque payload).
import { json, toJson } from './codec';
import type { Tx } from './knex';

export interface VaultRow {
  id: string;
  name: string;
  description: string | null;
  items: number;
  /** Whether the given person holds open access. */
  mine: boolean;
  createdAt: string;
}

export interface AccessRow {
  memberId: string;
  email: string | null;
  via: 'grant' | 'technician_self';
  /** The account the person belongs to (another one for an MSP technician). */
  memberAccountId: string;
  grantedBy: string | null;
  since: string;
}

export interface ItemRow {
  id: string;
  title: string;
  category: string;
  metadata: Record<string, unknown>;
  updatedAt: string;
}

export async function findVault(tx: Tx, accountId: string, vaultId: string): Promise<{ id: string; name: string } | undefined> {
  return (await tx('vaults').where({ account_id: accountId, id: vaultId }).first('id', 'name')) as { id: string; name: string } | undefined;
}

export async function insertVault(
  tx: Tx,
  v: { id: string; accountId: string; name: string; description: string | null; createdBy: string; createdAt: string },
): Promise<void> {
  await tx('vaults').insert({
    id: v.id,
    account_id: v.accountId,
    name: v.name,
    description: v.description,
    shared: true,
    created_by: v.createdBy,
    created_at: v.createdAt,
  });
}

/** The account's vaults with their item counts and whether `memberId` may open each. */
export async function listVaultRows(tx: Tx, accountId: string, memberId: string | undefined): Promise<VaultRow[]> {
  const rows = (await tx('vaults as v')
    .where('v.account_id', accountId)
    .select(
      'v.id',
      'v.name',
      'v.description',
      'v.created_at',
      tx.raw('(select count(*) from items i where i.vault_id = v.id and i.account_id = v.account_id) as items'),
      tx.raw(
        '(select count(*) from vault_access va where va.vault_id = v.id and va.account_id = v.account_id and va.member_id = ? and va.revoked_at is null) as mine',
        [memberId ?? ''],
      ),
    )
    .orderBy('v.name')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    items: Number(r.items),
    mine: Number(r.mine) > 0,
    createdAt: String(r.created_at),
  }));
}

export async function hasOpenAccess(tx: Tx, accountId: string, vaultId: string, memberId: string): Promise<boolean> {
  return Boolean(await tx('vault_access').where({ account_id: accountId, vault_id: vaultId, member_id: memberId }).whereNull('revoked_at').first('member_id'));
}

/** Grants (or re-grants) access; one row per person and vault. */
export async function upsertAccess(
  tx: Tx,
  a: { accountId: string; vaultId: string; memberId: string; via: AccessRow['via']; grantedBy: string; now: string },
): Promise<void> {
  await tx('vault_access')
    .insert({ account_id: a.accountId, vault_id: a.vaultId, member_id: a.memberId, via: a.via, granted_by: a.grantedBy, created_at: a.now, revoked_at: null })
    .onConflict(['vault_id', 'member_id'])
    .merge({ via: a.via, granted_by: a.grantedBy, created_at: a.now, revoked_at: null });
}

export async function revokeAccessRow(tx: Tx, accountId: string, vaultId: string, memberId: string, now: string): Promise<boolean> {
  return (
    (await tx('vault_access').where({ account_id: accountId, vault_id: vaultId, member_id: memberId }).whereNull('revoked_at').update({ revoked_at: now })) > 0
  );
}

export async function listAccess(tx: Tx, accountId: string, vaultId: string): Promise<AccessRow[]> {
  const rows = (await tx('vault_access as va')
    .join('members as m', 'm.id', 'va.member_id')
    .where({ 'va.account_id': accountId, 'va.vault_id': vaultId })
    .whereNull('va.revoked_at')
    .select('va.member_id', 'va.via', 'va.granted_by', 'va.created_at', 'm.email', 'm.account_id as member_account')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    memberId: r.member_id as string,
    email: (r.email as string | null) ?? null,
    via: r.via as AccessRow['via'],
    memberAccountId: r.member_account as string,
    grantedBy: (r.granted_by as string | null) ?? null,
    since: String(r.created_at),
  }));
}

export async function listItemRows(tx: Tx, accountId: string, vaultId: string): Promise<ItemRow[]> {
  const rows = (await tx('items')
    .where({ account_id: accountId, vault_id: vaultId })
    .orderBy('title')
    .select('id', 'title', 'category', 'metadata', 'updated_at')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as string,
    title: r.title as string,
    category: r.category as string,
    metadata: json(r.metadata, {}),
    updatedAt: String(r.updated_at),
  }));
}

export async function insertItem(
  tx: Tx,
  i: {
    id: string;
    accountId: string;
    vaultId: string;
    title: string;
    category: string;
    metadata: Record<string, unknown>;
    payload: Buffer | null;
    now: string;
  },
): Promise<void> {
  await tx('items').insert({
    id: i.id,
    account_id: i.accountId,
    vault_id: i.vaultId,
    title: i.title,
    category: i.category,
    metadata: toJson(i.metadata),
    payload: i.payload,
    created_at: i.now,
    updated_at: i.now,
  });
}
