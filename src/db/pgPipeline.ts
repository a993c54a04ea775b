// PostgreSQL round trips a write transaction saves: BEGIN goes out with the transaction's first statement and
// COMMIT with its last (the unit of work's deferred writes), each group as one extended-protocol batch (Parse,
// Bind, Execute for every statement, one Sync): the server runs them in order and answers once. When a statement
// fails, the server skips the rest up to the Sync (a COMMIT after it never runs) and the transaction is aborted,
// exactly as if they had been sent one by one. node-postgres sends one query per round trip, so the batch is a
// query object of its own (a subclass of pg's Query, which collects one result per statement).
import pg from 'pg';

type Row = Record<string, unknown>;

interface PgResult {
  rows: Row[];
  rowCount: number | null;
}

/** The pg.Client a knex PostgreSQL connection is, with the per-connection flags of a pipelined transaction. */
export interface PipelinedConnection {
  query(q: unknown, cb?: (err: Error | null, res: unknown) => void): unknown;
  /** BEGIN not sent yet: it goes with the next statement. */
  mbBeginPending?: boolean;
  /** The transaction's COMMIT went with its last statement: knex's COMMIT has nothing left to do. */
  mbCommitted?: boolean;
}

interface WireConnection {
  parse(q: { text: string; name: string; types: unknown[] }): void;
  bind(q: { portal: string; statement: string; values: unknown[] }): void;
  execute(q: { portal: string; rows?: number }): void;
  sync(): void;
  parsedStatements: Record<string, string>;
}

const PgQuery = (pg as unknown as { Query: new (config: unknown) => object }).Query;

/** One statement with BEGIN before and/or COMMIT after it, one Sync for all. */
class Batch extends PgQuery {
  private parsedHere = false;

  constructor(
    config: { name: string; text: string; values: unknown[] },
    private readonly before: string[],
    private readonly after: string[],
  ) {
    super(config);
  }

  private simple(connection: WireConnection, sql: string): void {
    // The unnamed statement: parsed again each time (BEGIN and COMMIT parse in microseconds).
    connection.parse({ text: sql, name: '', types: [] });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '' });
  }

  prepare(connection: WireConnection): void {
    const self = this as unknown as { name: string; hasBeenParsed(c: WireConnection): boolean };
    this.parsedHere = !self.hasBeenParsed(connection);
    for (const sql of this.before) this.simple(connection, sql);
    (PgQuery.prototype as unknown as { prepare(c: WireConnection): void }).prepare.call(this, connection);
  }

  /** pg's Query executes the statement then syncs; the statements after it go in between. */
  _getRows(connection: WireConnection, rows?: number): void {
    connection.execute({ portal: '', rows });
    for (const sql of this.after) this.simple(connection, sql);
    connection.sync();
  }

  handleError(err: Error, connection: WireConnection): void {
    // BEGIN's ParseComplete marked the statement parsed before its own Parse ran; after a failure it may not be.
    if (this.parsedHere) delete connection.parsedStatements[(this as unknown as { name: string }).name];
    (PgQuery.prototype as unknown as { handleError(e: Error, c: WireConnection): void }).handleError.call(this, err, connection);
  }
}

/**
 * Runs a named statement on conn; a BEGIN still pending goes out with it, and COMMIT after it when `commit`
 * (conn is then marked committed). The statement's result, whatever else the batch held.
 */
export function pipelinedQuery(conn: PipelinedConnection, q: { name: string; text: string; values: unknown[] }, commit = false): Promise<PgResult> {
  const before = conn.mbBeginPending ? ['BEGIN'] : [];
  if (!before.length && !commit) return conn.query(q) as Promise<PgResult>;
  conn.mbBeginPending = false;
  return new Promise((resolve, reject) => {
    const batch = new Batch(q, before, commit ? ['COMMIT'] : []);
    (batch as unknown as { callback: (err: Error | null, res: PgResult | PgResult[]) => void }).callback = (err, res) => {
      if (err) return reject(err);
      if (commit) conn.mbCommitted = true;
      resolve(Array.isArray(res) ? res[before.length]! : res);
    };
    conn.query(batch);
  });
}

/** A statement knex runs itself (builder, raw, SAVEPOINT): a BEGIN still pending is sent on its own first. */
export async function beginIfPending(conn: PipelinedConnection): Promise<void> {
  if (!conn.mbBeginPending) return;
  conn.mbBeginPending = false;
  await (conn.query('BEGIN') as Promise<unknown>);
}
