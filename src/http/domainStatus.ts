// The HTTP status of each kind of domain error, shared by the REST API and SCIM (each still shapes
// its own error body).
import type { DomainError } from '../domain/errors';

export const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  invalid: 400,
  held: 409,
  precondition_failed: 412,
  unauthenticated: 401,
  too_large: 413,
  unavailable: 503,
};
