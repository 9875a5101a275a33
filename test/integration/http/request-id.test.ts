import request from 'supertest'
import { createTestApp } from './helpers.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('request id', () => {
  const { app, logs } = createTestApp()

  test('a sane incoming X-Request-Id is echoed and logged', async () => {
    const res = await request(app).get('/api/v1/health/liveness').set('X-Request-Id', 'trace-42:a/b')
    expect(res.status).toBe(200)
    expect(res.headers['x-request-id']).toBe('trace-42:a/b')
    expect(logs.lines.some((line) => (line.req as { id?: string })?.id === 'trace-42:a/b')).toBe(true)
  })

  test('without one, a fresh id is generated per request', async () => {
    const first = await request(app).get('/api/v1/health/liveness')
    const second = await request(app).get('/api/v1/health/liveness')
    expect(first.headers['x-request-id']).toMatch(UUID)
    expect(second.headers['x-request-id']).toMatch(UUID)
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id'])
  })

  test.each([
    ['too long', 'a'.repeat(129)],
    ['spaces', 'two words'],
    ['a forged log field', 'x","level":"fatal'],
    ['empty', ''],
  ])('an insane one (%s) is replaced', async (_why, incoming) => {
    const res = await request(app).get('/api/v1/health/liveness').set('X-Request-Id', incoming)
    expect(res.headers['x-request-id']).toMatch(UUID)
  })

  test('problem bodies carry the same id', async () => {
    const res = await request(app).get('/api/v1/nowhere').set('X-Request-Id', 'find-me')
    expect(res.status).toBe(404)
    expect(res.headers['x-request-id']).toBe('find-me')
    expect(res.body.requestId).toBe('find-me')
  })
})

describe('the access log keeps credentials out', () => {
  test('Authorization, cookies and secrets in the query string never reach the log', async () => {
    const { app, logs } = createTestApp()
    await request(app)
      .get('/api/v1/test/protected?sig=SIGNATURE-VALUE&token=QUERY-TOKEN')
      .set('Authorization', 'Bearer HEADER-TOKEN')
      .set('Cookie', 'session=COOKIE-VALUE')
    await request(app)
      .post('/api/v1/test/echo')
      .set('Authorization', 'Bearer HEADER-TOKEN')
      .send({ name: 'x' })
    const text = logs.text()
    expect(logs.lines.length).toBeGreaterThanOrEqual(2)
    for (const secret of ['SIGNATURE-VALUE', 'QUERY-TOKEN', 'HEADER-TOKEN', 'COOKIE-VALUE']) {
      expect(text).not.toContain(secret)
    }
    expect(text).toContain('sig=[Redacted]')
  })
})
