// The part of better-sqlite3's API the limit server (bench/limit.ts) and bench/post-ceiling.ts use; the package ships no types.
declare module 'better-sqlite3' {
  interface Statement {
    run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
    pluck(on?: boolean): Statement;
  }
  class Database {
    constructor(filename: string);
    pragma(source: string): unknown;
    exec(source: string): this;
    prepare(source: string): Statement;
    transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
    function(name: string, options: { deterministic: boolean }, fn: (v: unknown) => unknown): this;
    close(): void;
  }
  export default Database;
}
