// Dry runs: do the real work in a savepoint, keep its result, roll its writes back.
import { savepoint } from '../db/unitOfWork';
import type { Ctx } from './context';

/** Thrown inside the savepoint to undo a dry run after measuring what it would do. */
class DryRunRollback extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}

/** Runs fn in a savepoint; with dryRun its writes are rolled back and only its result kept. */
export async function maybeDry<T>(ctx: Ctx, dryRun: boolean, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (!dryRun) return fn(ctx);
  try {
    await savepoint(ctx.tx, async (sp) => {
      throw new DryRunRollback(await fn({ ...ctx, tx: sp }));
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return err.result as T;
    throw err;
  }
  throw new Error('unreachable');
}
