// Queries for accounts (MSPs and companies); a company is read through its own id or its MSP's.
import { type Tx, isPg } from './knex';
import { foldName } from './nameFold';
import { first, shape } from './prepared';
import { requireWork } from './unitOfWork';
import { bool, int, jsonColumn, optIso, optText, rowCodec, text, time } from './codec';

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
  /** MSP accounts: whether MSP Technicians see every managed company or only those assigned to them. */
  technicianScope?: 'all' | 'assigned';
  /** SCIM removals applied per rolling hour before the breaker holds the rest (default 10; 0 turns it off). */
  deprovisionLimit?: number;
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
  /** The allowance is a hard cap (set explicitly); a default allowance is not. */
  seatsCapped: boolean;
  trialEndsAt: string | null;
  frozenAt: string | null;
  subscribed: boolean;
  defaultLanguage: string;
  settings: AccountSettings;
  createdAt: string;
  updatedAt: string;
}

export type NewAccount = Omit<Account, 'seatsFilled' | 'seatsCapped' | 'trialEndsAt' | 'frozenAt' | 'subscribed' | 'updatedAt'> &
  Partial<Pick<Account, 'trialEndsAt' | 'subscribed' | 'seatsCapped'>>;

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
  seatsCapped: bool,
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
    name_fold: foldName(a.name),
    seats_filled: 0,
    seats_capped: a.seatsCapped ?? false,
    trial_ends_at: a.trialEndsAt ?? null,
    subscribed: a.subscribed ?? false,
    updated_at: a.createdAt,
  });
}

const ACCOUNT_BY_ID = shape(`select ${ACCOUNT.columnList()} from accounts where id = ? limit 1`);

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
  seatsCapped?: boolean;
  trialEndsAt?: string | null;
  frozenAt?: string | null;
  subscribed?: boolean;
  defaultLanguage?: string;
  settings?: AccountSettings;
}

export async function updateAccount(tx: Tx, id: string, patch: AccountPatch, now: string): Promise<void> {
  const nameCi = patch.name === undefined ? {} : { name_ci: patch.name.toLowerCase(), name_fold: foldName(patch.name) };
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

const SEATS = shape('select seats_total, seats_filled, seats_capped from accounts where id = ? limit 1');
const SEATS_LOCKED = shape('select seats_total, seats_filled, seats_capped from accounts where id = ? limit 1 for no key update');

/**
 * The filled-seat counter and allowance of an account, read for a seat about to be filled (only
 * for an account the transaction read as capped: uncapped ones take no lock). On PostgreSQL the
 * row is locked to the end of the transaction, so concurrent creates into one capped company are
 * counted one after the other (SQLite serialises writers). FOR NO KEY UPDATE, not FOR UPDATE: it
 * excludes the other seat checks and counter updates just the same, but not the key-share locks
 * every insert of a row referencing the account takes (members, memberships, audit, the request
 * log), which FOR UPDATE would queue behind this write.
 */
export async function seatsForUpdate(tx: Tx, id: string): Promise<{ total: number; filled: number; capped: boolean } | undefined> {
  const row = await first(tx, isPg(tx) ? SEATS_LOCKED : SEATS, [id]);
  return row && { total: Number(row.seats_total), filled: Number(row.seats_filled), capped: bool(row.seats_capped) };
}

/** Every company of one MSP in name order (or only those assigned to a technician), each whole. */
export async function allManagedCompanies(tx: Tx, mspId: string, assignedTo?: string): Promise<Account[]> {
  const q = tx('accounts').where({ msp_id: mspId, kind: 'company' });
  if (assignedTo) {
    q.whereExists(function () {
      void this.select(1).from('technician_assignments as ta').whereRaw('ta.company_id = accounts.id').andWhere('ta.member_id', assignedTo);
    });
  }
  return (await q.select(ACCOUNT.columnList().split(', ')).orderBy([{ column: 'name_ci' }, { column: 'id' }])).map(ACCOUNT.read);
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
