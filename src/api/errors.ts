// The one mapping from any failure to the REST API's JSON problem: stable codes, a human message,
// field errors for bad input; nothing leaks a stack trace.
import { ZodError } from 'zod';
import { isDomainError } from '../domain/errors';
import { clientErrorOf } from '../http/clientError';
import { DOMAIN_STATUS } from '../http/domainStatus';
import type { Logger } from '../logger';

export interface Problem {
  status: number;
  body: { error: { code: string; message: string; fields?: Array<{ path: string; message: string }> } };
  headers?: Record<string, string>;
}


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
          fields: err.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
        },
      },
    };
  }
  const client = clientErrorOf(err);
  if (client) return { status: client.status, body: { error: { code: client.code, message: client.message } } };
  const e = err as { code?: string };
  if (e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE') return { status: 409, body: { error: { code: 'conflict', message: 'That already exists.' } } };
  if (e?.code?.startsWith?.('SQLITE_BUSY') || e?.code === '40001' || e?.code === '40P01') {
    return { status: 503, body: { error: { code: 'busy', message: 'The service is busy; retry shortly.' } }, headers: { 'Retry-After': '1' } };
  }
  log?.error({ err }, 'API request failed');
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error; the request was not applied.' } } };
}
