// Typed failures of the Invenio client. Each carries the HTTP status the service should answer
// with (DESIGN.md "Errors and input"), so the HTTP layer maps them without knowing Invenio.

export type InvenioErrorKind = 'no-access' | 'not-found' | 'unavailable' | 'refused'

export abstract class InvenioError extends Error {
  abstract readonly kind: InvenioErrorKind
  /** Status the service answers its own caller with. */
  abstract readonly httpStatus: number
  /** Status Invenio answered with, when it answered at all. */
  readonly upstreamStatus: number | undefined

  constructor(message: string, upstreamStatus?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.upstreamStatus = upstreamStatus
  }
}

/** Invenio said 403 (it never says 401: a bad token is treated as anonymous). */
export class NoAccessError extends InvenioError {
  readonly kind = 'no-access' as const
  readonly httpStatus = 403
}

/** Invenio said 404: unknown record or file. */
export class NotFoundError extends InvenioError {
  readonly kind = 'not-found' as const
  readonly httpStatus = 404
}

/** Invenio unreachable, timing out, rate limiting or answering 5xx: try again later. */
export class UnavailableError extends InvenioError {
  readonly kind = 'unavailable' as const
  readonly httpStatus = 503
  readonly retryAfterSeconds: number

  constructor(
    message: string,
    retryAfterSeconds: number,
    upstreamStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, upstreamStatus, options)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * Invenio refused what the service sent (other 4xx), answered something unusable, or handed out
 * a link the service will not follow (another origin): a bug or a misconfiguration.
 */
export class RefusedError extends InvenioError {
  readonly kind = 'refused' as const
  readonly httpStatus = 502
}

export function isInvenioError(error: unknown): error is InvenioError {
  return error instanceof InvenioError
}
