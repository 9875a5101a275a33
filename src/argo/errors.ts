import { ApiException } from '@kubernetes/client-node'

// Typed failures of Kubernetes access. The HTTP layer maps them: Refused → 502, Unavailable → 503 with
// Retry-After; the others are answers the use cases act on.

export abstract class KubeAccessError extends Error {
  abstract readonly kind: string
  constructor(
    message: string,
    /** HTTP status the API server answered, when it answered at all. */
    readonly statusCode?: number,
    /** Kubernetes Status.reason, e.g. AlreadyExists, Conflict, Forbidden. */
    readonly reason?: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class AlreadyExistsError extends KubeAccessError {
  readonly kind = 'already-exists'
}

export class NotFoundError extends KubeAccessError {
  readonly kind = 'not-found'
}

/** 409 Conflict: the object changed since we read it (stale resourceVersion). */
export class ConflictError extends KubeAccessError {
  readonly kind = 'conflict'
}

/** The cluster refused what we sent (400, 403, 422, …): a bug or a misconfiguration, not worth retrying. */
export class RefusedError extends KubeAccessError {
  readonly kind = 'refused'
}

/** The cluster could not be reached, timed out, was overloaded or failed (5xx, 429). Worth retrying later. */
export class UnavailableError extends KubeAccessError {
  readonly kind = 'unavailable'
  constructor(
    message: string,
    statusCode?: number,
    reason?: string,
    readonly retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS,
  ) {
    super(message, statusCode, reason)
  }
}

/** The container has not started yet, so it has no logs to read. */
export class LogsWaitingError extends KubeAccessError {
  readonly kind = 'logs-waiting'
}

/** The pod is gone: its logs are no longer available from the cluster. */
export class LogsGoneError extends KubeAccessError {
  readonly kind = 'logs-gone'
}

export const DEFAULT_RETRY_AFTER_SECONDS = 5

interface KubeStatus {
  message?: string
  reason?: string
  code?: number
}

function statusBody(body: unknown): KubeStatus {
  if (typeof body === 'string') {
    try {
      return statusBody(JSON.parse(body))
    } catch {
      return { message: body.slice(0, 500) }
    }
  }
  if (body && typeof body === 'object') {
    const { message, reason, code } = body as Record<string, unknown>
    return {
      message: typeof message === 'string' ? message : undefined,
      reason: typeof reason === 'string' ? reason : undefined,
      code: typeof code === 'number' ? code : undefined,
    }
  }
  return {}
}

function retryAfter(headers: Record<string, string> | undefined): number {
  const value = Number(headers?.['retry-after'])
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : DEFAULT_RETRY_AFTER_SECONDS
}

/** Maps an HTTP answer of the API server to a typed error. */
export function errorForStatus(
  statusCode: number,
  body: unknown,
  what: string,
  headers?: Record<string, string>,
): KubeAccessError {
  const status = statusBody(body)
  const reason = status.reason
  const message = `${what}: ${status.message ?? `HTTP ${statusCode}`}`
  if (statusCode === 404) return new NotFoundError(message, statusCode, reason)
  if (statusCode === 409) {
    return reason === 'AlreadyExists'
      ? new AlreadyExistsError(message, statusCode, reason)
      : new ConflictError(message, statusCode, reason)
  }
  if (statusCode === 429 || statusCode >= 500) {
    return new UnavailableError(message, statusCode, reason, retryAfter(headers))
  }
  return new RefusedError(message, statusCode, reason)
}

/**
 * Turns whatever a client-node call threw into a typed error. Anything that is not an HTTP answer
 * (connection refused, reset, DNS, TLS, timeout) means the cluster is unavailable.
 */
export function toKubeAccessError(error: unknown, what: string): KubeAccessError {
  if (error instanceof KubeAccessError) return error
  if (error instanceof ApiException) {
    return errorForStatus(error.code, error.body, what, error.headers as Record<string, string> | undefined)
  }
  const detail = describeTransportError(error)
  return new UnavailableError(`${what}: ${detail}`)
}

function describeTransportError(error: unknown): string {
  // Not `instanceof Error`: DOMException and errors from other realms fail that test.
  if (!error || typeof error !== 'object') return String(error)
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown }
  if (name === 'TimeoutError') return 'timed out'
  const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined
  const text = typeof message === 'string' ? message : String(error)
  return typeof code === 'string' ? `${text} (${code})` : text
}
