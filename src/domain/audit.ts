// Records privileged actions: append-only, in the same transaction as the change.
import type { Account } from '../db/accounts.repo';
import { type AuditEvent, insertAuditEvent, listAuditEvents } from '../db/audit.repo';
import { type Ctx, nowIso } from './context';
import { actorId } from './principal';
import { authorize } from './policy';
import { auditMspOf } from './tenancy';

/** Records an event on an account, rolled up to the MSP that manages it now. */
export function auditOn(ctx: Ctx, account: Account, action: string, target?: AuditInput['target'], data?: AuditInput['data']): Promise<void> {
  return recordAudit(ctx, { accountId: account.id, mspId: auditMspOf(account), action, target, data });
}

export interface AuditInput {
  accountId: string;
  /** The MSP managing the account when it happened (for the MSP roll-up). */
  mspId: string | null;
  action: string;
  target?: { type: string; id: string };
  data?: Record<string, unknown>;
}

export async function recordAudit(ctx: Ctx, e: AuditInput): Promise<void> {
  await insertAuditEvent(ctx.tx, {
    accountId: e.accountId,
    mspId: e.mspId,
    actorKind: ctx.actor.kind,
    actorId: actorId(ctx.actor),
    actorLabel: ctx.actor.label,
    action: e.action,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id ?? null,
    data: e.data ?? {},
    createdAt: nowIso(ctx),
  });
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  since?: string;
  until?: string;
  limit?: number;
  beforeId?: number;
}

/**
 * The audit log: of one account (its Owners and Administrators, or a technician launched into
 * it), or of an MSP rolled up over every company it managed at the time (the MSP's Owners and
 * Administrators).
 */
export async function auditLog(ctx: Ctx, accountId: string, f: AuditFilter, rollUp = false): Promise<AuditEvent[]> {
  await authorize(ctx, rollUp ? 'msp.audit' : 'account.audit', accountId);
  return listAuditEvents(ctx.tx, accountId, { ...f, limit: Math.min(Math.max(f.limit ?? 100, 1), 5000) }, rollUp);
}
