// Built-in and custom groups of an account, and manual (person-given) membership.
import { newId } from '../db/codec';
import {
  BUILTIN_GROUP_NAMES,
  type Group,
  type GroupKind,
  findGroupByName,
  getBuiltinGroup,
  insertGroup,
  listGroups,
} from '../db/groups.repo';
import type { AccountKind } from '../db/accounts.repo';
import { type Ctx, nowIso } from './context';
import { Conflict, Invalid, NotFound } from './errors';

export function builtinKindsFor(kind: AccountKind): Array<Exclude<GroupKind, 'custom'>> {
  return kind === 'msp' ? ['owners', 'administrators', 'msp_technicians'] : ['owners', 'administrators'];
}

export async function createBuiltinGroups(ctx: Ctx, accountId: string, kind: AccountKind): Promise<Group[]> {
  const out: Group[] = [];
  for (const k of builtinKindsFor(kind)) {
    out.push(
      await insertGroup(ctx.tx, {
        id: newId(),
        accountId,
        kind: k,
        name: BUILTIN_GROUP_NAMES[k],
        description: null,
        createdAt: nowIso(ctx),
      }),
    );
  }
  return out;
}

export async function createCustomGroup(ctx: Ctx, accountId: string, name: string, description?: string): Promise<Group> {
  const clean = name.trim();
  if (!clean || clean.length > 255) throw new Invalid('group.name.invalid', 'A group name is 1 to 255 characters.');
  if (await findGroupByName(ctx.tx, accountId, clean)) {
    throw new Conflict('group.name.taken', `A group named "${clean}" already exists.`);
  }
  return insertGroup(ctx.tx, {
    id: newId(),
    accountId,
    kind: 'custom',
    name: clean,
    description: description ?? null,
    createdAt: nowIso(ctx),
  });
}

/** Resolves a CLI/API group reference: a built-in name (Owners, Administrators, MSP Technicians) or a custom group name. */
export async function resolveGroup(ctx: Ctx, accountId: string, name: string): Promise<Group> {
  const builtin = (Object.entries(BUILTIN_GROUP_NAMES) as Array<[Exclude<GroupKind, 'custom'>, string]>).find(
    ([, n]) => n.toLowerCase() === name.trim().toLowerCase(),
  );
  const group = builtin
    ? await getBuiltinGroup(ctx.tx, accountId, builtin[0])
    : await findGroupByName(ctx.tx, accountId, name.trim());
  if (!group) {
    if (builtin?.[0] === 'msp_technicians') {
      throw new Invalid('group.msp_technicians.company', 'MSP Technicians exists only in an MSP account.');
    }
    throw new NotFound('group.not_found', `No group named "${name}".`);
  }
  return group;
}

export const groupsOf = (ctx: Ctx, accountId: string): Promise<Group[]> => listGroups(ctx.tx, accountId);
