// Time-driven rules, run by the lifecycle worker: expiries, reminders, trial end, log pruning.
// Every step is an idempotent UPDATE guarded by the old state, so several workers may run it.
import { type Account, getAccount, trialsEnding, updateAccount } from '../db/accounts.repo';
import { getMemberAnyState } from '../db/members.repo';
import { enqueue } from '../db/outbox.repo';
import { listAuditEvents } from '../db/audit.repo';
import { pruneScimRequests } from '../db/scimRequests.repo';
import { recordAudit } from './audit';
import { type Ctx, nowIso } from './context';
import { countingOwners } from './effectiveRoles';
import { Conflict } from './errors';
import { authorize } from './policy';
import { expireInvitations, languageFor, queueReminders } from './invitations';
import { type PlannedMail, mailKeys } from './mailDeliveries';
import { LIFECYCLE_QUEUE, expireLinks, freezeExpiredTrials } from './links';
import { expireRecoveries } from './recovery';
import { raiseMspEvent } from './mspEvents';
import { raiseScimErrorAlerts } from './scimHealth';
import { auditMspOf } from './tenancy';

export const TRIAL_WARNING_MS = 3 * 24 * 3600 * 1000;
export const SCIM_LOG_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface TickReport {
  invitationsExpired: number;
  remindersQueued: number;
  recoveriesExpired: number;
  linksExpired: number;
  trialsFrozen: number;
  trialWarningsQueued: number;
  scimLogPruned: number;
  scimErrorAlerts: number;
}

/** The MSP that last unlinked the account (whose trial it then is), if any. */
async function formerMsp(ctx: Ctx, accountId: string): Promise<string | null> {
  const [unlinked] = await listAuditEvents(ctx.tx, accountId, { action: 'company.unlinked', limit: 1 });
  return unlinked?.mspId ?? null;
}

/** Trials ending within three days get one warning to their Owners, and trial.ending to the MSP that unlinked them. */
async function queueTrialWarnings(ctx: Ctx): Promise<number> {
  const soon = new Date(ctx.now.getTime() + TRIAL_WARNING_MS).toISOString();
  const due = await trialsEnding(ctx.tx, soon, nowIso(ctx));
  for (const a of due) {
    // The outbox ignores a second job with the same key: one warning per trial end.
    await enqueue(
      ctx.tx,
      a.id,
      { queue: LIFECYCLE_QUEUE, name: 'trial-notice', key: `trial:${a.id}:warning:${a.trialEndsAt}`, payload: { accountId: a.id } },
      nowIso(ctx),
    );
    const mspId = await formerMsp(ctx, a.id);
    const company = await getAccount(ctx.tx, a.id);
    if (mspId && company && (await getAccount(ctx.tx, mspId)))
      await raiseMspEvent(ctx, mspId, {
        type: 'trial.ending',
        account: company,
        data: { companyId: a.id, companyName: company.name, trialEndsAt: a.trialEndsAt },
        dedupeKey: `trial.ending:${a.id}:${a.trialEndsAt}`,
      });
  }
  return due.length;
}

export async function lifecycleTick(ctx: Ctx, opts: { scimErrorMinRequests?: number } = {}): Promise<TickReport> {
  return {
    invitationsExpired: await expireInvitations(ctx),
    remindersQueued: await queueReminders(ctx),
    recoveriesExpired: await expireRecoveries(ctx),
    linksExpired: await expireLinks(ctx),
    trialsFrozen: await freezeExpiredTrials(ctx),
    trialWarningsQueued: await queueTrialWarnings(ctx),
    scimErrorAlerts: await raiseScimErrorAlerts(ctx, opts.scimErrorMinRequests),
    scimLogPruned: await pruneScimRequests(ctx.tx, new Date(ctx.now.getTime() - SCIM_LOG_RETENTION_MS).toISOString()),
  };
}

export interface TrialMailData {
  name: string;
  accountName: string;
  endsAt: Date;
  days: number;
}

/** The trial notice for each accepted Owner of an account on trial. */
export async function planTrialMails(ctx: Ctx, accountId: string): Promise<PlannedMail<TrialMailData>[]> {
  const account = await getAccount(ctx.tx, accountId);
  if (!account || account.status !== 'trial' || !account.trialEndsAt) return [];
  const endsAt = new Date(account.trialEndsAt);
  const days = Math.max(0, Math.ceil((endsAt.getTime() - ctx.now.getTime()) / (24 * 3600 * 1000)));
  const mails: PlannedMail<TrialMailData>[] = [];
  for (const ownerId of await countingOwners(ctx.tx, account.id)) {
    const owner = await getMemberAnyState(ctx.tx, account.id, ownerId);
    if (!owner || owner.state !== 'active' || !owner.email) continue;
    mails.push({
      key: mailKeys.trial(account.id, account.trialEndsAt, days <= 3 ? 'warning' : 'start', owner.id),
      accountId: account.id,
      kind: 'trial',
      to: owner.email,
      language: languageFor(owner, account),
      data: { name: owner.displayName ?? owner.email, accountName: account.name, endsAt, days },
    });
  }
  return mails;
}

/** An account on trial (or frozen) subscribes: it is active again without an MSP. */
export async function subscribeAccount(ctx: Ctx, accountId: string): Promise<Account> {
  const account = await authorize(ctx, 'account.subscribe', accountId);
  if (account.kind !== 'company') throw new Conflict('subscribe.not_company', 'Only a company subscribes.');
  if (account.mspId) throw new Conflict('subscribe.managed', 'This company is managed by an MSP.');
  await updateAccount(ctx.tx, account.id, { subscribed: true, status: 'active', trialEndsAt: null, frozenAt: null }, nowIso(ctx));
  await recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action: 'account.subscribed' });
  return (await getAccount(ctx.tx, account.id))!;
}
