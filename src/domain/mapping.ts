// Group -> role mapping: which IdP group (by SCIM id or externalId, never by name) lands in
// Owners, Administrators, MSP Technicians or a custom group; previews, drift and resync.
import type { Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { type Group, findGroupByName, getBuiltinGroup, renameGroup, findGroupCreatedFor, getGroup, insertGroup, listGroups } from '../db/groups.repo';
import { type IdpGroup, findIdpGroupByExternalId, getIdpGroup, idpGroupMemberIds, listIdpGroupNames } from '../db/idpGroups.repo';
import { contactsOf } from '../db/members.repo';
import {
  type GroupMapping,
  deleteMapping,
  idpSourcedMemberships,
  impliedMemberships,
  insertMapping,
  listMappings as listMappingRows,
  mappingsForIdpGroup,
  openHeldChanges,
} from '../db/mapping.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { maybeDry } from './dryRun';
import { type RoleChange, syncIdpRoles } from './effectiveRoles';
import { NotFound } from './errors';
import { resolveGroup } from './groups';
import { authorize } from './policy';

export interface MappingView {
  id: string;
  idpGroupId: string | null;
  idpExternalId: string | null;
  idpDisplayName: string | null;
  group: string;
  groupId: string;
  automatic: boolean;
}

export interface DescribedChange extends RoleChange {
  email: string | null;
  userName: string | null;
}

export interface MappingResult {
  dryRun: boolean;
  mapping: MappingView | null;
  changes: DescribedChange[];
}

async function describe(ctx: Ctx, accountId: string, changes: RoleChange[]): Promise<DescribedChange[]> {
  if (!changes.length) return [];
  const ids = [...new Set(changes.map((c) => c.memberId))];
  const people = await contactsOf(ctx.tx, accountId, ids);
  return changes.map((c) => ({ ...c, email: people.get(c.memberId)?.email ?? null, userName: people.get(c.memberId)?.userName ?? null }));
}

async function view(ctx: Ctx, accountId: string, m: GroupMapping): Promise<MappingView> {
  const group = await getGroup(ctx.tx, accountId, m.groupId);
  const idp = m.idpGroupId
    ? await getIdpGroup(ctx.tx, accountId, m.idpGroupId)
    : m.idpExternalId
      ? await findIdpGroupByExternalId(ctx.tx, accountId, m.idpExternalId)
      : undefined;
  return {
    id: m.id,
    idpGroupId: idp?.id ?? m.idpGroupId,
    idpExternalId: m.idpExternalId,
    idpDisplayName: idp?.displayName ?? null,
    group: group?.name ?? '?',
    groupId: m.groupId,
    automatic: m.automatic,
  };
}

/** A pushed group named by its SCIM id, or else by its externalId. */
async function findIdpGroup(ctx: Ctx, accountId: string, ref: string): Promise<IdpGroup | undefined> {
  return (await getIdpGroup(ctx.tx, accountId, ref)) ?? (await findIdpGroupByExternalId(ctx.tx, accountId, ref));
}

/**
 * The custom group of an unmapped pushed group: the one made for it before, or a new one with
 * its name (a name already taken gets " (IdP)" and a number; never matched by name).
 */
async function customGroupFor(ctx: Ctx, accountId: string, g: IdpGroup): Promise<Group> {
  const previous = await findGroupCreatedFor(ctx.tx, accountId, g.id);
  if (previous) return previous;
  const reserved = new Set(['owners', 'administrators', 'msp technicians']);
  const base = g.displayName.trim().slice(0, 240);
  const make = (name: string) =>
    insertGroup(ctx.tx, {
      id: newId(),
      accountId,
      kind: 'custom',
      name,
      description: 'Created for a group pushed by the identity provider',
      idpGroupId: g.id,
      createdAt: nowIso(ctx),
    });
  for (let i = 0; i < 100; i++) {
    const name = i === 0 ? base : i === 1 ? `${base} (IdP)` : `${base} (IdP ${i})`;
    if (reserved.has(name.toLowerCase()) || (await findGroupByName(ctx.tx, accountId, name))) continue;
    return make(name);
  }
  return make(`${base} (${newId().slice(0, 8)})`);
}

/** An unmapped pushed group becomes a custom group of its own, unless the account turned that off. */
export async function ensureAutomaticMapping(ctx: Ctx, account: Account, g: IdpGroup): Promise<void> {
  if (account.settings.unmappedGroupsAsCustom === false) return;
  if ((await mappingsForIdpGroup(ctx.tx, account.id, g)).length) return;
  const group = await customGroupFor(ctx, account.id, g);
  await insertMapping(ctx.tx, {
    id: newId(),
    accountId: account.id,
    idpGroupId: g.id,
    idpExternalId: g.externalId,
    groupId: group.id,
    automatic: true,
    createdBy: ctx.actor.label,
    createdAt: nowIso(ctx),
  });
}

/** Keeps an automatic custom group's name in step with its pushed group. */
export async function followRename(ctx: Ctx, account: Account, g: IdpGroup, newName: string): Promise<void> {
  for (const m of await mappingsForIdpGroup(ctx.tx, account.id, g)) {
    if (!m.automatic) continue;
    const taken = await findGroupByName(ctx.tx, account.id, newName);
    if (!taken && !['owners', 'administrators', 'msp technicians'].includes(newName.toLowerCase())) {
      await renameGroup(ctx.tx, account.id, m.groupId, newName);
    }
  }
}

/** A deleted pushed group takes its automatic mapping and its id-only mappings with it. */
export async function dropMappingsOf(ctx: Ctx, account: Account, g: IdpGroup): Promise<void> {
  for (const m of await mappingsForIdpGroup(ctx.tx, account.id, g)) {
    if (m.automatic || !m.idpExternalId) await deleteMapping(ctx.tx, account.id, m.id);
  }
}

async function mapsToOwners(ctx: Ctx, accountId: string, mappings: GroupMapping[]): Promise<boolean> {
  if (!mappings.length) return false;
  const owners = await getBuiltinGroup(ctx.tx, accountId, 'owners');
  return Boolean(owners && mappings.some((m) => m.groupId === owners.id));
}

export interface SetMappingInput {
  accountId: string;
  /** The pushed group's SCIM id, or its externalId (which may be mapped before the IdP pushes it). */
  scimGroup: string;
  /** Owners | Administrators | MSP Technicians | a custom group's name. */
  group: string;
}

export async function setMapping(ctx: Ctx, input: SetMappingInput, opts: { dryRun?: boolean } = {}): Promise<MappingResult> {
  const account = await authorize(ctx, 'mappings.change', input.accountId);
  const target = await resolveGroup(ctx, account.id, input.group);
  const ref = input.scimGroup.trim();
  const idp = await findIdpGroup(ctx, account.id, ref);
  const replaced = idp
    ? await mappingsForIdpGroup(ctx.tx, account.id, idp)
    : (await listMappingRows(ctx.tx, account.id)).filter((m) => m.idpExternalId === ref);
  // Mapping a group to Owners, or away from Owners, makes or unmakes Owners.
  if (target.kind === 'owners' || (await mapsToOwners(ctx, account.id, replaced))) await authorize(ctx, 'owners.change', account);
  const dryRun = Boolean(opts.dryRun);
  return maybeDry(ctx, dryRun, async (c) => {
    const existing = idp ? await mappingsForIdpGroup(c.tx, account.id, idp) : (await listMappingRows(c.tx, account.id)).filter((m) => m.idpExternalId === ref);
    for (const m of existing) await deleteMapping(c.tx, account.id, m.id);
    const mapping: GroupMapping = {
      id: newId(),
      accountId: account.id,
      idpGroupId: idp?.id ?? null,
      idpExternalId: idp ? idp.externalId : ref,
      groupId: target.id,
      automatic: false,
      createdBy: c.actor.label,
      createdAt: nowIso(c),
    };
    await insertMapping(c.tx, mapping);
    await auditOn(
      c,
      account,
      'mapping.set',
      { type: 'group_mapping', id: mapping.id },
      { scimGroup: ref, idpGroup: idp?.displayName ?? null, group: target.name, replaced: existing.length },
    );
    const members = idp ? await idpGroupMemberIds(c.tx, account.id, idp.id) : [];
    const changes = await syncIdpRoles(c, account, members);
    return { dryRun, mapping: await view(c, account.id, mapping), changes: await describe(c, account.id, changes) };
  });
}

export async function removeMapping(
  ctx: Ctx,
  input: { accountId: string; mappingId?: string; scimGroup?: string },
  opts: { dryRun?: boolean } = {},
): Promise<MappingResult> {
  const account = await authorize(ctx, 'mappings.change', input.accountId);
  const all = await listMappingRows(ctx.tx, account.id);
  let targets: GroupMapping[];
  let idp: IdpGroup | undefined;
  if (input.mappingId) {
    targets = all.filter((m) => m.id === input.mappingId);
  } else {
    const ref = (input.scimGroup ?? '').trim();
    idp = await findIdpGroup(ctx, account.id, ref);
    targets = idp ? await mappingsForIdpGroup(ctx.tx, account.id, idp) : all.filter((m) => m.idpExternalId === ref);
  }
  if (!targets.length) throw new NotFound('mapping.not_found', 'No such mapping.');
  if (await mapsToOwners(ctx, account.id, targets)) await authorize(ctx, 'owners.change', account);
  const dryRun = Boolean(opts.dryRun);
  return maybeDry(ctx, dryRun, async (c) => {
    const affected = new Set<string>();
    for (const m of targets) {
      const g = m.idpGroupId
        ? await getIdpGroup(c.tx, account.id, m.idpGroupId)
        : m.idpExternalId
          ? await findIdpGroupByExternalId(c.tx, account.id, m.idpExternalId)
          : undefined;
      if (g) {
        idp ??= g;
        for (const id of await idpGroupMemberIds(c.tx, account.id, g.id)) affected.add(id);
      }
      await deleteMapping(c.tx, account.id, m.id);
      await auditOn(c, account, 'mapping.removed', { type: 'group_mapping', id: m.id }, { idpGroupId: m.idpGroupId, idpExternalId: m.idpExternalId });
    }
    // An explicit mapping removed: the group falls back to a custom group of its own.
    if (idp && targets.every((m) => !m.automatic)) await ensureAutomaticMapping(c, account, idp);
    const changes = await syncIdpRoles(c, account, [...affected]);
    return { dryRun, mapping: null, changes: await describe(c, account.id, changes) };
  });
}

export async function listMappings(ctx: Ctx, accountId: string): Promise<MappingView[]> {
  await authorize(ctx, 'mappings.read', accountId);
  const out: MappingView[] = [];
  for (const m of await listMappingRows(ctx.tx, accountId)) out.push(await view(ctx, accountId, m));
  return out;
}

export interface DriftReport {
  /** (person, group) pairs where effective IdP-sourced roles differ from what the mirror implies. */
  drift: Array<{ memberId: string; email: string | null; group: string; expected: boolean; actual: boolean }>;
  held: Array<{ id: string; memberId: string; email: string | null; kind: string; group: string | null; since: string }>;
  unmappedGroups: Array<{ id: string; displayName: string; members: number }>;
  pendingMappings: MappingView[];
}

export async function driftReport(ctx: Ctx, accountId: string): Promise<DriftReport> {
  await authorize(ctx, 'mappings.read', accountId);
  const names = new Map((await listGroups(ctx.tx, accountId)).map((g) => [g.id, g.name]));
  const implied = await impliedMemberships(ctx.tx, accountId, 'all');
  const current = await idpSourcedMemberships(ctx.tx, accountId, 'all');
  const want = new Set(implied.map((p) => `${p.memberId}|${p.groupId}`));
  const have = new Set(current.filter((r) => r.idp).map((r) => `${r.memberId}|${r.groupId}`));
  const heldKeys = new Set(current.filter((r) => r.held).map((r) => `${r.memberId}|${r.groupId}`));
  const raw: Array<{ memberId: string; groupId: string; expected: boolean; actual: boolean }> = [];
  for (const k of want) if (!have.has(k)) raw.push({ ...split(k), expected: true, actual: false });
  for (const k of have) if (!want.has(k)) raw.push({ ...split(k), expected: false, actual: true });
  const open = await openHeldChanges(ctx.tx, accountId);
  const described = await describe(
    ctx,
    accountId,
    [...raw, ...open].map((r) => ({ memberId: r.memberId, groupId: r.groupId ?? '', group: '', change: 'held' as const })),
  );
  const email = new Map(described.map((d) => [d.memberId, d.email]));
  const groups = await listIdpGroupNames(ctx.tx, accountId);
  const mappings = await listMappingRows(ctx.tx, accountId);
  const unmapped = [];
  for (const g of groups) {
    if (!mappings.some((m) => m.idpGroupId === g.id || (m.idpExternalId && m.idpExternalId === g.externalId))) {
      unmapped.push({ id: g.id, displayName: g.displayName, members: (await idpGroupMemberIds(ctx.tx, accountId, g.id)).length });
    }
  }
  const pending = [];
  for (const m of mappings) {
    if (!groups.some((g) => g.id === m.idpGroupId || (m.idpExternalId && g.externalId === m.idpExternalId))) pending.push(await view(ctx, accountId, m));
  }
  return {
    // A held row is the guard at work, not drift.
    drift: raw
      .filter((r) => !(r.expected === false && heldKeys.has(`${r.memberId}|${r.groupId}`)))
      .map((r) => ({ memberId: r.memberId, email: email.get(r.memberId) ?? null, group: names.get(r.groupId) ?? '?', expected: r.expected, actual: r.actual })),
    held: open.map((h) => ({
      id: h.id,
      memberId: h.memberId,
      email: email.get(h.memberId) ?? null,
      kind: h.kind,
      group: h.groupId ? (names.get(h.groupId) ?? null) : null,
      since: h.createdAt,
    })),
    unmappedGroups: unmapped,
    pendingMappings: pending,
  };
}

function split(k: string): { memberId: string; groupId: string } {
  const [memberId, groupId] = k.split('|') as [string, string];
  return { memberId, groupId };
}

/** Recomputes every IdP-sourced role of the account from the mirror (the full, on-demand sync). */
export async function resync(ctx: Ctx, accountId: string, opts: { dryRun?: boolean } = {}): Promise<MappingResult> {
  const account = await authorize(ctx, 'mappings.change', accountId);
  const dryRun = Boolean(opts.dryRun);
  return maybeDry(ctx, dryRun, async (c) => {
    const changes = await syncIdpRoles(c, account, 'all');
    return { dryRun, mapping: null, changes: await describe(c, account.id, changes) };
  });
}
