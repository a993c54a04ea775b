// Typed domain errors with stable machine-readable codes; each adapter maps them in one place.

export type ErrorKind = 'not_found' | 'conflict' | 'forbidden' | 'invalid' | 'held' | 'precondition_failed' | 'unauthenticated' | 'too_large' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable, machine-readable (e.g. `company.unlink.no_owner`). */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The errors of one kind take a code, a message and details; each adapter maps the kind. */
function ofKind(kind: ErrorKind) {
  return class extends DomainError {
    constructor(code: string, message: string, details?: Record<string, unknown>) {
      super(kind, code, message, details);
    }
  };
}

export class NotFound extends ofKind('not_found') {}
export class Conflict extends ofKind('conflict') {}
export class Forbidden extends ofKind('forbidden') {}
export class Invalid extends ofKind('invalid') {}
export class PreconditionFailed extends ofKind('precondition_failed') {}
export class Unauthenticated extends ofKind('unauthenticated') {}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
