// Values as stored (SQLite text/0-1, PostgreSQL jsonb/boolean) to values as used, and back.
import crypto from 'node:crypto';

export const newId = (): string => crypto.randomUUID();

export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';

export function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}

/** JSON for a json/jsonb column: knex passes a string through on both dialects. */
export const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

export const optIso = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Escapes LIKE wildcards so user search text matches literally (used with `escape '\\'`). */
export const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

type Row = Record<string, unknown>;

/** Reads one column's stored value as a field's value; `write` is set where storing it needs a conversion back. */
export type Column<T> = ((v: unknown) => T) & { write?: (v: T) => unknown };

export const text = <T extends string = string>(v: unknown): T => v as T;
export const optText = <T extends string = string>(v: unknown): T | null => (v as T | null) ?? null;
export const time = (v: unknown): string => String(v);
export const int = (v: unknown): number => Number(v);
/** A json/jsonb column: parsed when read (the fallback when empty or unreadable), a JSON string when written. */
export const jsonColumn = <T>(fallback: T): Column<T> => Object.assign((v: unknown) => json(v, fallback), { write: toJson });

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * One table's rows as objects and back: a reader per field, each field stored in the column of
 * its name in snake_case (accountId in account_id).
 */
export function rowCodec<T extends object>(fields: { [K in keyof T]-?: Column<T[K]> }) {
  const columns = Object.entries(fields as Record<string, Column<unknown>>).map(([field, read]) => ({ field, column: snakeCase(field), read }));
  const read = (r: Row): T => Object.fromEntries(columns.map((c) => [c.field, c.read(r[c.column])])) as T;
  return {
    read,
    /**
     * The columns the codec reads, for a select list ("m.id, m.account_id, ..."). Prepared
     * statements name them rather than `*`: a column added by a later migration then leaves a
     * running server's cached plans valid (PostgreSQL refuses a cached plan whose row type changed).
     */
    columnList: (alias?: string): string => columns.map((c) => (alias ? `${alias}.${c.column}` : c.column)).join(', '),
    /** The object, or undefined when the query found no row. */
    maybe: (r: Row | undefined): T | undefined => (r ? read(r) : undefined),
    /** The columns of the fields `v` sets (one left undefined keeps its column's default). */
    write(v: Partial<T>): Row {
      const row: Row = {};
      for (const c of columns) {
        const value = (v as Row)[c.field];
        if (value !== undefined) row[c.column] = c.read.write ? c.read.write(value) : value;
      }
      return row;
    },
  };
}
