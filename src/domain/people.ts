// The people of an account as the console shows them: name beside email, where each role comes
// from (given by hand, so removable here, or pushed by the IdP), and what the caller may change.
import { membershipSources } from '../db/consoleViews.repo';
import { listMembers } from '../db/members.repo';
import type { Ctx } from './context';
import { type MemberListing, listMembersWithGroups } from './members';
import { permits } from './policy';

export interface PersonView {
  id: string;
  email: string | null;
  userName: string;
  name: string | null;
  state: string;
  scimManaged: boolean;
  provisionedBy: string;
  groups: Array<{ name: string; kind: string; manual: boolean; idp: boolean }>;
  held: MemberListing['held'];
}

export interface PeopleView {
  items: PersonView[];
  /** What the caller may do here, so the console offers only that (the routes decide again). */
  may: { invite: boolean; changeRoles: boolean; changeOwners: boolean; remove: boolean; recover: boolean; governSettings: boolean; createLinkCode: boolean };
}

export async function peopleOf(ctx: Ctx, accountId: string): Promise<PeopleView> {
  const listed = await listMembersWithGroups(ctx, accountId);
  const profiles = new Map((await listMembers(ctx.tx, accountId, { limit: 100_000, offset: 0 })).map((m) => [m.id, m]));
  const sources = new Map<string, PersonView['groups']>();
  for (const s of await membershipSources(ctx.tx, accountId))
    sources.set(s.memberId, [...(sources.get(s.memberId) ?? []), { name: s.group, kind: s.kind, manual: s.manual, idp: s.idp }]);
  const items = listed.map((m) => {
    const p = profiles.get(m.id);
    const name = p?.displayName ?? ([p?.givenName, p?.familyName].filter(Boolean).join(' ') || null);
    return {
      id: m.id,
      email: m.email,
      userName: m.userName,
      name,
      state: m.state,
      scimManaged: m.scimManaged,
      provisionedBy: m.provisionedBy,
      groups: sources.get(m.id) ?? [],
      held: m.held,
    };
  });
  return {
    items,
    may: {
      invite: await permits(ctx, 'members.invite', accountId),
      changeRoles: await permits(ctx, 'roles.change', accountId),
      changeOwners: await permits(ctx, 'owners.change', accountId),
      remove: await permits(ctx, 'members.remove', accountId),
      recover: await permits(ctx, 'recovery.start', accountId),
      governSettings: await permits(ctx, 'settings.update.governing', accountId),
      createLinkCode: await permits(ctx, 'link_code.create', accountId),
    },
  };
}
