// The groups an account's IdP pushed, listed by name for a picker: the console sends the SCIM id
// of the one chosen, so a mapping still never depends on a display name.
import { pushedGroups, type PushedGroup } from '../db/consoleViews.repo';
import { listGroups } from '../db/groups.repo';
import { listMappings } from '../db/mapping.repo';
import type { Ctx } from './context';
import { authorize } from './policy';

export interface PushedGroupView extends PushedGroup {
  /** The account's groups a mapping gives its members. */
  mappedTo: string[];
}

export async function listPushedGroups(ctx: Ctx, accountId: string): Promise<PushedGroupView[]> {
  await authorize(ctx, 'mappings.read', accountId);
  const names = new Map((await listGroups(ctx.tx, accountId)).map((g) => [g.id, g.name]));
  const mappings = await listMappings(ctx.tx, accountId);
  return (await pushedGroups(ctx.tx, accountId)).map((g) => ({
    ...g,
    mappedTo: mappings
      .filter((m) => m.idpGroupId === g.id || (g.externalId !== null && m.idpExternalId === g.externalId))
      .map((m) => names.get(m.groupId) ?? m.groupId),
  }));
}
