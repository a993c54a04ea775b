// `mspbridge provisioning held|release|discard`: what the deprovisioning breaker holds, and a
// person's answer to it.
import type { Command } from 'commander';
import { type HeldRemoval, discardHeldRemovals, listHeldRemovals, releaseHeldRemovals } from '../domain/heldRemovals';
import { ACCOUNT, operatorCommand } from './command';
import { table } from './output';

const who = (h: HeldRemoval) => h.userName ?? h.email ?? h.memberId;
const what = (h: HeldRemoval) => (h.kind === 'remove_role' ? `remove_role ${h.group ?? '?'}` : h.kind);

export function registerProvisioning(program: Command): void {
  const cmd = program.command('provisioning').description('SCIM removals the deprovisioning breaker holds');
  operatorCommand(cmd, 'held', {
    description: 'list held removals, oldest first (--json: [{"id","kind","scimId","memberId","userName","email","group","heldAt"}])',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => listHeldRemovals(ctx, opts.account),
    json: (v) => v.held,
    text: (v) =>
      v.held.length
        ? `${table(
            ['HELD AT', 'KIND', 'USERNAME', 'MEMBER ID'],
            v.held.map((h) => [h.heldAt, what(h), h.userName, h.memberId]),
          )}\n${v.held.length} held since ${v.tripStartedAt ?? '?'} (limit ${v.limit} per hour).`
        : `Nothing is held (limit ${v.limit === 0 ? 'off' : `${v.limit} per hour`}).`,
  });
  operatorCommand(cmd, 'release', {
    description: 'apply the held removals, oldest first (the last-Owner guard still applies)',
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => releaseHeldRemovals(ctx, opts.account),
    text: (r) =>
      r.released.length
        ? [...r.released.map((h) => `${h.outcome}: ${what(h)} ${who(h)} (${h.memberId})`), `${r.remaining} still held.`].join('\n')
        : 'Nothing was held.',
  });
  operatorCommand(cmd, 'discard', {
    description: "drop the held removals without applying them (the IdP's next full sync re-sends what is still true)",
    required: [ACCOUNT],
    run: (ctx, opts: { account: string }) => discardHeldRemovals(ctx, opts.account),
    text: (r) => (r.discarded.length ? [...r.discarded.map((h) => `discarded: ${what(h)} ${who(h)} (${h.memberId})`)].join('\n') : 'Nothing was held.'),
  });
}
