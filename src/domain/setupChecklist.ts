// What a company still has to set up, in the order the help article walks through it; each
// step is read from what exists, so the list is never out of step with the account.
import { setupCounts } from '../db/consoleViews.repo';
import type { Ctx } from './context';
import { authorize } from './policy';

export const SETUP_STEPS = ['policies', 'groups', 'vaults', 'recoveryPlan', 'invite', 'provisioning'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export async function setupChecklist(ctx: Ctx, accountId: string): Promise<{ steps: Array<{ step: SetupStep; done: boolean }>; done: number; total: number }> {
  const account = await authorize(ctx, 'setup.read', accountId);
  const n = await setupCounts(ctx.tx, account.id);
  const done: Record<SetupStep, boolean> = {
    policies: account.settings.policies !== undefined,
    groups: n.customGroups > 0 || n.mappings > 0,
    vaults: n.vaults > 0,
    recoveryPlan: account.settings.recoveryPlan !== undefined,
    invite: n.members > 0,
    provisioning: n.scimCredentials > 0,
  };
  const steps = SETUP_STEPS.map((step) => ({ step, done: done[step] }));
  return { steps, done: steps.filter((s) => s.done).length, total: steps.length };
}
