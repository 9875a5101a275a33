import { ApiException } from '@kubernetes/client-node'
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  RefusedError,
  UnavailableError,
  errorForStatus,
  toKubeAccessError,
} from '../../../src/argo/errors.js'

const status = (code: number, reason: string, message = 'm') => ({ kind: 'Status', code, reason, message })

describe('errorForStatus', () => {
  test.each([
    [409, 'AlreadyExists', AlreadyExistsError],
    [409, 'Conflict', ConflictError],
    [404, 'NotFound', NotFoundError],
    [400, 'BadRequest', RefusedError],
    [401, 'Unauthorized', RefusedError],
    [403, 'Forbidden', RefusedError],
    [422, 'Invalid', RefusedError],
    [429, 'TooManyRequests', UnavailableError],
    [500, 'InternalError', UnavailableError],
    [503, 'ServiceUnavailable', UnavailableError],
  ])('%i %s → %p', (code, reason, type) => {
    const error = errorForStatus(code, status(code, reason), 'create workflow x')
    expect(error).toBeInstanceOf(type)
    expect(error.statusCode).toBe(code)
    expect(error.reason).toBe(reason)
    expect(error.message).toBe('create workflow x: m')
  })

  test('Retry-After from the server is kept', () => {
    const error = errorForStatus(503, '', 'x', { 'retry-after': '12' }) as UnavailableError
    expect(error.retryAfterSeconds).toBe(12)
    expect((errorForStatus(503, '', 'x') as UnavailableError).retryAfterSeconds).toBe(5)
  })

  test('a JSON body given as text is read', () => {
    expect(errorForStatus(409, JSON.stringify(status(409, 'AlreadyExists')), 'x')).toBeInstanceOf(
      AlreadyExistsError,
    )
  })
})

describe('toKubeAccessError', () => {
  test('maps client-node ApiException by status', () => {
    const error = toKubeAccessError(new ApiException(403, 'Forbidden', status(403, 'Forbidden'), {}), 'list')
    expect(error).toBeInstanceOf(RefusedError)
  })

  test('transport failures and timeouts mean unavailable', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    expect(toKubeAccessError(refused, 'get')).toBeInstanceOf(UnavailableError)
    expect(toKubeAccessError(refused, 'get').message).toContain('ECONNREFUSED')
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(toKubeAccessError(timeout, 'get').message).toBe('get: timed out')
  })
})
