// The audit log with names: the account each event happened in and the person or company it
// was about, so nobody reads UUIDs. Accounts are named only while they are the caller's own or
// managed by it, so a link request does not tell an MSP the name of an account yet to approve.
import type { AuditEvent } from '../db/audit.repo';
import { accountNames, memberLabels } from '../db/consoleViews.repo';
import { type AuditFilter, auditLog } from './audit';
import type { Ctx } from './context';

export interface NamedEvent extends AuditEvent {
  accountName: string | null;
  targetName: string | null;
  targetEmail: string | null;
}

export async function namedAuditLog(ctx: Ctx, accountId: string, filter: AuditFilter, rollUp: boolean): Promise<NamedEvent[]> {
  const events = await auditLog(ctx, accountId, filter, rollUp);
  const accounts = await accountNames(ctx.tx, [
    ...events.map((e) => e.accountId),
    ...events.filter((e) => e.targetType === 'account' && e.targetId).map((e) => e.targetId!),
  ]);
  const people = await memberLabels(
    ctx.tx,
    events.filter((e) => e.targetType === 'member' && e.targetId).map((e) => ({ accountId: e.accountId, memberId: e.targetId! })),
  );
  const nameable = (id: string) => {
    const a = accounts.get(id);
    return a && (id === accountId || a.mspId === accountId) ? a.name : null;
  };
  return events.map((e) => {
    const person = e.targetType === 'member' && e.targetId ? people.get(e.targetId) : undefined;
    return {
      ...e,
      accountName: accounts.get(e.accountId)?.name ?? null,
      targetName: person ? person.name : e.targetType === 'account' && e.targetId ? nameable(e.targetId) : null,
      targetEmail: person?.email ?? null,
    };
  });
}
