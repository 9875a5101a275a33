import request from 'supertest'
import type { RequestHandler } from 'express'
import { BODY_LIMIT, createTestApp, PROBLEM_BASE, SECRET_IN_ERROR } from './helpers.js'

const PROBLEM_JSON = /^application\/problem\+json/

describe('bad input becomes a problem+json 4xx that is not logged as an error', () => {
  const { app, logs } = createTestApp()

  afterEach(() => {
    const errors = logs.lines.filter((line) => line.level === 'error' || line.level === 'fatal')
    expect(errors).toEqual([])
    logs.lines.length = 0
  })

  test('malformed JSON → 400 malformed-body', async () => {
    const res = await request(app)
      .post('/api/v1/test/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toMatchObject({
      type: `${PROBLEM_BASE}malformed-body`,
      title: 'Malformed request body',
      status: 400,
      instance: '/api/v1/test/echo',
    })
    expect(
      logs.lines.some(
        (line) => line.level === 'info' && (line.res as { statusCode: number })?.statusCode === 400,
      ),
    ).toBe(true)
  })

  test('a body that does not match the document → 400 validation listing the errors', async () => {
    const res = await request(app).post('/api/v1/test/echo').send({ count: -1, extra: true })
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body.type).toBe(`${PROBLEM_BASE}validation`)
    const paths = (res.body.errors as { path: string }[]).map((error) => error.path)
    expect(paths).toEqual(expect.arrayContaining(['/body/name']))
  })

  test('wrong content type → 415', async () => {
    const res = await request(app).post('/api/v1/test/echo').set('Content-Type', 'text/plain').send('name=x')
    expect(res.status).toBe(415)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}unsupported-media-type`, status: 415 })
  })

  test('body over the limit → 413', async () => {
    const res = await request(app)
      .post('/api/v1/test/echo')
      .send({ name: 'x'.repeat(BODY_LIMIT * 2) })
    expect(res.status).toBe(413)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}payload-too-large`, status: 413 })
    expect(res.body.detail).toContain(String(BODY_LIMIT))
  })

  test.each(['/api/v1/nothing-here', '/nothing-here', '/api/v2/health'])(
    'unknown route %s → 404',
    async (path) => {
      const res = await request(app).get(path)
      expect(res.status).toBe(404)
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
      expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}not-found`, status: 404, instance: path })
    },
  )

  test('wrong method → 405 with Allow', async () => {
    const res = await request(app).delete('/api/v1/health')
    expect(res.status).toBe(405)
    expect(res.headers['allow']).toBe('GET')
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}method-not-allowed`, status: 405 })

    const onPost = await request(app).get('/api/v1/test/echo')
    expect(onPost.status).toBe(405)
    expect(onPost.headers['allow']).toBe('POST')
  })

  test('unknown query parameter → 400', async () => {
    const res = await request(app).get('/api/v1/health/liveness?verbose=1')
    expect(res.status).toBe(400)
    expect(res.body.type).toBe(`${PROBLEM_BASE}validation`)
  })

  test('a protected operation without a credential → 401 with WWW-Authenticate', async () => {
    const res = await request(app).get('/api/v1/test/protected')
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(res.body.type).toBe(`${PROBLEM_BASE}unauthorized`)

    const withToken = await request(app).get('/api/v1/test/protected').set('Authorization', 'Bearer abc')
    expect(withToken.status).toBe(200)
  })
})

describe('faults of the service', () => {
  test('an unknown exception → 500 problem without internals, stack only in the log', async () => {
    const { app, logs } = createTestApp()
    const res = await request(app).get('/api/v1/test/boom').set('X-Request-Id', 'boom-1')
    expect(res.status).toBe(500)
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toEqual({
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal server error',
      status: 500,
      detail: 'The service failed to handle the request; it has been logged.',
      instance: '/api/v1/test/boom',
      requestId: 'boom-1',
    })
    expect(res.text).not.toContain(SECRET_IN_ERROR)
    expect(res.text).not.toMatch(/at .*\.ts:\d+/)

    const logged = logs.lines.find((line) => line.level === 'error')
    expect(logged).toBeDefined()
    const err = logged?.err as { message: string; stack: string }
    expect(err.message).toBe(SECRET_IN_ERROR)
    expect(err.stack).toContain('helpers.ts')
  })

  test('an HttpProblem a handler throws keeps its status, type and headers', async () => {
    const { app } = createTestApp()
    const res = await request(app).get('/api/v1/test/unavailable')
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('7')
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON)
    expect(res.body).toMatchObject({
      type: `${PROBLEM_BASE}service-unavailable`,
      title: 'Service unavailable',
      detail: 'Invenio did not answer in time.',
    })
  })

  test('a response that breaks the document is caught when responses are validated', async () => {
    const { app } = createTestApp()
    const res = await request(app).get('/api/v1/test/wrong-response')
    expect(res.status).toBe(500)
    expect(res.body.type).toBe(`${PROBLEM_BASE}internal`)

    const { app: lenient } = createTestApp([], { validateResponses: false })
    const unchecked = await request(lenient).get('/api/v1/test/wrong-response')
    expect(unchecked.status).toBe(200)
  })
})

describe('preValidation middleware', () => {
  test('runs before validation, so a CORS preflight is answered instead of refused with 405', async () => {
    const preflight: RequestHandler = (req, res, next) => {
      if (req.method !== 'OPTIONS') return next()
      res.setHeader('Access-Control-Allow-Origin', 'https://invenio.example')
      res.status(204).end()
    }
    const { app: without } = createTestApp()
    expect((await request(without).options('/api/v1/health')).status).toBe(405)

    const { app } = createTestApp([], { preValidation: [preflight] })
    const res = await request(app).options('/api/v1/health').set('Origin', 'https://invenio.example')
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe('https://invenio.example')
    expect((await request(app).get('/api/v1/health/liveness')).status).toBe(200)
  })
})
