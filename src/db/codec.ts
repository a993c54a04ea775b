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
