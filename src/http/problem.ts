// Problem details (RFC 9457). Handlers throw HttpProblem (usually through the helpers below);
// the error handler turns it into an application/problem+json response.

/** Problem `type`s are absolute URIs under this base; each kind is listed in openapi.yaml (ProblemType). */
export const PROBLEM_TYPE_BASE = 'https://compchem.cz/problems/'

export const PROBLEM_KINDS = {
  validation: { status: 400, title: 'Invalid request' },
  'malformed-body': { status: 400, title: 'Malformed request body' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'Conflict' },
  gone: { status: 410, title: 'Gone' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'range-not-satisfiable': { status: 416, title: 'Range not satisfiable' },
  unprocessable: { status: 422, title: 'Unprocessable request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  'bad-gateway': { status: 502, title: 'Bad gateway' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
  'not-ready': { status: 503, title: 'Not ready' },
  unhealthy: { status: 503, title: 'Unhealthy' },
} as const satisfies Record<string, { status: number; title: string }>

export type ProblemKind = keyof typeof PROBLEM_KINDS

export function problemType(kind: ProblemKind): string {
  return PROBLEM_TYPE_BASE + kind
}

/** Members a problem may carry besides the standard ones (e.g. `errors`, `busyFiles`, `checks`). */
export type ProblemExtensions = Record<string, unknown>

export interface ProblemBody extends ProblemExtensions {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
}

export interface HttpProblemInit {
  kind: ProblemKind
  detail?: string
  /** Overrides the kind's usual status (rarely needed: a kind has one status). */
  status?: number
  extensions?: ProblemExtensions
  headers?: Record<string, string>
  cause?: unknown
}

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance'])

export class HttpProblem extends Error {
  readonly kind: ProblemKind
  readonly status: number
  readonly type: string
  readonly title: string
  readonly detail: string | undefined
  readonly extensions: ProblemExtensions
  readonly headers: Record<string, string>

  constructor(init: HttpProblemInit) {
    const known = PROBLEM_KINDS[init.kind]
    super(init.detail ?? known.title, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'HttpProblem'
    this.kind = init.kind
    this.status = init.status ?? known.status
    this.type = problemType(init.kind)
    this.title = known.title
    this.detail = init.detail
    this.extensions = init.extensions ?? {}
    this.headers = init.headers ?? {}
    for (const member of Object.keys(this.extensions)) {
      if (RESERVED_MEMBERS.has(member))
        throw new Error(`Problem extension '${member}' shadows a standard member`)
    }
  }

  toBody(instance?: string): ProblemBody {
    const body: ProblemBody = { type: this.type, title: this.title, status: this.status }
    if (this.detail !== undefined) body.detail = this.detail
    if (instance !== undefined) body.instance = instance
    return { ...body, ...this.extensions }
  }
}

export function isHttpProblem(error: unknown): error is HttpProblem {
  return error instanceof HttpProblem
}

type Extensions = ProblemExtensions | undefined

export const badRequest = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'validation', detail, extensions })

export const unauthorized = (detail = 'A valid credential is required.', extensions?: Extensions) =>
  new HttpProblem({ kind: 'unauthorized', detail, extensions, headers: { 'WWW-Authenticate': 'Bearer' } })

export const forbidden = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'forbidden', detail, extensions })

export const notFound = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'not-found', detail, extensions })

export const methodNotAllowed = (detail: string, allowed: readonly string[]) =>
  new HttpProblem({
    kind: 'method-not-allowed',
    detail,
    headers: { Allow: allowed.map((method) => method.toUpperCase()).join(', ') },
  })

export const conflict = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'conflict', detail, extensions })

export const gone = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'gone', detail, extensions })

export const unprocessable = (detail: string, extensions?: Extensions) =>
  new HttpProblem({ kind: 'unprocessable', detail, extensions })

export const tooManyRequests = (detail: string, retryAfterSeconds: number, extensions?: Extensions) =>
  new HttpProblem({
    kind: 'rate-limited',
    detail,
    extensions,
    headers: { 'Retry-After': String(Math.max(0, Math.ceil(retryAfterSeconds))) },
  })

export const badGateway = (detail: string, extensions?: Extensions, cause?: unknown) =>
  new HttpProblem({ kind: 'bad-gateway', detail, extensions, cause })

export const serviceUnavailable = (
  detail: string,
  retryAfterSeconds = 5,
  extensions?: Extensions,
  cause?: unknown,
) =>
  new HttpProblem({
    kind: 'service-unavailable',
    detail,
    extensions,
    cause,
    headers: { 'Retry-After': String(Math.max(0, Math.ceil(retryAfterSeconds))) },
  })
