// How domain data leaves the REST API: stable field names, CSV for the audit log.
import { z } from 'zod';
import { toCsv } from '../domain/csv';
import type { AuditEvent } from '../db/audit.repo';
import type { LinkView } from '../domain/links';

export const linkOut = (v: LinkView) => ({
  requestId: v.requestId,
  status: v.status,
  reason: v.reason,
  kind: v.kind,
  accountId: v.accountId,
  expiresAt: v.expiresAt,
});

export const auditQuery = z.object({
  action: z.string().max(64).optional(),
  actorId: z.string().max(64).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  beforeId: z.coerce.number().int().min(1).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

export function auditCsv(result: unknown): string {
  const events = result as AuditEvent[];
  const header = ['id', 'createdAt', 'accountId', 'mspId', 'actorKind', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId', 'data'];
  return toCsv(
    header,
    events.map((e) => [e.id, e.createdAt, e.accountId, e.mspId, e.actorKind, e.actorId, e.actorLabel, e.action, e.targetType, e.targetId, e.data]),
  );
}
