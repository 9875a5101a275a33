// Turns anything thrown or passed to next() into an application/problem+json response. Client
// mistakes keep their 4xx status and are logged as ordinary requests; anything unknown is a 500
// whose body says nothing about internals (the stack goes to the log only).
import type { ErrorRequestHandler, Request, Response } from 'express'
import { KubeAccessError, UnavailableError as KubeUnavailableError } from '../argo/errors.js'
import { InvenioError, UnavailableError as InvenioUnavailableError } from '../invenio/errors.js'
import { isDatabaseUnavailable } from '../db/errors.js'
import {
  HttpProblem,
  badGateway,
  forbidden,
  notFound,
  serviceUnavailable,
  type ProblemKind,
  type ProblemBody,
} from './problem.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** What the access log adds about a client error (read by the request logger in app.ts). */
export interface LoggedProblem {
  type: string
  detail?: string
}

interface ValidatorError {
  status: number
  message: string
  errors: Array<{ path?: string; message: string; errorCode?: string }>
  headers?: { Allow?: string }
}

interface BodyParserError {
  type: string
  status: number
  limit?: number
}

const VALIDATOR_KINDS: Record<number, ProblemKind> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
}

function isValidatorError(error: unknown): error is ValidatorError {
  const candidate = error as Partial<ValidatorError> | null
  return typeof candidate?.status === 'number' && Array.isArray(candidate.errors)
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null
  return (
    typeof candidate?.type === 'string' &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500
  )
}

function fromValidator(error: ValidatorError, req: Request): HttpProblem | undefined {
  const kind = VALIDATOR_KINDS[error.status]
  if (!kind) return undefined
  switch (kind) {
    case 'validation':
      return new HttpProblem({
        kind,
        detail: error.message,
        extensions: {
          errors: error.errors.map(({ path, message, errorCode }) => ({ path, message, errorCode })),
        },
      })
    case 'method-not-allowed': {
      const allow = (error.headers?.Allow ?? '')
        .split(',')
        .map((method) => method.trim().toUpperCase())
        .filter(Boolean)
        .join(', ')
      return new HttpProblem({
        kind,
        detail: `${req.method} is not allowed on ${req.path}; allowed methods are ${allow || 'none'}.`,
        headers: { Allow: allow },
      })
    }
    case 'not-found':
      return new HttpProblem({ kind, detail: `No route ${req.method} ${req.path}` })
    case 'unauthorized':
      return new HttpProblem({ kind, detail: error.message, headers: { 'WWW-Authenticate': 'Bearer' } })
    default:
      return new HttpProblem({ kind, detail: error.message })
  }
}

function fromBodyParser(error: BodyParserError): HttpProblem {
  switch (error.type) {
    case 'entity.too.large':
      return new HttpProblem({
        kind: 'payload-too-large',
        detail:
          error.limit === undefined
            ? 'The body exceeds the size limit.'
            : `The body exceeds the limit of ${error.limit} bytes.`,
      })
    case 'entity.parse.failed':
      return new HttpProblem({ kind: 'malformed-body', detail: 'The body is not valid JSON.' })
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem({
        kind: 'unsupported-media-type',
        detail: 'The body encoding or charset is not supported.',
      })
    case 'parameters.too.many':
      return new HttpProblem({ kind: 'payload-too-large', detail: 'The body has too many parameters.' })
    default:
      return new HttpProblem({ kind: 'malformed-body', detail: 'The request body could not be read.' })
  }
}

// Outside systems (DESIGN.md "Errors and input"): refused → 502, unreachable or failing → 503 with
// Retry-After. The detail names the system but not its URLs or answers, which may carry internals.
function fromInvenio(error: InvenioError): HttpProblem {
  switch (error.kind) {
    case 'no-access':
      return forbidden('Invenio does not give you access to this.')
    case 'not-found':
      return notFound('Invenio does not know this record or file.')
    case 'unavailable': {
      const retryAfter = error instanceof InvenioUnavailableError ? error.retryAfterSeconds : 5
      return serviceUnavailable('Invenio is unreachable or failing; try again later.', retryAfter, {}, error)
    }
    case 'refused':
      return badGateway('Invenio refused or garbled what the service sent.', {}, error)
  }
}

function fromKube(error: KubeAccessError): HttpProblem | undefined {
  if (error instanceof KubeUnavailableError)
    return serviceUnavailable(
      'Kubernetes is unreachable or failing; try again later.',
      error.retryAfterSeconds,
      {},
      error,
    )
  if (error.kind === 'refused') return badGateway('Kubernetes refused what the service sent.', {}, error)
  // Not-found, conflicts and log states are answers a use case must handle; reaching here is a bug.
  return undefined
}

/** Maps any error to a problem; undefined means it is a fault of the service (500). */
export function toHttpProblem(error: unknown, req: Request): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error
  if (isValidatorError(error)) return fromValidator(error, req)
  if (isBodyParserError(error)) return fromBodyParser(error)
  if (error instanceof InvenioError) return fromInvenio(error)
  if (error instanceof KubeAccessError) return fromKube(error)
  // The database restarting or unreachable is an outage to wait out, not a bug: 503 like the others.
  if (isDatabaseUnavailable(error))
    return serviceUnavailable('The database is unreachable or restarting; try again later.', 2, {}, error)
  return undefined
}

export function sendProblem(res: Response, req: Request, problem: HttpProblem): void {
  const body: ProblemBody = problem.toBody(req.originalUrl.split('?')[0])
  if (req.id !== undefined) body.requestId = String(req.id)
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value)
  // Sent as a string so response validation (which hooks res.json) never re-judges an error.
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body))
  if (problem.status < 500)
    res.locals.problem = { type: problem.type, detail: problem.detail } satisfies LoggedProblem
}

const INTERNAL = new HttpProblem({
  kind: 'internal',
  detail: 'The service failed to handle the request; it has been logged.',
})

export const problemErrorHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  const problem = toHttpProblem(error, req)
  if (!problem || problem.status >= 500) {
    // pino-http logs the request at error level with this error and its stack.
    const cause = problem?.cause ?? error
    res.err = cause instanceof Error ? cause : new Error(String(cause))
  }
  if (res.headersSent) {
    next(error)
    return
  }
  sendProblem(res, req, problem ?? INTERNAL)
}
