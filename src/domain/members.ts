// People of an account: adding them by hand, listing them with their groups and held changes.
import { updateAccount, type Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { groupNamesByMember, listGroups, setMembershipSources } from '../db/groups.repo';
import { type HeldReason, openHeldChanges } from '../db/mapping.repo';
import { type Member, type MemberState, findMemberByEmail, findMemberByUserName, insertMember, listMembers } from '../db/members.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { Conflict, Invalid } from './errors';
import { requireAccount } from './tenancy';
import { releaseHeldChanges } from './effectiveRoles';
import { resolveGroup } from './groups';
import { authorize } from './policy';
import { claimSeat } from './seatCaps';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function assertEmail(email: string): string {
  const clean = email.trim();
  if (!EMAIL.test(clean) || clean.length > 320) throw new Invalid('member.email.invalid', `"${email}" is not an email address.`);
  return clean;
}

/** A company with its first own member leaves `setup`. */
export async function noteMemberJoined(ctx: Ctx, account: Account): Promise<void> {
  if (account.kind === 'company' && account.status === 'setup') {
    await updateAccount(ctx.tx, account.id, { status: 'active' }, nowIso(ctx));
    account.status = 'active';
  }
}

export interface AddMemberInput {
  accountId: string;
  email: string;
  group?: string;
  state?: MemberState;
}

/** The row of a person added by hand: known by their email (their userName too) until the IdP adopts them. */
export function insertManualMember(ctx: Ctx, accountId: string, email: string, state: MemberState = 'invited'): Promise<Member> {
  return insertMember(ctx.tx, {
    id: newId(),
    accountId,
    userName: email,
    email,
    externalId: null,
    displayName: null,
    givenName: null,
    familyName: null,
    state,
    provisionedBy: 'manual',
    scimManaged: false,
    preferredLanguage: null,
    locale: null,
    attrs: {},
    createdAt: nowIso(ctx),
  });
}

/** Adds a person by hand (not through SCIM), optionally into a group. */
export async function addManualMember(ctx: Ctx, input: AddMemberInput): Promise<Member> {
  const account = await requireAccount(ctx, input.accountId);
  const email = assertEmail(input.email);
  if ((await findMemberByEmail(ctx.tx, account.id, email)) || (await findMemberByUserName(ctx.tx, account.id, email))) {
    throw new Conflict('member.email.taken', `${email} is already a member of this account.`);
  }
  const group = input.group ? await resolveGroup(ctx, account.id, input.group) : undefined;
  await claimSeat(ctx, account, null, input.state ?? 'invited');
  const member = await insertManualMember(ctx, account.id, email, input.state);
  if (group) await setMembershipSources(ctx.tx, account.id, group.id, member.id, { manual: true }, nowIso(ctx), ctx.actor.label);
  await noteMemberJoined(ctx, account);
  await auditOn(ctx, account, 'member.added', { type: 'member', id: member.id }, { email, group: group?.name ?? null });
  // A new Owner can free a last-Owner change that was held.
  if (group?.kind === 'owners') await releaseHeldChanges(ctx, account);
  return member;
}

export interface MemberListing {
  id: string;
  email: string | null;
  userName: string;
  state: MemberState;
  provisionedBy: string;
  /** Provisioned or adopted by SCIM (SCIM may change only these people). */
  scimManaged: boolean;
  groups: string[];
  /** Changes the last-Owner guard is holding for this person. */
  held: Array<{ kind: string; group: string | null; since: string; reason: HeldReason }>;
}

export async function listMembersWithGroups(ctx: Ctx, accountId: string): Promise<MemberListing[]> {
  await authorize(ctx, 'members.list', accountId);
  const members = await listMembers(ctx.tx, accountId, { limit: 100000, offset: 0 });
  const groups = await groupNamesByMember(
    ctx.tx,
    accountId,
    members.map((m) => m.id),
  );
  const names = new Map((await listGroups(ctx.tx, accountId)).map((g) => [g.id, g.name]));
  const held = new Map<string, MemberListing['held']>();
  for (const h of await openHeldChanges(ctx.tx, accountId)) {
    held.set(h.memberId, [
      ...(held.get(h.memberId) ?? []),
      { kind: h.kind, group: h.groupId ? (names.get(h.groupId) ?? null) : null, since: h.createdAt, reason: h.reason },
    ]);
  }
  return members.map((m) => ({
    id: m.id,
    email: m.email,
    userName: m.userName,
    state: m.state,
    provisionedBy: m.provisionedBy,
    scimManaged: m.scimManaged,
    groups: groups.get(m.id) ?? [],
    held: held.get(m.id) ?? [],
  }));
}
