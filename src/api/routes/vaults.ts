// Endpoints for an account's shared vaults and items: who may open them, a launched technician's
// audited self-access (which the company's Owners can turn off).
import { z } from 'zod';
import { createItem, createVault, grantAccess, grantSelfAccess, listItems, listVaults, revokeAccess, vaultAccessList } from '../../domain/vaults';
import { inAccount, noContent, routesOf } from '../route';

const vaults = routesOf('account', 'Vaults');

export const vaultRoutes = [
  vaults.get('/vaults', 'vaults.list', 'Shared vaults (administrators and launched technicians see all; members those they can open)', inAccount(listVaults)),
  vaults.post(
    '/vaults',
    'vaults.create',
    'Create a shared vault',
    { status: 201, body: z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() }) },
    (ctx, { accountId, body }) => createVault(ctx, { accountId, ...body }),
  ),
  vaults.post(
    '/vaults/:vaultId/self-access',
    'vault.self_access',
    'A launched technician gives themself access to a vault (audited; the company can turn it off)',
    { status: 201 },
    (ctx, { accountId, params }) => grantSelfAccess(ctx, { accountId, vaultId: params.vaultId! }),
  ),
  vaults.get('/vaults/:vaultId/access', 'vault.access.read', 'Who can open the vault, technicians acting for the MSP included', (ctx, { accountId, params }) =>
    vaultAccessList(ctx, { accountId, vaultId: params.vaultId! }),
  ),
  vaults.post(
    '/vaults/:vaultId/access',
    'vault.access.change',
    'Give a member access to the vault',
    { status: 201, body: z.object({ memberId: z.string().min(1).max(64) }) },
    async (ctx, { accountId, params, body }) => {
      await grantAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: body.memberId });
      return { vaultId: params.vaultId, memberId: body.memberId, access: true };
    },
  ),
  vaults.delete(
    '/vaults/:vaultId/access/:memberId',
    'vault.access.change',
    "Take someone's access to the vault (including a technician's self-access)",
    { status: 204 },
    (ctx, { accountId, params }) => noContent(revokeAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: params.memberId! })),
  ),
  vaults.get('/vaults/:vaultId/items', 'items.list', 'Items of a vault (metadata; you need access)', (ctx, { accountId, params }) =>
    listItems(ctx, { accountId, vaultId: params.vaultId! }),
  ),
  vaults.post(
    '/vaults/:vaultId/items',
    'items.create',
    'Add an item (metadata plus an opaque, client-encrypted payload in base64)',
    {
      status: 201,
      body: z.object({
        title: z.string().trim().min(1).max(300),
        category: z.string().trim().min(1).max(64).default('login'),
        metadata: z.record(z.string(), z.unknown()).optional(),
        payload: z.base64().max(1_000_000).optional(),
      }),
    },
    (ctx, { accountId, params, body }) => createItem(ctx, { accountId, vaultId: params.vaultId!, ...body }),
  ),
];
