// Database outages are told apart from bad queries, so the API answers 503 instead of 500.
import { isDatabaseUnavailable } from '../../../src/db/errors.js'

describe('isDatabaseUnavailable', () => {
  test.each([
    ['Prisma cannot reach the server', { code: 'P1001', message: "Can't reach database server at x:5432" }],
    ['server closed the connection', { code: 'P1017', message: 'Server has closed the connection.' }],
    ['pool timeout', { code: 'P2024', message: 'Timed out fetching a new connection' }],
    [
      'starting up (57P03) through the adapter',
      { code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '57P03', kind: 'postgres' } } } },
    ],
    [
      'admin shutdown (57P01) as a pg error',
      { code: '57P01', message: 'terminating connection due to administrator command' },
    ],
    ['connection exception class 08', { cause: { code: '08006' } }],
    ['adapter kind', { meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }],
    ['pg socket error', new Error('Connection terminated unexpectedly')],
  ])('%s → unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  test.each([
    ['unique violation', { code: 'P2002', message: 'Unique constraint failed' }],
    ['write-once refusal', { code: 'CCW01', message: 'compchem_workflow is write-once: UPDATE refused' }],
    ['syntax error', { code: '42601' }],
    ['plain bug', new TypeError('cannot read properties of undefined')],
    ['not an object', 'boom'],
    ['nothing', undefined],
  ])('%s → not unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false)
  })
})
