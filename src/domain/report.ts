// The monthly client report: what happened to one company's people in a UTC month — joiners,
// leavers, invitations, the offboarding proof (how long from the IdP asking to deactivate someone
// to their suspension), recoveries, the IdP's SCIM error rate and changes the guards held.
import { type Account, getManagedCompany } from '../db/accounts.repo';
import { contactsOf } from '../db/members.repo';
import { auditTargets, countAudit, heldChangesMade, heldRemovalsApplied, invitationEmailsSent, invitationsAccepted, joinedMembers } from '../db/report.repo';
import { scimRequestCounts } from '../db/scimRequests.repo';
import type { Ctx } from './context';
import { toCsv } from './csv';
import { Invalid, NotFound } from './errors';
import { authorize, authorizeCompany } from './policy';

/** A deactivation the IdP asked for in the month, and when (if) it took effect. */
export interface Offboarding {
  memberId: string;
  email: string | null;
  userName: string | null;
  requestedAt: string;
  appliedAt: string | null;
  latencySeconds: number | null;
  /** applied at once; held then applied; still held; held and then discarded or cancelled. */
  outcome: 'applied' | 'released' | 'held' | 'discarded' | 'cancelled';
  /** Why it was held (breaker, last_owner), if it was. */
  heldBy: string | null;
}

export interface Person {
  memberId: string;
  email: string | null;
  userName: string | null;
  at: string;
}

export interface MonthlyReport {
  accountId: string;
  accountName: string;
  month: string;
  language: 'en' | 'de';
  from: string;
  to: string;
  joiners: number;
  leavers: number;
  invitationsSent: number;
  invitationRemindersSent: number;
  invitationsAccepted: number;
  /** Deactivations the IdP asked for in the month (suspensions and deletions). */
  deprovisionings: number;
  deprovisioningLatencyMedianSeconds: number | null;
  deprovisioningLatencyMaxSeconds: number | null;
  /** Asked for in the month and not applied (still held, or discarded by a person). */
  deprovisioningsNotApplied: number;
  recoveriesStarted: number;
  recoveriesCompleted: number;
  scimRequests: number;
  scimErrors: number;
  /** scimErrors / scimRequests (0 without requests), 4 decimals. */
  scimErrorRate: number;
  heldChanges: number;
  heldChangesByReason: Record<string, number>;
  heldChangesApplied: number;
  heldChangesDiscarded: number;
  heldChangesOpen: number;
  joined: Person[];
  left: Person[];
  offboarding: Offboarding[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DIRECT_REMOVALS = ['scim.user.suspended', 'scim.user.deleted_suspended', 'scim.user.removed'] as const;

/** [start, end) of a UTC month given as YYYY-MM. */
export function monthRange(month: string): { start: string; end: string } {
  const m = MONTH.exec(month);
  if (!m) throw new Invalid('report.month.invalid', `The month is given as YYYY-MM (got "${month}").`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { start: new Date(Date.UTC(y, mo - 1, 1)).toISOString(), end: new Date(Date.UTC(y, mo, 1)).toISOString() };
}

const seconds = (from: string, to: string) => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10);

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round(((s[mid - 1]! + s[mid]!) / 2) * 10) / 10;
}

async function build(ctx: Ctx, account: Account, month: string): Promise<MonthlyReport> {
  const { start, end } = monthRange(month);
  const tx = ctx.tx;
  const joined = await joinedMembers(tx, account.id, start, end);
  // Deactivations asked by the IdP: applied at once (the same transaction as the request), or held.
  const direct = await auditTargets(tx, account.id, DIRECT_REMOVALS, start, end, 'scim');
  const held = await heldChangesMade(tx, account.id, start, end);
  const heldRemovals = held.filter((h) => h.kind === 'suspend' || h.kind === 'remove');
  const offboarding: Array<Omit<Offboarding, 'email' | 'userName'>> = [
    ...direct.map((d) => ({ memberId: d.memberId, requestedAt: d.at, appliedAt: d.at, latencySeconds: 0, outcome: 'applied' as const, heldBy: null })),
    ...heldRemovals.map((h) => {
      const applied = h.resolution === 'applied' && h.resolvedAt;
      return {
        memberId: h.memberId,
        requestedAt: h.at,
        appliedAt: applied ? h.resolvedAt : null,
        latencySeconds: applied ? seconds(h.at, h.resolvedAt!) : null,
        outcome: applied
          ? ('released' as const)
          : h.resolution === null
            ? ('held' as const)
            : h.resolution === 'discarded'
              ? ('discarded' as const)
              : ('cancelled' as const),
        heldBy: h.reason,
      };
    }),
  ];
  // Leavers: people whose suspension or removal took effect in the month (by the IdP, a release, or by hand).
  const manual = await auditTargets(tx, account.id, ['member.removed'], start, end);
  const released = await heldRemovalsApplied(tx, account.id, start, end);
  const left = new Map<string, string>();
  for (const x of [...direct, ...manual, ...released.map((r) => ({ memberId: r.memberId, at: r.resolvedAt! }))]) {
    if (x.memberId && !left.has(x.memberId)) left.set(x.memberId, x.at);
  }
  const contacts = await contactsOf(tx, account.id, [...new Set([...left.keys(), ...offboarding.map((o) => o.memberId)])]);
  const who = (id: string) => ({ email: contacts.get(id)?.email ?? null, userName: contacts.get(id)?.userName ?? null });
  const latencies = offboarding.filter((o) => o.latencySeconds !== null).map((o) => o.latencySeconds!);
  const scim = await scimRequestCounts(tx, account.id, start, end);
  const mails = await invitationEmailsSent(tx, account.id, start, end);
  const byReason: Record<string, number> = {};
  for (const h of held) byReason[h.reason] = (byReason[h.reason] ?? 0) + 1;
  return {
    accountId: account.id,
    accountName: account.name,
    month,
    language: account.defaultLanguage === 'de' ? 'de' : 'en',
    from: start,
    to: end,
    joiners: joined.length,
    leavers: left.size,
    invitationsSent: mails.sent,
    invitationRemindersSent: mails.reminders,
    invitationsAccepted: await invitationsAccepted(tx, account.id, start, end),
    deprovisionings: offboarding.length,
    deprovisioningLatencyMedianSeconds: median(latencies),
    deprovisioningLatencyMaxSeconds: latencies.length ? Math.max(...latencies) : null,
    deprovisioningsNotApplied: offboarding.filter((o) => o.appliedAt === null).length,
    recoveriesStarted: await countAudit(tx, account.id, 'recovery.started', start, end),
    recoveriesCompleted: await countAudit(tx, account.id, 'recovery.completed', start, end),
    scimRequests: scim.requests,
    scimErrors: scim.errors,
    scimErrorRate: scim.requests ? Math.round((scim.errors / scim.requests) * 10_000) / 10_000 : 0,
    heldChanges: held.length,
    heldChangesByReason: byReason,
    heldChangesApplied: held.filter((h) => h.resolution === 'applied').length,
    heldChangesDiscarded: held.filter((h) => h.resolution === 'discarded').length,
    heldChangesOpen: held.filter((h) => h.resolution === null).length,
    joined: joined.map((j) => ({ memberId: j.memberId, email: j.email, userName: j.userName, at: j.at })),
    left: [...left].map(([memberId, at]) => ({ memberId, ...who(memberId), at })),
    // By when the IdP asked, then by person: the same order every time.
    offboarding: offboarding
      .map((o) => ({ ...o, ...who(o.memberId) }))
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || (a.email ?? a.userName ?? '').localeCompare(b.email ?? b.userName ?? '')),
  };
}

