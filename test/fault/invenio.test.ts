// Invenio down while runs are going: starts are answered 503 with Retry-After and hold no files,
// runs already in the cluster still end with their outcome and notification, and once Invenio is
// back the refused starts go through.
import request from 'supertest'
import {
  addXyzRecord,
  describeOnPostgres,
  expectCachesEqualServer,
  expectNothingLost,
  HealthProber,
  startFaultStack,
  startOne,
  type FaultStack,
} from './helpers.js'

describeOnPostgres('fault: Invenio down', () => {
  let stack: FaultStack

  beforeAll(async () => {
    // Access decisions are not cached, so every request meets the outage.
    stack = await startFaultStack({ env: { AUTH_CACHE_ALLOW_SECONDS: '0', AUTH_CACHE_DENY_SECONDS: '0' } })
  })

  afterAll(async () => {
    stack?.invenio.setFailure(null)
    await stack?.close()
  })

  test('starts refused with 503 while it is down, nothing lost, everything starts once it is back', async () => {
    const record = addXyzRecord(stack, 10)
    const before = await Promise.all(
      record.keys.slice(0, 5).map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    expect(before.map((response) => response.status)).toEqual([201, 201, 201, 201, 201])

    const prober = new HealthProber(stack.service)
    stack.invenio.setFailure('down')
    const during = await Promise.all(
      record.keys.slice(5).map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    for (const response of during) {
      expect(response.status).toBe(503)
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(response.headers['retry-after']).toBeDefined()
    }
    // Reading a run needs Invenio's access decision too: refused the same way, never a 500.
    const view = await request(stack.service.app)
      .get(`/api/v1/workflows/${before[0]!.body.name}`)
      .set('Authorization', `Bearer ${stack.tokens.alice}`)
    expect(view.status).toBe(503)
    await prober.stop()
    // Invenio down must not take the replicas out of the Service: readiness stayed up.
    expect(prober.readiness.every((answer) => answer.status === 200)).toBe(true)
    stack.invenio.setFailure(null)

    const after = await Promise.all(
      record.keys.slice(5).map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    expect(after.map((response) => response.status)).toEqual([201, 201, 201, 201, 201])
    await expectCachesEqualServer(stack)
    const { runs, outcomes } = await expectNothingLost(stack)
    expect({ runs, outcomes }).toEqual({ runs: 10, outcomes: 10 })
  })
})
