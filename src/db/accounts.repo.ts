// Queries for accounts (MSPs and companies); a company is read through its own id or its MSP's.
import type { Tx } from './knex';
import { first, shape } from './prepared';
import { requireWork } from './unitOfWork';
import { bool, int, jsonColumn, likeEscape, optIso, optText, rowCodec, text, time } from './codec';

export type AccountKind = 'msp' | 'company';
export type AccountStatus = 'active' | 'setup' | 'pending_link' | 'frozen' | 'trial';

export interface AccountSettings {
  /** What SCIM DELETE does to a person: suspend (default) or remove. */
  scimDeleteMode?: 'suspend' | 'remove';
  /** Whether a pushed user whose email matches a manual member is adopted (else 409). */
  adoptExistingMembers?: boolean;
  /** Whether pushed groups without a mapping become custom groups. */
  unmappedGroupsAsCustom?: boolean;
  /** Whether technicians may give themselves access to vaults. */
  technicianSelfAccess?: boolean;
  policies?: { passwordMinLength?: number; requireTwoFactor?: boolean };
  recoveryPlan?: { allowAdministrators?: boolean; allowTechnicians?: boolean };
}

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  region: string;
  status: AccountStatus;
  mspId: string | null;
  website: string | null;
  country: string | null;
  address: string | null;
  seatsTotal: number;
  seatsFilled: number;
  trialEndsAt: string | null;
  frozenAt: string | null;
  subscribed: boolean;
  defaultLanguage: string;
  settings: AccountSettings;
  createdAt: string;
  updatedAt: string;
}

export type NewAccount = Omit<Account, 'seatsFilled' | 'trialEndsAt' | 'frozenAt' | 'subscribed' | 'updatedAt'> &
  Partial<Pick<Account, 'trialEndsAt' | 'subscribed'>>;

const ACCOUNT = rowCodec<Account>({
  id: text,
  kind: text,
  name: text,
  region: text,
  status: text,
  mspId: optText,
  website: optText,
  country: optText,
  address: optText,
  seatsTotal: int,
  seatsFilled: int,
  trialEndsAt: optIso,
  frozenAt: optIso,
  subscribed: bool,
  defaultLanguage: text,
  settings: jsonColumn<AccountSettings>({}),
  createdAt: time,
  updatedAt: time,
});

export async function insertAccount(tx: Tx, a: NewAccount): Promise<void> {
  await tx('accounts').insert({
    ...ACCOUNT.write(a),
    name_ci: a.name.toLowerCase(),
    seats_filled: 0,
    trial_ends_at: a.trialEndsAt ?? null,
    subscribed: a.subscribed ?? false,
    updated_at: a.createdAt,
  });
}

const ACCOUNT_BY_ID = shape('select * from accounts where id = ? limit 1');

export async function getAccount(tx: Tx, id: string): Promise<Account | undefined> {
  return ACCOUNT.maybe(await first(tx, ACCOUNT_BY_ID, [id]));
}

/** A company as seen by one MSP: another MSP's company is simply not there. */
export async function getManagedCompany(tx: Tx, mspId: string, companyId: string): Promise<Account | undefined> {
  return ACCOUNT.maybe(await tx('accounts').where({ id: companyId, msp_id: mspId, kind: 'company' }).first());
}

export interface AccountPatch {
  name?: string;
  status?: AccountStatus;
  mspId?: string | null;
  website?: string | null;
  country?: string | null;
  address?: string | null;
  seatsTotal?: number;
  trialEndsAt?: string | null;
  frozenAt?: string | null;
  subscribed?: boolean;
  defaultLanguage?: string;
  settings?: AccountSettings;
}

export async function updateAccount(tx: Tx, id: string, patch: AccountPatch, now: string): Promise<void> {
  const nameCi = patch.name === undefined ? {} : { name_ci: patch.name.toLowerCase() };
  await tx('accounts')
    .where({ id })
    .update({ updated_at: now, ...ACCOUNT.write(patch), ...nameCi });
}

/**
 * Moves the filled-seat counter by delta (kept exact by members.repo on every state change). The
 * unit of work writes it as the transaction's last statement (see UnitOfWork.addSeats).
 */
export function addFilledSeats(tx: Tx, id: string, delta: number): void {
  requireWork(tx).addSeats(id, delta);
}

export type CompanySort = 'name' | 'status' | 'seats';

export interface CompanyQuery {
  search?: string;
  status?: AccountStatus;
  sort?: CompanySort;
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** One MSP's managed companies: search, filter, sort and page in SQL on the (msp_id, ...) indexes. */
export async function listManagedCompanies(tx: Tx, mspId: string, q: CompanyQuery): Promise<{ total: number; items: Account[] }> {
  const base = tx('accounts').where({ msp_id: mspId, kind: 'company' });
  if (q.status) base.andWhere('status', q.status);
  if (q.search) base.andWhereRaw(`name_ci like ? escape '\\'`, [`%${likeEscape(q.search.toLowerCase())}%`]);
  const [{ n }] = (await base.clone().count({ n: '*' })) as Array<{ n: number | string }>;
  const sort = q.sort ?? 'name';
  const defaultOrder = sort === 'seats' ? 'desc' : 'asc';
  const order = q.order ?? defaultOrder;
  const rows = base.clone().select('*');
  if (sort === 'status') rows.orderBy([{ column: 'status', order }, { column: 'name_ci' }, { column: 'id' }]);
  else if (sort === 'seats') rows.orderBy([{ column: 'seats_filled', order }, { column: 'name_ci' }, { column: 'id' }]);
  else rows.orderBy([{ column: 'name_ci', order }, { column: 'id' }]);
  const items = (await rows.limit(q.limit).offset(q.offset)).map(ACCOUNT.read);
  return { total: Number(n), items };
}

/** Companies on an unpaid trial without an MSP whose trial ends by `by` (and after `after`, if given). */
export async function trialsEnding(tx: Tx, by: string, after?: string): Promise<Array<{ id: string; trialEndsAt: string }>> {
  const rows = (await tx('accounts')
    .where({ status: 'trial', subscribed: false })
    .whereNull('msp_id')
    .andWhere('trial_ends_at', '<=', by)
    .modify((q) => {
      if (after) q.andWhere('trial_ends_at', '>', after);
    })
    .select('id', 'trial_ends_at')) as Array<{ id: string; trial_ends_at: unknown }>;
  return rows.map((r) => ({ id: r.id, trialEndsAt: String(r.trial_ends_at) }));
}

/** Freezes a company still on trial; false when it left the trial meanwhile. */
export async function freezeTrial(tx: Tx, id: string, now: string): Promise<boolean> {
  return (await tx('accounts').where({ id, status: 'trial' }).update({ status: 'frozen', frozen_at: now, updated_at: now })) > 0;
}
