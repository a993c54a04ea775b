// Endpoints for an account's shared vaults and items: who may open them, a launched technician's
// audited self-access (which the company's Owners can turn off).
import { z } from 'zod';
import { createItem, createVault, grantAccess, grantSelfAccess, listItems, listVaults, revokeAccess, vaultAccessList } from '../../domain/vaults';
import { route } from '../route';

export const vaultRoutes = [
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults',
    summary: 'Shared vaults (administrators and launched technicians see all; members those they can open)',
    tag: 'Vaults',
    scope: 'account',
    action: 'vaults.list',
    async handle(ctx, { accountId }) {
      return listVaults(ctx, accountId);
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults',
    summary: 'Create a shared vault',
    tag: 'Vaults',
    scope: 'account',
    action: 'vaults.create',
    status: 201,
    body: z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() }),
    async handle(ctx, { accountId, body }) {
      return createVault(ctx, { accountId, ...body });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/self-access',
    summary: 'A launched technician gives themself access to a vault (audited; the company can turn it off)',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.self_access',
    status: 201,
    async handle(ctx, { accountId, params }) {
      return grantSelfAccess(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults/:vaultId/access',
    summary: 'Who can open the vault, technicians acting for the MSP included',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.read',
    async handle(ctx, { accountId, params }) {
      return vaultAccessList(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/access',
    summary: 'Give a member access to the vault',
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.change',
    status: 201,
    body: z.object({ memberId: z.string().min(1).max(64) }),
    async handle(ctx, { accountId, params, body }) {
      await grantAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: body.memberId });
      return { vaultId: params.vaultId, memberId: body.memberId, access: true };
    },
  }),
  route({
    method: 'delete',
    path: '/accounts/:accountId/vaults/:vaultId/access/:memberId',
    summary: "Take someone's access to the vault (including a technician's self-access)",
    tag: 'Vaults',
    scope: 'account',
    action: 'vault.access.change',
    status: 204,
    async handle(ctx, { accountId, params }) {
      await revokeAccess(ctx, { accountId, vaultId: params.vaultId!, memberId: params.memberId! });
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/accounts/:accountId/vaults/:vaultId/items',
    summary: 'Items of a vault (metadata; you need access)',
    tag: 'Vaults',
    scope: 'account',
    action: 'items.list',
    async handle(ctx, { accountId, params }) {
      return listItems(ctx, { accountId, vaultId: params.vaultId! });
    },
  }),
  route({
    method: 'post',
    path: '/accounts/:accountId/vaults/:vaultId/items',
    summary: 'Add an item (metadata plus an opaque, client-encrypted payload in base64)',
    tag: 'Vaults',
    scope: 'account',
    action: 'items.create',
    status: 201,
    body: z.object({
      title: z.string().trim().min(1).max(300),
      category: z.string().trim().min(1).max(64).default('login'),
      metadata: z.record(z.string(), z.unknown()).optional(),
      payload: z.base64().max(1_000_000).optional(),
    }),
    async handle(ctx, { accountId, params, body }) {
      return createItem(ctx, { accountId, vaultId: params.vaultId!, ...body });
    },
  }),
];
