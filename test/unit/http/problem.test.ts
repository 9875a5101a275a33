import { loadOpenApiDocument } from '../../../src/http/openapi.js'
import {
  badGateway,
  badRequest,
  conflict,
  forbidden,
  HttpProblem,
  methodNotAllowed,
  notFound,
  PROBLEM_KINDS,
  problemType,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unprocessable,
} from '../../../src/http/problem.js'

describe('problem types', () => {
  test('every kind in the code is documented in ProblemType, and nothing else is', () => {
    const schema = loadOpenApiDocument().components?.schemas?.ProblemType as {
      enum: string[]
      description: string
    }
    const inCode = Object.keys(PROBLEM_KINDS).map((kind) => problemType(kind as keyof typeof PROBLEM_KINDS))
    expect([...schema.enum].sort()).toEqual([...inCode].sort())
    for (const kind of Object.keys(PROBLEM_KINDS)) expect(schema.description).toContain(`\`${kind}\``)
  })

  test('types are stable absolute URIs', () => {
    expect(problemType('validation')).toBe('https://compchem.cz/problems/validation')
    for (const kind of Object.keys(PROBLEM_KINDS)) {
      expect(new URL(problemType(kind as keyof typeof PROBLEM_KINDS)).protocol).toBe('https:')
    }
  })
})

describe('HttpProblem', () => {
  test('renders RFC 9457 members followed by extensions', () => {
    const problem = conflict('The file is busy.', { busyFiles: [{ key: 'a.log', heldBy: 'g-1-1' }] })
    expect(problem).toBeInstanceOf(Error)
    expect(problem.toBody('/api/v1/records/r1/workflows')).toEqual({
      type: 'https://compchem.cz/problems/conflict',
      title: 'Conflict',
      status: 409,
      detail: 'The file is busy.',
      instance: '/api/v1/records/r1/workflows',
      busyFiles: [{ key: 'a.log', heldBy: 'g-1-1' }],
    })
  })

  test('an extension may not shadow a standard member', () => {
    expect(() => new HttpProblem({ kind: 'conflict', extensions: { status: 200 } })).toThrow(/shadows/)
  })

  test('helpers carry the status and headers of their kind', () => {
    const cases: Array<[HttpProblem, number, Record<string, string>]> = [
      [badRequest('x'), 400, {}],
      [unauthorized(), 401, { 'WWW-Authenticate': 'Bearer' }],
      [forbidden('x'), 403, {}],
      [notFound('x'), 404, {}],
      [methodNotAllowed('x', ['get', 'post']), 405, { Allow: 'GET, POST' }],
      [conflict('x'), 409, {}],
      [unprocessable('x'), 422, {}],
      [tooManyRequests('x', 1.2), 429, { 'Retry-After': '2' }],
      [badGateway('x'), 502, {}],
      [serviceUnavailable('x'), 503, { 'Retry-After': '5' }],
    ]
    for (const [problem, status, headers] of cases) {
      expect({ status: problem.status, headers: problem.headers }).toEqual({ status, headers })
    }
  })

  test('keeps the cause for the log', () => {
    const cause = new Error('ECONNRESET')
    expect(badGateway('Kubernetes refused the Workflow.', undefined, cause).cause).toBe(cause)
  })
})
