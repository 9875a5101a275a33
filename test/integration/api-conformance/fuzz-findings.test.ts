// Regressions for what the schemathesis pass (scripts/fuzz.sh) found: answers the service gives that
// the OpenAPI document did not admit. Each check asks the real service, then the document.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Ajv2020 } from 'ajv/dist/2020.js'
import request from 'supertest'
import { loadOpenApiDocument } from '../../../src/http/openapi.js'
import { POLICIES } from '../../../src/http/policy.js'
import { SERVICE_TOKEN, startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath } from '../processing/start-helpers.js'
import { openSse, startTestRun } from '../streams/helpers.js'

type Json = Record<string, unknown>
const document = loadOpenApiDocument()

function operation(method: string, path: string): Json {
  const found = (document.paths[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined
  if (!found) throw new Error(`${method} ${path} is not in the document`)
  return found
}

const documentedStatuses = (method: string, path: string) =>
  Object.keys(operation(method, path).responses as Json)

function resolve(node: unknown): Json {
  const ref = (node as { $ref?: string }).$ref
  if (!ref) return node as Json
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((at, key) => (at as Json)[key], document) as Json
}

describe('fuzz findings', () => {
  let stack: TestStack
  let runName: string

  beforeAll(async () => {
    // One start per identity and minute, so a second start is refused with 429.
    stack = await startTestStack({ env: { RATE_LIMIT_START_BURST: '1', RATE_LIMIT_START_PER_MINUTE: '1' } })
    await stack.service.context.informer.whenSynced()
    const started = await api(stack).post(
      startPath(stack.recordId),
      { type: 'gaussian-log', files: ['water-dimer.log'] },
      SERVICE_TOKEN,
    )
    expect(started.status).toBe(201)
    runName = started.body.name as string
  }, 60_000)

  afterAll(async () => {
    await stack?.close()
  })

  // Found: POST /api/v1/sessions without a JSON body answered 415, which the operation did not list;
  // nor did stream URLs, run actions or the Invenio webhook.
  test.each([
    ['POST', '/api/v1/sessions', () => '/api/v1/sessions'],
    ['POST', '/api/v1/records/{recordId}/stream-urls', () => `/api/v1/records/${stack.recordId}/stream-urls`],
    ['POST', '/api/v1/workflows/{name}/{action}', () => `/api/v1/workflows/${runName}/stop`],
    ['POST', '/api/v1/events/invenio', () => '/api/v1/events/invenio'],
    ['POST', '/api/v1/workflows/available', () => '/api/v1/workflows/available'],
  ])('%s %s refuses a body that is not JSON with a documented 415 problem', async (method, path, url) => {
    const response = await request(stack.service.app)
      .post(url())
      .set('Authorization', `Bearer ${SERVICE_TOKEN}`)
      .set('X-Compchem-Timestamp', String(Math.floor(Date.now() / 1000)))
      .set('X-Compchem-Signature', `sha256=${'0'.repeat(64)}`)
      .set('Content-Type', 'text/plain')
      .send('not json')
    expect(response.status).toBe(415)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(documentedStatuses(method, path)).toContain('415')
    expect(documentedStatuses(method, path)).toContain('413')
  })

  // Found by reading the 429s the rate limit gives: starts, batches, syncs and run actions did not
  // list them. The policy table names every rate-limited route.
  test('every rate-limited route documents 429, and a second start in the minute gets it', async () => {
    for (const policy of POLICIES.filter((entry) => entry.rateLimit)) {
      expect({
        route: `${policy.method} ${policy.path}`,
        statuses: documentedStatuses(policy.method, policy.path),
      }).toEqual({ route: `${policy.method} ${policy.path}`, statuses: expect.arrayContaining(['429']) })
    }
    // The limit is taken before the body is validated: an invalid start counts too.
    const start = () => api(stack).post(startPath(stack.recordId), {}, stack.tokens.alice)
    expect((await start()).status).toBe(400)
    const refused = await start()
    expect(refused.status).toBe(429)
    expect(documentedStatuses('POST', '/api/v1/records/{recordId}/workflows')).toContain('429')
    expect(refused.headers['retry-after']).toMatch(/^\d+$/)
  })

  // Found: schemathesis reads the text/event-stream schema as the schema of each event (OpenAPI 3.1
  // has no itemSchema); `{type: string}` rejected every event the service sends.
  test('record events and log events match the documented event schema', async () => {
    const server = http.createServer(stack.service.app)
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const ajv = new Ajv2020({ strict: false })
    // A run still logging, so its pods' logs are there to follow.
    const logging = await startTestRun(stack.service, stack.recordId, {
      file: 'notes.txt',
      steps: { first: { seconds: 200, logLines: ['reading /input'] } },
    })
    try {
      for (const [path, url, wanted] of [
        ['/api/v1/records/{recordId}/events', `${base}/api/v1/records/${stack.recordId}/events`, 'snapshot'],
        ['/api/v1/workflows/{name}/logs', `${base}/api/v1/workflows/${logging}/logs?follow=true`, 'log'],
      ] as const) {
        const content = (resolve((operation('GET', path).responses as Json)['200']).content as Json)[
          'text/event-stream'
        ] as Json
        const validate = ajv.compile(resolve(content.schema))
        const stream = await openSse(url, { Authorization: `Bearer ${stack.tokens.alice}` })
        try {
          expect(stream.status).toBe(200)
          const event = await stream.waitFor((item) => item.event === wanted)
          const parsed = { event: event.event, data: event.data, ...(event.id ? { id: event.id } : {}) }
          expect({ path, valid: validate(parsed), errors: validate.errors ?? null }).toEqual({
            path,
            valid: true,
            errors: null,
          })
          expect(() => JSON.parse(event.data) as unknown).not.toThrow()
        } finally {
          stream.close()
        }
      }
    } finally {
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    }
  })
})
