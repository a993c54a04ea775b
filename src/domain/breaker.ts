// The deprovisioning breaker: within a rolling hour a company's IdP may take away at most N
// people (deactivations, deletions, Owner/Administrator role losses); what comes beyond is held
// for a person to release or discard. The MSP hears of a trip once, and of trips in several of
// its companies within an hour once more, as one fleet-wide alert.
import { type Account, getAccount } from '../db/accounts.repo';
import {
  companiesTrippedSince,
  countDeprovisionsSince,
  fleetAlertSince,
  insertDeprovision,
  lockBreaker,
  pruneDeprovisions,
  setTripStarted,
} from '../db/breaker.repo';
import { newId } from '../db/codec';
import { type HeldKind, insertHeldChange, openHeldChanges } from '../db/mapping.repo';
import { auditOn } from './audit';
import { type Ctx, nowIso } from './context';
import { raiseMspEvent } from './mspEvents';

/** Removals per rolling hour when a company never set its own limit. */
export const DEFAULT_DEPROVISION_LIMIT = 10;
export const MAX_DEPROVISION_LIMIT = 100_000;
const WINDOW_MS = 60 * 60 * 1000;

export const deprovisionLimitOf = (account: Account): number => account.settings.deprovisionLimit ?? DEFAULT_DEPROVISION_LIMIT;

/** Only what the IdP does counts; a person's own release, resync or removal by hand does not. */
const counts = (ctx: Ctx, account: Account): boolean => ctx.actor.kind === 'scim' && deprovisionLimitOf(account) > 0;

const windowStart = (ctx: Ctx): string => new Date(ctx.now.getTime() - WINDOW_MS).toISOString();

/**
 * Takes the company's breaker lock now, before a change's first write, when the change may
 * count: concurrent pushes then queue here instead of deadlocking on rows taken in another order.
 */
export async function lockBreakerEarly(ctx: Ctx, account: Account): Promise<void> {
  if (counts(ctx, account)) await lockBreaker(ctx.tx, account.id, nowIso(ctx));
}

/**
 * One more removal the IdP asks for: true when it applies now (and is counted), false when the
 * company's limit for the rolling hour is used up and it must be held.
 */
export async function admitRemoval(ctx: Ctx, account: Account, memberId: string, kind: HeldKind): Promise<boolean> {
  if (!counts(ctx, account)) return true;
  const now = nowIso(ctx);
  await lockBreaker(ctx.tx, account.id, now);
  const since = windowStart(ctx);
  if ((await countDeprovisionsSince(ctx.tx, account.id, since)) >= deprovisionLimitOf(account)) return false;
  await pruneDeprovisions(ctx.tx, account.id, since);
  await insertDeprovision(ctx.tx, { id: newId(), accountId: account.id, memberId, kind, createdAt: now });
  return true;
}

/** Holds a removal the breaker refused (once per person, kind and group); the first hold starts a trip. */
export async function holdRemoval(
  ctx: Ctx,
  account: Account,
  memberId: string,
  groupId: string | null,
  kind: HeldKind,
  data?: Record<string, unknown>,
): Promise<void> {
  const open = await openHeldChanges(ctx.tx, account.id, [memberId], 'breaker');
  if (open.some((h) => h.kind === kind && h.groupId === groupId)) return;
  await insertHeldChange(ctx.tx, { id: newId(), accountId: account.id, memberId, groupId, kind, reason: 'breaker', createdAt: nowIso(ctx), data });
  await auditOn(ctx, account, 'breaker.held', { type: 'member', id: memberId }, { kind, groupId, limit: deprovisionLimitOf(account) });
  const breaker = await lockBreaker(ctx.tx, account.id, nowIso(ctx));
  if (!breaker.tripStartedAt) await startTrip(ctx, account);
}

async function startTrip(ctx: Ctx, account: Account): Promise<void> {
  const since = nowIso(ctx);
  await setTripStarted(ctx.tx, account.id, since, since);
  await auditOn(ctx, account, 'breaker.tripped', undefined, { limit: deprovisionLimitOf(account), since });
  if (!account.mspId) return;
  const heldCount = (await openHeldChanges(ctx.tx, account.id, undefined, 'breaker')).length;
  await raiseMspEvent(ctx, account.mspId, {
    type: 'provisioning.held',
    account,
    data: { companyId: account.id, companyName: account.name, limit: deprovisionLimitOf(account), window: 'PT1H', heldCount, since },
    // A trip runs from its first hold until nothing is held: its start names it.
    dedupeKey: `provisioning.held:${account.id}:${since}`,
  });
  await raiseFleetAlert(ctx, account.mspId);
}

/**
 * Trips in two or more companies of one MSP within an hour: one alert (a compromised IdP or
 * credential is the MSP's worst case). Trip starts of one MSP are serialised on the MSP's own
 * breaker row, so the count sees every company and the alert is raised once per hour.
 */
async function raiseFleetAlert(ctx: Ctx, mspId: string): Promise<void> {
  await lockBreaker(ctx.tx, mspId, nowIso(ctx));
  const since = windowStart(ctx);
  if (await fleetAlertSince(ctx.tx, mspId, since)) return;
  const tripped = await companiesTrippedSince(ctx.tx, mspId, since);
  if (tripped.length < 2) return;
  const companies = [];
  for (const t of tripped) companies.push({ companyId: t.accountId, companyName: (await getAccount(ctx.tx, t.accountId))?.name ?? null, since: t.at });
  await raiseMspEvent(ctx, mspId, {
    type: 'provisioning.fleet_alert',
    account: null,
    data: { companies, count: companies.length, window: 'PT1H', since: tripped[0]!.at },
    dedupeKey: `provisioning.fleet_alert:${mspId}:${tripped[0]!.at}`,
  });
}

/** A trip ends when nothing the breaker held is left open (released, discarded or cancelled). */
export async function endTripIfClear(ctx: Ctx, account: Account): Promise<void> {
  const breaker = await lockBreaker(ctx.tx, account.id, nowIso(ctx));
  if (!breaker.tripStartedAt) return;
  if ((await openHeldChanges(ctx.tx, account.id, undefined, 'breaker')).length) return;
  await setTripStarted(ctx.tx, account.id, null, nowIso(ctx));
  await auditOn(ctx, account, 'breaker.reset', undefined, { tripStartedAt: breaker.tripStartedAt });
}
