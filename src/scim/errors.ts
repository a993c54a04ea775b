// SCIM error bodies (RFC 7644 §3.12) and the one mapping from any failure to one of them.
import { DOMAIN_STATUS } from '../http/domainStatus';
import type { Logger } from '../logger';
import { isDomainError } from '../domain/errors';
import { classifyDbError } from '../db/errors';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function errorBody(e: ScimError): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(e.status),
    ...(e.scimType ? { scimType: e.scimType } : {}),
    detail: e.message,
  };
}

/**
 * The single place any failure becomes a SCIM error: domain errors keep their meaning,
 * transient database trouble becomes a retryable 503, anything else a logged 500.
 */
export function toScimError(err: unknown, log?: Logger): ScimError {
  if (err instanceof ScimError) return err;
  if (isDomainError(err)) {
    const status = DOMAIN_STATUS[err.kind];
    // The SCIM words for domain errors live here, not in the domain: a conflict is a uniqueness
    // clash, an invalid value an invalidValue.
    const scimType: ScimType | undefined = err.kind === 'conflict' ? 'uniqueness' : err.kind === 'invalid' ? 'invalidValue' : undefined;
    return new ScimError(status, scimType, err.message, status === 401 ? { 'WWW-Authenticate': 'Bearer realm="mspbridge-scim"' } : {});
  }
  const e = err as { type?: string; status?: number; message?: string };
  // body-parser failures reach us as http-errors.
  if (e?.type === 'entity.too.large') return new ScimError(413, undefined, 'The request body is larger than maxPayloadSize.');
  if (e?.type === 'entity.parse.failed') return invalidSyntax('The request body is not valid JSON.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return invalidSyntax('The request body must be UTF-8 JSON.');
  }
  if (e?.type === 'request.aborted') return new ScimError(400, 'invalidSyntax', 'The request body was cut short.');
  // Other client errors raised by express itself (e.g. a malformed percent-encoding in the path).
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ScimError(e.status === 400 ? 400 : e.status, e.status === 400 ? 'invalidSyntax' : undefined, 'The request could not be understood.');
  }
  if (err instanceof URIError) return new ScimError(400, 'invalidSyntax', 'The request path is not valid percent-encoding.');
  const db = classifyDbError(err);
  if (db === 'unique') {
    // Two concurrent creates of the same name: the loser gets what a sequential one would.
    return new ScimError(409, 'uniqueness', 'A resource with that unique attribute already exists.');
  }
  if (db === 'transient') {
    log?.warn({ err }, 'transient database error answered 503');
    return new ScimError(503, undefined, 'The service is busy; retry shortly.', { 'Retry-After': '1' });
  }
  log?.error({ err }, 'SCIM request failed');
  return new ScimError(500, undefined, 'Internal error; the request was not applied.');
}
