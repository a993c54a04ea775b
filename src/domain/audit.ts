// Records privileged actions: append-only, in the same transaction as the change.
import { insertAuditEvent } from '../db/audit.repo';
import { type Ctx, nowIso } from './context';
import { actorId } from './principal';

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