/** The report of an account, for its own administrators (and launched technicians, and the operator). */
export async function monthlyReport(ctx: Ctx, accountId: string, month: string): Promise<MonthlyReport> {
  const account = await authorize(ctx, 'account.report', accountId);
  return build(ctx, account, month);
}

/** The report of one of an MSP's companies, for the MSP (within a technician's scope). */
export async function companyReport(ctx: Ctx, mspId: string, companyId: string, month: string): Promise<MonthlyReport> {
  await authorizeCompany(ctx, 'company.report', mspId, companyId);
  const company = await getManagedCompany(ctx.tx, mspId, companyId);
  if (!company) throw new NotFound('company.not_found', 'No such company.');
  return build(ctx, company, month);
}

/** CSV: a header line and one `metric,value` row per figure. */
export function reportCsv(r: MonthlyReport): string {
  const rows: Array<[string, unknown]> = [
    ['account', r.accountName],
    ['month', r.month],
    ['joiners', r.joiners],
    ['leavers', r.leavers],
    ['invitationsSent', r.invitationsSent],
    ['invitationRemindersSent', r.invitationRemindersSent],
    ['invitationsAccepted', r.invitationsAccepted],
    ['deprovisionings', r.deprovisionings],
    ['deprovisioningLatencyMedianSeconds', r.deprovisioningLatencyMedianSeconds ?? ''],
    ['deprovisioningLatencyMaxSeconds', r.deprovisioningLatencyMaxSeconds ?? ''],
    ['deprovisioningsNotApplied', r.deprovisioningsNotApplied],
    ['recoveriesStarted', r.recoveriesStarted],
    ['recoveriesCompleted', r.recoveriesCompleted],
    ['scimRequests', r.scimRequests],
    ['scimErrors', r.scimErrors],
    ['scimErrorRate', r.scimErrorRate],
    ['heldChanges', r.heldChanges],
    ['heldChangesApplied', r.heldChangesApplied],
    ['heldChangesDiscarded', r.heldChangesDiscarded],
    ['heldChangesOpen', r.heldChangesOpen],
  ];
  return toCsv(['metric', 'value'], rows);
}
