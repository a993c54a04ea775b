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

export class NotFound extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('not_found', code, message, details);
  }
}

export class Conflict extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('conflict', code, message, details);
  }
}

export class Forbidden extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('forbidden', code, message, details);
  }
}

export class Invalid extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('invalid', code, message, details);
  }
}

export class PreconditionFailed extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('precondition_failed', code, message, details);
  }
}

export class Unauthenticated extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super('unauthenticated', code, message, details);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
