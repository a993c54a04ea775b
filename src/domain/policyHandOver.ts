// The decision an adapter hands to its use case (policy.ts authorizeRequest): the last question
// authorize() answered yes on a ctx, kept per ctx object (a ctx copied for another actor is another key).
import type { Account } from '../db/accounts.repo';
import type { Ctx } from './context';
import type { Principal } from './principal';

export interface Allowed {
  /** The policy action (policy.ts Action). */
  action: string;
  account: Account;
  actor: Principal;
  /** The target states asked with, joined. */
  states: string;
}

const lastAllowed = new WeakMap<Ctx, Allowed>();
const handedOver = new WeakMap<Ctx, Allowed>();

export function rememberAllowed(ctx: Ctx, allowed: Allowed): void {
  lastAllowed.set(ctx, allowed);
}

/** The last yes on ctx becomes the answer to the next policy question on it, if that asks the same. */
export function handOver(ctx: Ctx): void {
  const allowed = lastAllowed.get(ctx);
  if (allowed) handedOver.set(ctx, allowed);
}

/** The handed-over decision, once: whatever the next question is, it is gone after. */
export function takeHandedOver(ctx: Ctx): Allowed | undefined {
  const h = handedOver.get(ctx);
  if (h) handedOver.delete(ctx);
  return h;
}

export function dropHandedOver(ctx: Ctx): void {
  handedOver.delete(ctx);
}
