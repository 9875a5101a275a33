// Kubernetes Status errors, worded as the real API server words them (k8s.io/apimachinery
// pkg/api/errors), so clients that match on reason, code or message behave as against a real cluster.

export type StatusReason =
  | 'AlreadyExists'
  | 'NotFound'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'Forbidden'
  | 'Unauthorized'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'TooManyRequests'
  | 'Timeout'

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure'
  message: string
  reason?: StatusReason
  details?: StatusDetails
  code: number
}

/** A group-qualified resource as it appears in messages: `workflows.argoproj.io`, or `pods` for core. */
export interface QualifiedResource {
  group: string
  resource: string
}

export function qualifiedName(qr: QualifiedResource): string {
  return qr.group ? `${qr.resource}.${qr.group}` : qr.resource
}

export class ApiError extends Error {
  readonly status: Status

  constructor(code: number, reason: StatusReason | undefined, message: string, details?: StatusDetails) {
    super(message)
    this.name = 'ApiError'
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code }
    if (reason) this.status.reason = reason
    if (details) this.status.details = details
  }

  get code(): number {
    return this.status.code
  }

  get reason(): StatusReason | undefined {
    return this.status.reason
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

function details(qr: QualifiedResource, name?: string): StatusDetails {
  const d: StatusDetails = {}
  if (name) d.name = name
  if (qr.group) d.group = qr.group
  d.kind = qr.resource
  return d
}

export function alreadyExists(qr: QualifiedResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedName(qr)} "${name}" already exists`,
    details(qr, name),
  )
}

export function notFound(qr: QualifiedResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(qr)} "${name}" not found`, details(qr, name))
}

export const MODIFIED_CONFLICT =
  'the object has been modified; please apply your changes to the latest version and try again'

export function conflict(qr: QualifiedResource, name: string, why = MODIFIED_CONFLICT): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(qr)} "${name}": ${why}`,
    details(qr, name),
  )
}

/** A field error, rendered as Kubernetes renders field.Error: `<field>: <type>: <detail>`. */
export interface FieldError {
  field: string
  type:
    | 'FieldValueInvalid'
    | 'FieldValueTypeInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
  /** Already rendered value detail, e.g. `Invalid value: "integer": spec.x in body must be of type string`. */
  message: string
}

/** `Workflow.argoproj.io "x" is invalid: [a, b]` — the kind (not the plural) qualifies Invalid errors. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind
  // Like utilerrors.Aggregate: the message lists each distinct error once, the causes keep them all.
  const rendered = [...new Set(errors.map((e) => `${e.field}: ${e.message}`))]
  const list = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`
  const d: StatusDetails = { name, kind }
  if (group) d.group = group
  d.causes = errors.map((e) => ({ reason: e.type, message: e.message, field: e.field }))
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, d)
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message)
}

export function forbidden(qr: QualifiedResource, name: string | undefined, why: string): ApiError {
  const subject = name ? `${qualifiedName(qr)} "${name}"` : qualifiedName(qr)
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, details(qr, name))
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized')
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}

export function methodNotAllowed(
  message = 'the server does not allow this method on the requested resource',
): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message)
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  )
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  })
}

export function serviceUnavailable(
  message = 'the server is currently unable to handle the request',
): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message)
}

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    'the server has received too many requests and has asked us to try again later',
    {
      retryAfterSeconds,
    },
  )
}
