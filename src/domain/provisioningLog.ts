// The SCIM request log of one account, for whoever troubleshoots its IdP connection.
import { listScimRequests, type ScimRequestEntry } from '../db/scimRequests.repo';
import type { Ctx } from './context';
import { authorize } from './policy';
import { requireAccount } from './tenancy';

export interface RequestLogQuery {
  limit: number;
  beforeId?: number;
  errorsOnly?: boolean;
}

/** Newest first; bodies were redacted when logged. */
export async function scimRequestLog(ctx: Ctx, accountId: string, q: RequestLogQuery): Promise<Array<ScimRequestEntry & { id: number }>> {
  await authorize(ctx, 'scim.log.read', accountId);
  await requireAccount(ctx, accountId);
  return listScimRequests(ctx.tx, accountId, q);
}
