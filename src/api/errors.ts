// The one mapping from any failure to the REST API's JSON problem: stable codes, a human message,
// field errors for bad input; nothing leaks a stack trace.
import { ZodError } from 'zod';
import { isDomainError } from '../domain/errors';
import { clientErrorOf } from '../http/clientError';
import { DOMAIN_STATUS } from '../http/domainStatus';
import type { Logger } from '../logger';
import { classifyDbError } from '../db/errors';

export interface Problem {
  status: number;
  body: { error: { code: string; message: string; fields?: FieldProblem[] } };
  headers?: Record<string, string>;
}

/** One bad field: the check's code and bound let a client word the message in its reader's language. */
export interface FieldProblem {
  path: string;
  message: string;
  code: string;
  /** What was checked: string (a length), number, array, … */
  origin?: string;
  minimum?: number;
  maximum?: number;
}

const bound = (v: unknown): number | undefined => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined);

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function toProblem(err: unknown, log?: Logger): Problem {
  if (err instanceof HttpProblem) return { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: err.headers };
  if (isDomainError(err)) return { status: DOMAIN_STATUS[err.kind], body: { error: { code: err.code, message: err.message } } };
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: 'Some fields are not valid.',
          fields: err.issues.map((i) => {
            const limits = i as { minimum?: unknown; maximum?: unknown; origin?: unknown };
            const origin = typeof limits.origin === 'string' ? limits.origin : undefined;
            return {
              path: i.path.join('.') || '(body)',
              message: i.message,
              code: i.code,
              origin,
              minimum: bound(limits.minimum),
              maximum: bound(limits.maximum),
            };
          }),
        },
      },
    };
  }
  const client = clientErrorOf(err);
  if (client) return { status: client.status, body: { error: { code: client.code, message: client.message } } };
  const db = classifyDbError(err);
  if (db === 'unique') return { status: 409, body: { error: { code: 'conflict', message: 'That already exists.' } } };
  if (db === 'transient') {
    return { status: 503, body: { error: { code: 'busy', message: 'The service is busy; retry shortly.' } }, headers: { 'Retry-After': '1' } };
  }
  log?.error({ err }, 'API request failed');
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error; the request was not applied.' } } };
}
