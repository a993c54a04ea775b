// JSON request bodies with a nesting cap, checked on the raw bytes before JSON.parse: a deeply
// nested body is refused in one linear scan, and nothing downstream (zod, knex, JSON.stringify,
// recursive walks) ever sees a structure deep enough to exhaust the stack. Used by /scim and /api.
import express, { type RequestHandler } from 'express';

/** The deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/**
 * Whether UTF-8 JSON text nests objects/arrays deeper than limit. Bytes inside strings are
 * skipped; in UTF-8 no byte of a multi-byte character equals an ASCII delimiter, so a byte scan
 * is exact. Stops at the first level too deep, so a hostile body costs at most one pass.
 */
export function nestsDeeperThan(raw: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPEN.has(c)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(c)) {
      depth--;
    }
  }
  return false;
}

/** A body-parser style client error (status, type), answered by clientErrorOf. */
export class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly type: 'entity.too.deep' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
  }
}

/** express.json with the nesting cap, and UTF-8 only (RFC 8259 §8.1), so the byte scan is exact. */
export function jsonBody(limit: string, maxDepth = MAX_JSON_DEPTH): RequestHandler {
  return express.json({
    limit,
    verify: (_req, _res, raw, encoding) => {
      if (encoding && encoding.toLowerCase().replace('-', '') !== 'utf8') throw new BodyError(415, 'charset.unsupported', 'JSON bodies must be UTF-8.');
      if (nestsDeeperThan(raw, maxDepth)) throw new BodyError(400, 'entity.too.deep', `The request body is nested deeper than ${maxDepth} levels.`);
    },
  });
}
