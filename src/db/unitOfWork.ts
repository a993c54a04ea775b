// One write as one object: its transaction, the writes it defers to its end (seat counters) and
// what must happen once it commits. It travels on the transaction object itself (tx.work), so
// every repository handed the transaction finds it; nothing is kept in module state, and SQLite
// and PostgreSQL behave the same.
import type { Knex } from 'knex';
import { changeFeedOf } from './changeFeed';
import type { Db, Tx } from './knex';
import { type DeferredRow, writeDeferred } from './prepared';

export class UnitOfWork {
  private readonly seatDeltas = new Map<string, number>();
  /** Accounts whose people this work changed: their members_version moves once, at the end. */
  private readonly touched = new Set<string>();
  /** Rows written with the last statements (outbox jobs, audit events). */
  private readonly rows: DeferredRow[] = [];
  private readonly onCommit: Array<() => void> = [];
  /** Accounts whose credentials this work revoked or rotated (announced once it commits). */
  private readonly credentials = new Set<string>();
  private readonly regardless: Array<(tx: Knex.Transaction) => Promise<unknown>> = [];
  private finished = false;

  /** A savepoint's unit hands what must stand regardless to its parent's (a rolled-back savepoint must not lose it). */
  constructor(private readonly parent?: UnitOfWork) {}

  /** The seat changes deferred so far for an account (a seat check counts them with the stored counter). */
  pendingSeats(accountId: string): number {
    return this.seatDeltas.get(accountId) ?? 0;
  }

  /**
   * Writes that stand whatever becomes of this work: fn runs in a unit of work of its own once
   * this one has committed or rolled back (a refusal recorded while the refused change is undone).
   */
  regardlessOfOutcome(fn: (tx: Knex.Transaction) => Promise<unknown>): void {
    if (this.parent) this.parent.regardlessOfOutcome(fn);
    else this.regardless.push(fn);
  }

  /** Runs the writes that stand regardless, each in its own transaction; one failing does not stop the others. */
  async settle(db: Db): Promise<void> {
    for (const fn of this.regardless.splice(0)) {
      try {
        await unitOfWork(db, fn);
      } catch {
        // a record of a refusal must never turn the answer into a 500; the next refusal raises it again
      }
    }
  }

  /**
   * Moves an account's filled-seat counter when the work ends. Every provisioning write changes
   * its account's counter, so on PostgreSQL that row's lock serialises concurrent pushes to one
   * account: written last, it is held from the end of the work to the commit, not throughout.
   */
  addSeats(accountId: string, delta: number): void {
    if (delta !== 0) this.seatDeltas.set(accountId, (this.seatDeltas.get(accountId) ?? 0) + delta);
  }

  /** The account's people changed (SCIM paging's remembered keys and totals are stale from the commit on). */
  touchMembers(accountId: string): void {
    this.touched.add(accountId);
  }

  /**
   * Writes a row with the work's last statements: on PostgreSQL together with the other deferred
   * writes in one round trip. Only for rows nothing reads back inside the work (outbox, audit).
   */
  deferInsert(table: string, row: Record<string, unknown>, suffix = ''): void {
    this.rows.push({ table, row, suffix });
  }

  /** A recount replaces whatever changes were deferred for the account. */
  dropSeats(accountId: string): void {
    this.seatDeltas.delete(accountId);
  }

  /**
   * Runs fn once the transaction commits, never when it rolls back. On SQLite it runs in the
   * same turn of the event loop as the COMMIT (the client calls `committed`), on PostgreSQL the
   * moment the commit is acknowledged: used to finish an SMTP message right after "sent" is
   * recorded, so a process killed in between is all but impossible.
   */
  afterCommit(fn: () => void): void {
    this.onCommit.push(fn);
  }

  /** This work revoked or rotated a credential of the account: every process forgets what it cached for it once the work commits. */
  credentialsChanged(accountId: string): void {
    this.credentials.add(accountId);
  }

  /** A savepoint's unit that was released: its after-commit actions and announcements now wait for this unit's commit. */
  adopt(child: UnitOfWork): void {
    this.onCommit.push(...child.onCommit.splice(0));
    for (const id of child.credentials) this.credentials.add(id);
    child.credentials.clear();
  }

  /** The accounts to announce, once (the caller has committed). */
  takeCredentialChanges(): string[] {
    const ids = [...this.credentials];
    this.credentials.clear();
    return ids;
  }

  /**
   * The deferred writes, as the transaction's last statements; `commit`: nothing follows them in the
   * transaction, so on PostgreSQL its COMMIT goes in the same round trip.
   */
  async flush(tx: Tx, commit = false): Promise<void> {
    // One update per account, whatever moved (the seat counter and the people's version share the row),
    // and the deferred rows: on PostgreSQL all in one statement.
    const counters = [...new Set([...this.seatDeltas.keys(), ...this.touched])].map((id) => ({
      id,
      seats: this.seatDeltas.get(id) ?? 0,
      touched: this.touched.has(id),
    }));
    const rows = this.rows.splice(0);
    this.seatDeltas.clear();
    this.touched.clear();
    await writeDeferred(tx, rows, counters, commit);
  }

  /** The transaction committed: the after-commit actions run, once. */
  committed(): void {
    if (this.finished) return;
    this.finished = true;
    for (const fn of this.onCommit.splice(0)) {
      try {
        fn();
      } catch {
        // an action's failure is its own business; the commit stands
      }
    }
  }
}

/** The unit of work a transaction carries (undefined outside one). */
export function workOf(tx: Tx): UnitOfWork | undefined {
  return (tx as { work?: UnitOfWork }).work;
}

/** The unit of work of tx, or a clear error for a write attempted outside one. */
export function requireWork(tx: Tx): UnitOfWork {
  const work = workOf(tx);
  if (!work) throw new Error('this write belongs in a unit of work (unitOfWork(db, …)), not a bare query or transaction');
  return work;
}

/** One transaction with its unit of work: fn's writes, then the deferred ones, commit, then the after-commit actions. */
export async function unitOfWork<T>(db: Db, fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
  const work = new UnitOfWork();
  // A unit of work inside another transaction is a savepoint: its last statements do not commit anything.
  const outermost = !(db as { isTransaction?: boolean }).isTransaction;
  let out: T;
  try {
    out = await db.transaction(async (trx) => {
      (trx as { work?: UnitOfWork }).work = work;
      const result = await fn(trx);
      await work.flush(trx, outermost);
      return result;
    });
  } catch (err) {
    await work.settle(db);
    throw err;
  }
  work.committed();
  // Announced once the outermost transaction has committed: a nested unit hands them to its enclosing one.
  const enclosing = outermost ? undefined : workOf(db as Tx);
  if (enclosing) enclosing.adopt(work);
  else for (const accountId of work.takeCredentialChanges()) changeFeedOf(db).credentialsChanged(accountId);
  await work.settle(db);
  return out;
}

/** A savepoint inside a unit of work, with a unit of its own (a dry run rolls it back whole). */
export function savepoint<T>(tx: Tx, fn: (sp: Knex.Transaction) => Promise<T>): Promise<T> {
  const work = new UnitOfWork(workOf(tx));
  return (tx as Knex.Transaction).transaction(async (sp) => {
    (sp as { work?: UnitOfWork }).work = work;
    const result = await fn(sp);
    await work.flush(sp);
    workOf(tx)?.adopt(work);
    return result;
  });
}
