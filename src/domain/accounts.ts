// MSP accounts: creating one with its Owner, its three built-in groups and a one-time sign-in link.
import { insertAccount, type Account } from '../db/accounts.repo';
import { newId } from '../db/codec';
import { getBuiltinGroup, setMembershipSources } from '../db/groups.repo';
import { insertSigninLink } from '../db/signin.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { Invalid } from './errors';
import { createBuiltinGroups } from './groups';
import { assertEmail, insertManualMember } from './members';
import { authorize, authorizeDeployment } from './policy';
import { issueSecret } from './secrets';

export const SIGNIN_LINK_TTL_MS = 7 * 24 * 3600 * 1000;

export function assertName(name: string, what = 'name'): string {
  const clean = name.trim();
  if (!clean || clean.length > 200) throw new Invalid(`account.${what}.invalid`, `The ${what} must be 1 to 200 characters.`);
  return clean;
}

export function assertRegion(region: string, regions: readonly string[]): string {
  const r = region.trim().toLowerCase();
  if (!regions.includes(r)) {
    throw new Invalid('account.region.unknown', `Unknown data region "${region}"; expected one of ${regions.join(', ')}.`, {
      regions,
    });
  }
  return r;
}

export interface CreateMspInput {
  name: string;
  region: string;
  ownerEmail: string;
}

export interface CreatedMsp {
  account: Account;
  ownerId: string;
  /** The one-time sign-in secret for the Owner (turned into a URL by the adapter). */
  signInToken: string;
}

export async function createMsp(ctx: Ctx, input: CreateMspInput, regions: readonly string[]): Promise<CreatedMsp> {
  await authorizeDeployment(ctx, 'msp.create');
  const name = assertName(input.name);
  const region = assertRegion(input.region, regions);
  const email = assertEmail(input.ownerEmail);
  const now = nowIso(ctx);
  const account: Account = {
    id: newId(),
    kind: 'msp',
    name,
    region,
    status: 'active',
    mspId: null,
    website: null,
    country: null,
    address: null,
    seatsTotal: 0,
    seatsFilled: 0,
    seatsCapped: false,
    trialEndsAt: null,
    frozenAt: null,
    subscribed: true,
    defaultLanguage: 'en',
    settings: {},
    createdAt: now,
    updatedAt: now,
  };
  await insertAccount(ctx.tx, account);
  await createBuiltinGroups(ctx, account.id, 'msp');
  const owner = await insertManualMember(ctx, account.id, email);
  account.seatsFilled = 1;
  const owners = (await getBuiltinGroup(ctx.tx, account.id, 'owners'))!;
  await setMembershipSources(ctx.tx, account.id, owners.id, owner.id, { manual: true }, now, ctx.actor.label);
  const secret = issueSecret('msb_signin');
  await insertSigninLink(ctx.tx, {
    id: newId(),
    accountId: account.id,
    memberId: owner.id,
    tokenHash: secret.hash,
    createdAt: now,
    expiresAt: new Date(ctx.now.getTime() + SIGNIN_LINK_TTL_MS).toISOString(),
  });
  await recordAudit(ctx, {
    accountId: account.id,
    mspId: account.id,
    action: 'msp.created',
    target: { type: 'account', id: account.id },
    data: { name, region, ownerEmail: email },
  });
  return { account, ownerId: owner.id, signInToken: secret.value };
}

/** What an account's people (and a technician launched into it) see of it. */
export async function accountOverview(ctx: Ctx, accountId: string): Promise<Account> {
  return authorize(ctx, 'account.read', accountId);
}
