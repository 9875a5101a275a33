// Kubernetes misbehaving while users start and steer runs: watches dropped and resourceVersions
// expired over and over (410 storms), 503 bursts, slow answers. Afterwards nothing is lost or doubled
// and the informer holds what the API server holds.
import request from 'supertest'
import {
  addXyzRecord,
  describeOnPostgres,
  eventually,
  expectCachesEqualServer,
  expectNothingLost,
  HealthProber,
  sleep,
  startFaultStack,
  startOne,
  type FaultStack,
} from './helpers.js'

describeOnPostgres('fault: Kubernetes API', () => {
  let stack: FaultStack | undefined

  afterEach(async () => {
    await stack?.close()
    stack = undefined
  })

  test('watches dropped and 410 storms during 20 starts: every run ends once, caches converge', async () => {
    const stack = await begin()
    const { faults } = stack.cluster.kube
    const informer = stack.service.context.informer
    const before = informer.stats()
    const record = addXyzRecord(stack, 20)
    let storming = true
    const storm = (async () => {
      for (let round = 0; storming; round++) {
        if (round % 2) faults.expireResourceVersions()
        else faults.dropWatches()
        await sleep(60)
      }
    })()
    const responses = await Promise.all(
      record.keys.map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    await sleep(1500)
    storming = false
    await storm
    expect(responses.map((response) => response.status)).toEqual(record.keys.map(() => 201))
    const after = informer.stats()
    // The informer noticed: it restarted or relisted rather than carrying on with a stale cache.
    expect(after.restarts + after.relists).toBeGreaterThan(before.restarts + before.relists)
    await expectCachesEqualServer(stack)
    const { outcomes } = await expectNothingLost(stack)
    expect(outcomes).toBe(20)
  })

  test('503 bursts and slow answers during starts and actions: no 500, no ghost, no double', async () => {
    // Steps of about a second, so the stops below find runs still running.
    const stack = await begin({ speed: 20, stepSeconds: 20 })
    const { faults } = stack.cluster.kube
    const record = addXyzRecord(stack, 12)
    const prober = new HealthProber(stack.service)
    faults.delayResponses(150)
    faults.failNext({ status: 503, count: 6, verb: 'create', retryAfterSeconds: 1 })
    faults.failNext({ status: 503, count: 4, verb: 'list' })
    const responses = await Promise.all(
      record.keys.map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
    )
    const statuses = responses.map((response) => response.status)
    // A start either went through or was answered 503 (with Retry-After) and released its files.
    expect(statuses.every((status) => status === 201 || status === 503)).toBe(true)
    for (const response of responses.filter((each) => each.status === 503))
      expect(response.headers['retry-after']).toBeDefined()
    const started = responses.filter((response) => response.status === 201).map((r) => r.body.name as string)
    expect(started.length).toBeGreaterThan(0)

    faults.failNext({ status: 503, count: 3, verb: 'patch' })
    faults.failNext({ status: 429, count: 2, verb: 'patch', retryAfterSeconds: 1 })
    const stops = await Promise.all(
      started.map((name) =>
        request(stack.service.app)
          .post(`/api/v1/workflows/${name}/stop`)
          .set('Authorization', `Bearer ${stack.tokens.alice}`)
          .send({}),
      ),
    )
    for (const stop of stops) expect([202, 409, 503]).toContain(stop.status)
    // Kubernetes answering 503 for a while is reported by /api/v1/health (readiness stays up:
    // Kubernetes down must not take every replica out of the Service).
    faults.failNext({ status: 503, count: 20, verb: 'list' })
    await eventually('health reports Kubernetes down', () =>
      prober.health.some((answer) => answer.down.includes('kubernetes')),
    )
    faults.clear()
    await prober.stop()
    expect(prober.readiness.every((answer) => answer.status === 200)).toBe(true)
    await expectCachesEqualServer(stack)
    await expectNothingLost(stack)
  })

  async function begin(cluster?: { speed: number; stepSeconds: number }): Promise<FaultStack> {
    stack = await startFaultStack(cluster ? { cluster } : {})
    return stack
  }
})
