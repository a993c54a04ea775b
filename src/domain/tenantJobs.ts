// What MSP people see of background work: the jobs of their own tenants only (the deployment-wide
// board is for operators).
import { type TenantJob, jobsOfMsp } from '../db/outbox.repo';
import type { Ctx } from './context';
import { authorize } from './policy';

export async function tenantJobs(ctx: Ctx, mspId: string, opts: { limit?: number; beforeId?: number } = {}): Promise<TenantJob[]> {
  await authorize(ctx, 'msp.jobs', mspId);
  return jobsOfMsp(ctx.tx, mspId, { limit: Math.min(Math.max(opts.limit ?? 100, 1), 1000), beforeId: opts.beforeId });
}
