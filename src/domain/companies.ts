// Managed companies seen from the MSP side: adding one in the MSP's region and listing them.
import { type Account, type AccountStatus, getManagedCompany, insertAccount } from '../db/accounts.repo';
import { type CompanyListItem, type CompanySort, listManagedCompanies } from '../db/companyList.repo';
import { countActiveOwners } from '../db/groups.repo';
import { countMembers } from '../db/members.repo';
import { countLiveScimTokens } from '../db/credentials.repo';
import { openLinkOfMspFor } from '../db/links.repo';
import { newId } from '../db/codec';
import { insertAssignment } from '../db/technicianAssignments.repo';
import { recordAudit } from './audit';
import { assertName } from './accounts';
import { type Ctx, nowIso } from './context';
import { Invalid, NotFound } from './errors';
import { createBuiltinGroups } from './groups';
import { type Action, authorize, authorizeCompany, listingScope } from './policy';
import { assertSeats, atSeatCap } from './seatCaps';

export const DEFAULT_SEATS = 10;
export const COMPANY_STATUSES: readonly AccountStatus[] = ['setup', 'active', 'pending_link', 'frozen', 'trial'];

/** A company as one row of the MSP's list: the fields REST and CLI both show. */
export const companySummary = (c: CompanyListItem) => ({
  id: c.id,
  name: c.name,
  status: c.status,
  region: c.region,
  seatsFilled: c.seatsFilled,
  seatsTotal: c.seatsTotal,
  seatsCapped: c.seatsCapped,
  atSeatCap: atSeatCap(c),
});

/** The MSP account, once the policy lets the actor do `action` for it. */
export async function requireMsp(ctx: Ctx, mspId: string, action: Action): Promise<Account> {
  return authorize(ctx, action, mspId);
}

export interface AddCompanyInput {
  mspId: string;
  name: string;
  country: string;
  website?: string;
  address?: string;
  seats?: number;
}

/** Adds a new company in the MSP's data region (its country is billing information only). */
export async function addCompany(ctx: Ctx, input: AddCompanyInput): Promise<Account> {
  const msp = await requireMsp(ctx, input.mspId, 'company.add');
  const name = assertName(input.name);
  const country = input.country.trim();
  if (!country || country.length > 64) throw new Invalid('company.country.invalid', 'The country/region is required.');
  const website = input.website?.trim() || null;
  if (website && !/^(https?:\/\/)?[^\s/]+\.[^\s]+$/i.test(website)) {
    throw new Invalid('company.website.invalid', `"${website}" is not a website address.`);
  }
  const seats = assertSeats(input.seats ?? DEFAULT_SEATS);
  const now = nowIso(ctx);
  const company: Account = {
    id: newId(),
    kind: 'company',
    name,
    region: msp.region,
    status: 'setup',
    mspId: msp.id,
    website,
    country,
    address: input.address?.trim() || null,
    seatsTotal: seats,
    seatsFilled: 0,
    // An allowance given explicitly is a hard cap; the default one is not (see seatCaps.ts).
    seatsCapped: input.seats !== undefined,
    trialEndsAt: null,
    frozenAt: null,
    subscribed: false,
    defaultLanguage: msp.defaultLanguage,
    settings: {},
    createdAt: now,
    updatedAt: now,
  };
  await insertAccount(ctx.tx, company);
  await createBuiltinGroups(ctx, company.id, 'company');
  // A technician scoped to assigned companies keeps the company they add in their scope.
  const scopedTo = await listingScope(ctx, msp);
  if (scopedTo) await insertAssignment(ctx.tx, { mspId: msp.id, companyId: company.id, memberId: scopedTo, createdBy: ctx.actor.label, createdAt: now });
  await recordAudit(ctx, {
    accountId: company.id,
    mspId: msp.id,
    action: 'company.added',
    target: { type: 'account', id: company.id },
    data: { name, country, region: msp.region },
  });
  return company;
}

export interface ListCompaniesInput {
  search?: string;
  status?: AccountStatus;
  sort?: CompanySort;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface CompanyPage {
  total: number;
  items: CompanyListItem[];
}

export async function listCompanies(ctx: Ctx, mspId: string, q: ListCompaniesInput = {}): Promise<CompanyPage> {
  const msp = await requireMsp(ctx, mspId, 'companies.list');
  if (q.status && !COMPANY_STATUSES.includes(q.status)) {
    throw new Invalid('company.status.unknown', `Unknown status "${q.status}"; expected one of ${COMPANY_STATUSES.join(', ')}.`);
  }
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  // A technician scoped to assigned companies sees only those (filtered in SQL, counts included).
  return listManagedCompanies(ctx.tx, mspId, { ...q, limit, offset, assignedTo: await listingScope(ctx, msp) });
}

export interface CompanyDetail {
  company: Account;
  owners: { total: number; accepted: number };
  members: number;
  scimTokens: number;
  openLinkRequest: string | null;
  /** Unlinking is refused until an Owner of the company's own has accepted. */
  canUnlink: boolean;
}

export async function companyDetail(ctx: Ctx, mspId: string, companyId: string): Promise<CompanyDetail> {
  await authorizeCompany(ctx, 'company.read', mspId, companyId);
  const company = await getManagedCompany(ctx.tx, mspId, companyId);
  if (!company) throw new NotFound('company.not_found', 'No such company.');
  const total = await countActiveOwners(ctx.tx, company.id);
  const accepted = total ? await countActiveOwners(ctx.tx, company.id, { acceptedOnly: true }) : 0;
  const members = await countMembers(ctx.tx, company.id);
  const tokens = await countLiveScimTokens(ctx.tx, company.id);
  const openLinkRequest = await openLinkOfMspFor(ctx.tx, mspId, company.id);
  return { company, owners: { total, accepted }, members, scimTokens: tokens, openLinkRequest, canUnlink: accepted > 0 };
}
