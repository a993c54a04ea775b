// Domain contexts for tests: one transaction as a given principal.
import type { Db } from '../../src/db/knex';
import type { Ctx } from '../../src/domain/context';
import { operator, type Principal } from '../../src/domain/principal';
import { unitOfWork } from '../../src/db/unitOfWork';

export function asActor<T>(db: Db, actor: Principal, fn: (ctx: Ctx) => Promise<T>, now = new Date()): Promise<T> {
  return unitOfWork(db, (tx) => fn({ tx, actor, now }));
}

export const asOp = <T>(db: Db, fn: (ctx: Ctx) => Promise<T>, now?: Date): Promise<T> => asActor(db, operator('test'), fn, now);
