// requireUser and requireRecordAccess in a real express app against the fake Invenio over HTTP:
// the status codes of DESIGN.md "Security", the short-lived cache and failing closed when Invenio is down.
import type { Express } from 'express'
import { pino } from 'pino'
import request from 'supertest'
import { accessCheckerFor } from '../../../src/auth/index.js'
import { createApp } from '../../../src/http/app.js'
import { callerOf, recordAccessOf, requireRecordAccess, requireUser } from '../../../src/http/auth.js'
import { loadOpenApiDocument, withExtraPaths } from '../../../src/http/openapi.js'
import { createInvenioClient, type InvenioClient } from '../../../src/invenio/index.js'
import { startFakeInvenio, type FakeInvenio } from '../../../src/sandbox/invenio/index.js'

const answer = {
  '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } },
}
const recordParam = [{ name: 'recordId', in: 'path', required: true, schema: { type: 'string' } }]

describe('auth middleware against the fake Invenio', () => {
  let invenio: FakeInvenio
  let client: InvenioClient
  let app: Express
  let deps: { invenio: InvenioClient }
  let alice: string
  let bob: string
  let draftRecord: string
  let publishedOnly: string
  let publishedWithBobs: string

  beforeAll(async () => {
    invenio = await startFakeInvenio({ serviceToken: 'service-token' })
    alice = invenio.addUser({ name: 'alice' }).token
    bob = invenio.addUser({ name: 'bob' }).token
    draftRecord = invenio.addRecord({ owner: 'alice', files: [] }).id
    publishedOnly = invenio.addRecord({ owner: 'alice', draft: false, published: true }).id
    publishedWithBobs = invenio.addRecord({ owner: 'bob', published: true }).id
    client = createInvenioClient({
      baseUrl: invenio.url,
      recordUrlTemplate: `{base}/api/${invenio.modelPrefix}/{id}/draft`,
      userCheckPath: '/api/me',
      timeoutMs: 2000,
      logger: pino({ level: 'silent' }),
    })
    deps = { invenio: client }
    const document = withExtraPaths(loadOpenApiDocument(), {
      '/api/v1/test/me': { get: { operationId: 'testMe', responses: answer } },
      '/api/v1/test/records/{recordId}/read': {
        get: { operationId: 'testRead', parameters: recordParam, responses: answer },
      },
      '/api/v1/test/records/{recordId}/edit': {
        get: { operationId: 'testEdit', parameters: recordParam, responses: answer },
      },
    })
    app = createApp({
      logger: pino({ level: 'silent' }),
      bodyLimit: '10kb',
      healthChecks: [],
      openapi: document,
      mount: (router) => {
        router.get('/api/v1/test/me', requireUser(deps), (_req, res) => {
          res.json({ userId: callerOf(res).userId })
        })
        router.get(
          '/api/v1/test/records/:recordId/read',
          requireRecordAccess(deps, { needDraft: false }),
          (_req, res) => {
            res.json({ kind: recordAccessOf(res).kind })
          },
        )
        router.get(
          '/api/v1/test/records/:recordId/edit',
          requireRecordAccess(deps, { needDraft: true }),
          (_req, res) => {
            res.json({ kind: recordAccessOf(res).kind })
          },
        )
      },
    })
  })

  afterAll(async () => {
    await invenio.close()
  })

  beforeEach(() => {
    invenio.setFailure(null)
    accessCheckerFor(deps).clear()
  })

  test('no Authorization header → 401 problem with WWW-Authenticate', async () => {
    const response = await request(app).get('/api/v1/test/me')
    expect(response.status).toBe(401)
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(response.headers['www-authenticate']).toBe('Bearer')
  })

  test('malformed Authorization header → 401', async () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer a b', `Bearer ${'x'.repeat(5000)}`]) {
      const response = await request(app).get('/api/v1/test/me').set('Authorization', header)
      expect(response.status).toBe(401)
      expect(response.body.type).toBe('https://compchem.cz/problems/unauthorized')
    }
  })

  test('a token Invenio does not know → 401; a known one → the Invenio user id', async () => {
    const unknown = await request(app).get('/api/v1/test/me').auth('not-a-token', { type: 'bearer' })
    expect(unknown.status).toBe(401)
    const known = await request(app).get('/api/v1/test/me').auth(alice, { type: 'bearer' })
    expect(known.status).toBe(200)
    expect(known.body.userId).toMatch(/^\d+$/)
  })

  test('record routes: owner 200 on the draft, bob 403, unknown record 404, bad token 401', async () => {
    const path = (id: string) => `/api/v1/test/records/${id}/edit`
    expect((await request(app).get(path(draftRecord)).auth(alice, { type: 'bearer' })).body).toEqual({
      kind: 'draft',
    })
    const denied = await request(app).get(path(draftRecord)).auth(bob, { type: 'bearer' })
    expect(denied.status).toBe(403)
    expect(denied.body.type).toBe('https://compchem.cz/problems/forbidden')
    expect((await request(app).get(path('nope0-00000')).auth(alice, { type: 'bearer' })).status).toBe(404)
    expect((await request(app).get(path(draftRecord)).auth('bad-token', { type: 'bearer' })).status).toBe(401)
  })

  test('a published record without a draft: readable, but starting needs a draft (409)', async () => {
    const read = await request(app)
      .get(`/api/v1/test/records/${publishedOnly}/read`)
      .auth(alice, { type: 'bearer' })
    expect(read.body).toEqual({ kind: 'published' })
    const edit = await request(app)
      .get(`/api/v1/test/records/${publishedOnly}/edit`)
      .auth(alice, { type: 'bearer' })
    expect(edit.status).toBe(409)
  })

  test("someone else's published record with a draft: readable, its draft is not (403)", async () => {
    const read = await request(app)
      .get(`/api/v1/test/records/${publishedWithBobs}/read`)
      .auth(alice, { type: 'bearer' })
    expect(read.body).toEqual({ kind: 'published' })
    const edit = await request(app)
      .get(`/api/v1/test/records/${publishedWithBobs}/edit`)
      .auth(alice, { type: 'bearer' })
    expect(edit.status).toBe(403)
  })

  test('Invenio down → 503 with Retry-After (fail closed), and the outage is not cached', async () => {
    invenio.setFailure('down')
    const response = await request(app).get('/api/v1/test/me').auth(alice, { type: 'bearer' })
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toMatch(/^\d+$/)
    expect(response.body.type).toBe('https://compchem.cz/problems/service-unavailable')
    invenio.setFailure(null)
    expect((await request(app).get('/api/v1/test/me').auth(alice, { type: 'bearer' })).status).toBe(200)
  })

  test('answers are cached: a second call within the TTL does not ask Invenio again', async () => {
    const before = invenio.requests.length
    await request(app).get(`/api/v1/test/records/${draftRecord}/edit`).auth(alice, { type: 'bearer' })
    const afterFirst = invenio.requests.length
    await request(app).get(`/api/v1/test/records/${draftRecord}/edit`).auth(alice, { type: 'bearer' })
    expect(afterFirst).toBeGreaterThan(before)
    expect(invenio.requests.length).toBe(afterFirst)
  })
})
