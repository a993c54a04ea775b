// What every domain operation receives: the transaction it runs in, who acts, and the time.
import type { Tx } from '../db/knex';
import type { Principal } from './principal';

export interface Ctx {
  tx: Tx;
  actor: Principal;
  now: Date;
}

export const nowIso = (ctx: Ctx): string => ctx.now.toISOString();
