import request from 'supertest'
import type { HealthCheck } from '../../../src/http/health.js'
import { createTestApp, PROBLEM_BASE } from './helpers.js'

const up = (name: string, critical: boolean, details?: Record<string, unknown>): HealthCheck => ({
  name,
  critical,
  check: async () => (details ? { details } : undefined),
})

const down = (name: string, critical: boolean, message = `${name} refused the connection`): HealthCheck => ({
  name,
  critical,
  check: async () => {
    throw new Error(message)
  },
})

const hanging = (name: string, critical: boolean): HealthCheck => ({
  name,
  critical,
  timeoutMs: 20,
  check: () => new Promise<void>(() => undefined),
})

describe('liveness', () => {
  test('200 while the process serves, whatever the dependencies say', async () => {
    const { app } = createTestApp([down('database', true)])
    const res = await request(app).get('/api/v1/health/liveness')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'up', version: '9.9.9-test' })
  })
})

describe('readiness', () => {
  test('200 when every critical check passes', async () => {
    const { app } = createTestApp([up('database', true), up('catalog', true, { types: 4 })])
    const res = await request(app).get('/api/v1/health/readiness')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('up')
    expect(res.body.checks.map((check: { name: string }) => check.name)).toEqual(['database', 'catalog'])
  })

  test('503 problem naming the failing critical check', async () => {
    const { app, logs } = createTestApp([up('database', true), down('catalog', true), up('invenio', false)])
    const res = await request(app).get('/api/v1/health/readiness')
    expect(res.status).toBe(503)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}not-ready`, status: 503 })
    expect(res.body.detail).toContain('catalog')
    expect(res.body.checks).toEqual([
      expect.objectContaining({ name: 'catalog', state: 'down', error: 'catalog refused the connection' }),
    ])
    // A probe failing is the dependency's fault, not a request error of the service.
    expect(logs.lines.filter((line) => line.level === 'error')).toEqual([])
  })

  test('200 when only a non-critical check fails (an outside system must not empty the Service)', async () => {
    const { app } = createTestApp([
      up('database', true),
      down('invenio', false),
      hanging('kubernetes', false),
    ])
    const res = await request(app).get('/api/v1/health/readiness')
    expect(res.status).toBe(200)
    expect(res.body.checks.map((check: { name: string }) => check.name)).toEqual(['database'])
  })
})

describe('health', () => {
  test('lists every check with its state, latency and critical flag', async () => {
    const { app } = createTestApp([
      up('database', true),
      up('catalog', true, { types: 4 }),
      down('invenio', false, 'connect ECONNREFUSED postgres://app:hunter2@db:5432/x'),
    ])
    const res = await request(app).get('/api/v1/health')
    expect(res.status).toBe(200)
    expect(res.body.status).toBe('up')
    expect(res.body.version).toBe('9.9.9-test')
    expect(res.body.checks).toEqual([
      { name: 'database', critical: true, state: 'up', latencyMs: expect.any(Number) },
      { name: 'catalog', critical: true, state: 'up', latencyMs: expect.any(Number), details: { types: 4 } },
      {
        name: 'invenio',
        critical: false,
        state: 'down',
        latencyMs: expect.any(Number),
        error: expect.stringContaining('ECONNREFUSED'),
      },
    ])
    expect(res.text).not.toContain('hunter2')
  })

  test('503 with the full list when a critical check is down', async () => {
    const { app } = createTestApp([down('database', true), up('invenio', false)])
    const res = await request(app).get('/api/v1/health')
    expect(res.status).toBe(503)
    expect(res.body.type).toBe(`${PROBLEM_BASE}unhealthy`)
    expect(
      res.body.checks.map((check: { name: string; state: string }) => [check.name, check.state]),
    ).toEqual([
      ['database', 'down'],
      ['invenio', 'up'],
    ])
  })

  test('a check that hangs is reported down as timed out, and the others still answer', async () => {
    const { app } = createTestApp([hanging('database', true), up('catalog', true)])
    const res = await request(app).get('/api/v1/health')
    expect(res.status).toBe(503)
    const byName = Object.fromEntries(res.body.checks.map((check: { name: string }) => [check.name, check]))
    expect(byName.database).toMatchObject({ state: 'down', error: 'timed out after 20 ms' })
    expect(byName.catalog).toMatchObject({ state: 'up' })
  })

  test('the default timeout applies to checks without their own', async () => {
    const { app } = createTestApp(
      [{ name: 'kubernetes', critical: false, check: () => new Promise(() => undefined) }],
      {
        healthCheckTimeoutMs: 15,
      },
    )
    const res = await request(app).get('/api/v1/health')
    expect(res.status).toBe(200)
    expect(res.body.checks[0]).toMatchObject({
      name: 'kubernetes',
      state: 'down',
      error: 'timed out after 15 ms',
    })
  })
})
