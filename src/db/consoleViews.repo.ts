// Read models the console shows beside the raw lists: where each role comes from, the groups an
// IdP pushed, what a company has set up, and names for the ids an audit log records. Every query
// is scoped by account id.
import { bool } from './codec';
import type { Tx } from './knex';

export interface MembershipSource {
  memberId: string;
  group: string;
  kind: string;
  manual: boolean;
  /** Given by a mapped IdP group (or held there by the last-Owner guard). */
  idp: boolean;
}

export async function membershipSources(tx: Tx, accountId: string): Promise<MembershipSource[]> {
  const rows = (await tx('memberships as ms')
    .join('groups as g', 'g.id', 'ms.group_id')
    .where({ 'ms.account_id': accountId, 'g.account_id': accountId })
    .orderBy('g.name')
    .select('ms.member_id', 'g.name', 'g.kind', 'ms.manual', 'ms.idp', 'ms.held')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    memberId: r.member_id as string,
    group: r.name as string,
    kind: r.kind as string,
    manual: bool(r.manual),
    idp: bool(r.idp) || bool(r.held),
  }));
}

export interface PushedGroup {
  id: string;
  externalId: string | null;
  displayName: string;
  members: number;
}

/** The groups the account's IdP pushed (the mirror), by name, with their member counts. */
export async function pushedGroups(tx: Tx, accountId: string): Promise<PushedGroup[]> {
  const counts = tx('idp_group_members').where({ account_id: accountId }).groupBy('group_id').select('group_id').count({ n: '*' }).as('c');
  const rows = (await tx('idp_groups as g')
    .leftJoin(counts, 'c.group_id', 'g.id')
    .where('g.account_id', accountId)
    .orderBy('g.display_name_ci')
    .select('g.id', 'g.external_id', 'g.display_name', 'c.n')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as string,
    externalId: (r.external_id as string | null) ?? null,
    displayName: r.display_name as string,
    members: Number(r.n ?? 0),
  }));
}

export interface SetupCounts {
  customGroups: number;
  mappings: number;
  vaults: number;
  /** People of the account's own (invited or active), technicians acting for an MSP never count. */
  members: number;
  scimCredentials: number;
}

export async function setupCounts(tx: Tx, accountId: string): Promise<SetupCounts> {
  const count = async (q: ReturnType<Tx>) => Number(((await q.count({ n: '*' })) as unknown as Array<{ n: number | string }>)[0]!.n);
  return {
    customGroups: await count(tx('groups').where({ account_id: accountId, kind: 'custom' })),
    mappings: await count(tx('group_mappings').where({ account_id: accountId })),
    vaults: await count(tx('vaults').where({ account_id: accountId })),
    members: await count(tx('members').where({ account_id: accountId }).whereIn('state', ['invited', 'active'])),
    scimCredentials:
      (await count(tx('scim_tokens').where({ account_id: accountId }).whereNull('revoked_at'))) +
      (await count(tx('oauth_clients').where({ account_id: accountId }).whereNull('revoked_at'))),
  };
}

/** Names (and managing MSP) of accounts an audit log mentions; the caller decides which it may show. */
export async function accountNames(tx: Tx, ids: string[]): Promise<Map<string, { name: string; mspId: string | null }>> {
  if (!ids.length) return new Map();
  const rows = (await tx('accounts')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'name', 'msp_id')) as Array<{ id: string; name: string; msp_id: string | null }>;
  return new Map(rows.map((r) => [r.id, { name: r.name, mspId: r.msp_id ?? null }]));
}

/** "Name <email>" labels of people, each looked up inside its own account. */
export async function memberLabels(
  tx: Tx,
  people: Array<{ accountId: string; memberId: string }>,
): Promise<Map<string, { name: string | null; email: string | null }>> {
  const out = new Map<string, { name: string | null; email: string | null }>();
  const byAccount = new Map<string, Set<string>>();
  for (const p of people) byAccount.set(p.accountId, (byAccount.get(p.accountId) ?? new Set()).add(p.memberId));
  for (const [accountId, ids] of byAccount) {
    const rows = (await tx('members')
      .where({ account_id: accountId })
      .whereIn('id', [...ids])
      .select('id', 'email', 'user_name', 'display_name', 'given_name', 'family_name')) as Array<Record<string, string | null>>;
    for (const r of rows) {
      const name = r.display_name ?? ([r.given_name, r.family_name].filter(Boolean).join(' ') || null);
      out.set(r.id!, { name, email: r.email ?? r.user_name ?? null });
    }
  }
  return out;
}
