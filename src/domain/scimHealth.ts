// scim.errors: a company's IdP whose SCIM requests fail (status >= 400) more than 20% of the time
// over 15 minutes — what gets Microsoft Entra to quarantine the app. Raised once per episode.
import { getAccount } from '../db/accounts.repo';
import { errorWindows, markErrorEpisode } from '../db/scimRequests.repo';
import { type Ctx, nowIso } from './context';
import { raiseMspEvent } from './mspEvents';

export const SCIM_ERROR_WINDOW_MS = 15 * 60 * 1000;
/** More than this share of failed requests is an alert. */
export const SCIM_ERROR_RATE = 0.2;
export const SCIM_ERROR_MIN_REQUESTS = 10;

/**
 * Looks at the last 15 minutes of the SCIM request log: an account with at least `minRequests`
 * requests, more than 20% failed, failures in the window's first and last third (so it lasted,
 * not one burst) is failing. An episode goes on while every look within 15 minutes finds it
 * failing; its first look raises the event. Returns how many events were raised.
 */
export async function raiseScimErrorAlerts(ctx: Ctx, minRequests = SCIM_ERROR_MIN_REQUESTS): Promise<number> {
  const now = ctx.now.getTime();
  const since = new Date(now - SCIM_ERROR_WINDOW_MS).toISOString();
  const third = SCIM_ERROR_WINDOW_MS / 3;
  let raised = 0;
  for (const w of await errorWindows(ctx.tx, since, minRequests)) {
    if (w.errors <= w.total * SCIM_ERROR_RATE) continue;
    if (Date.parse(w.firstErrorAt) > now - 2 * third || Date.parse(w.lastErrorAt) < now - third) continue;
    const episode = await markErrorEpisode(ctx.tx, w.accountId, nowIso(ctx), since);
    const account = await getAccount(ctx.tx, w.accountId);
    // An MSP's own IdP is reported to the MSP; a company without an MSP has nobody to tell here.
    const mspId = account?.kind === 'msp' ? account.id : account?.mspId;
    if (!account || !mspId) continue;
    const event = await raiseMspEvent(ctx, mspId, {
      type: 'scim.errors',
      account,
      data: {
        companyId: account.id,
        companyName: account.name,
        requests: w.total,
        failed: w.errors,
        errorRate: Math.round((w.errors / w.total) * 1000) / 1000,
        windowMinutes: SCIM_ERROR_WINDOW_MS / 60_000,
        firstErrorAt: w.firstErrorAt,
        lastErrorAt: w.lastErrorAt,
        episodeStartedAt: episode.startedAt,
      },
      dedupeKey: `scim.errors:${account.id}:${episode.startedAt}`,
    });
    if (event) raised++;
  }
  return raised;
}
