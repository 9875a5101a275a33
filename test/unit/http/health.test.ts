import {
  failingCritical,
  runHealthCheck,
  runHealthChecks,
  type HealthCheck,
} from '../../../src/http/health.js'

const check = (
  name: string,
  critical: boolean,
  run: HealthCheck['check'],
  timeoutMs?: number,
): HealthCheck => ({
  name,
  critical,
  check: run,
  timeoutMs,
})

test('up with details, down with the error message', async () => {
  const results = await runHealthChecks([
    check('catalog', true, async () => ({ details: { types: 3 } })),
    check('invenio', false, async () => {
      throw new Error('ECONNREFUSED')
    }),
  ])
  expect(results).toEqual([
    { name: 'catalog', critical: true, state: 'up', latencyMs: expect.any(Number), details: { types: 3 } },
    { name: 'invenio', critical: false, state: 'down', latencyMs: expect.any(Number), error: 'ECONNREFUSED' },
  ])
  expect(failingCritical(results)).toEqual([])
})

test('a check that throws synchronously or rejects with a non-Error is down, not a crash', async () => {
  const sync = await runHealthCheck(
    check('database', true, () => {
      throw new Error('no pool')
    }),
  )
  expect(sync).toMatchObject({ state: 'down', error: 'no pool' })
  const odd = await runHealthCheck(check('database', true, () => Promise.reject('plain string')))
  expect(odd).toMatchObject({ state: 'down', error: 'plain string' })
})

test('a hanging check times out with its own limit, else the default', async () => {
  const never = () => new Promise<void>(() => undefined)
  const [own, fallback] = await runHealthChecks(
    [check('k8s', false, never, 10), check('invenio', false, never)],
    5,
  )
  expect(own).toMatchObject({ state: 'down', error: 'timed out after 10 ms' })
  expect(fallback).toMatchObject({ state: 'down', error: 'timed out after 5 ms' })
})

test('checks run concurrently: a slow one does not delay the others past its own timeout', async () => {
  const order: string[] = []
  const slow = check('slow', true, () => new Promise<void>(() => order.push('slow started')), 30)
  const quick = check('quick', true, async () => {
    order.push('quick done')
  })
  await runHealthChecks([slow, quick])
  expect(order).toEqual(['slow started', 'quick done'])
})

test('credentials in error messages are redacted', async () => {
  const result = await runHealthCheck(
    check('database', true, async () => {
      throw new Error('cannot connect to postgres://svc:s3cret@db:5432/compchem')
    }),
  )
  expect(result.error).not.toContain('s3cret')
  expect(result.error).toContain('postgres://svc:[Redacted]@db:5432/compchem')
})

test('failingCritical ignores non-critical failures', () => {
  const results = [
    { name: 'a', critical: true, state: 'down' as const, latencyMs: 1 },
    { name: 'b', critical: false, state: 'down' as const, latencyMs: 1 },
    { name: 'c', critical: true, state: 'up' as const, latencyMs: 1 },
  ]
  expect(failingCritical(results).map((result) => result.name)).toEqual(['a'])
})
