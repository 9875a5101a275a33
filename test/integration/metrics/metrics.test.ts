// GET /metrics on the real service: a run started over the API and watched to its end moves the
// HTTP, run and outcome series; the informer and SSE gauges are read from their components.
import request from 'supertest'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath, waitForEnd } from '../processing/start-helpers.js'

const XYZ = '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n'

/** Sum of the samples of `name` whose labels include every pair of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const set = match[2] ?? ''
    if (Object.entries(labels).every(([key, value]) => set.includes(`${key}="${value}"`))) {
      total += Number(match[3])
    }
  }
  return total
}

describe('GET /metrics', () => {
  let stack: TestStack

  beforeAll(async () => {
    stack = await startTestStack()
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  const scrape = async () => {
    const response = await request(stack.service.app).get('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain/)
    return response.text
  }

  test('a run started over the API moves the HTTP, start and outcome series', async () => {
    const before = await scrape()
    for (const gauge of [
      'fileprocessor_informer_relists',
      'fileprocessor_informer_restarts',
      'fileprocessor_informer_lag_seconds',
      'fileprocessor_sse_clients',
    ]) {
      expect(before).toMatch(new RegExp(`^${gauge} `, 'm'))
    }
    expect(sample(before, 'fileprocessor_informer_relists')).toBeGreaterThanOrEqual(1)

    const startRoute = { method: 'POST', route: '/api/v1/records/:recordId/workflows', status: '201' }
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key: 'm.xyz', content: XYZ }] })
    const response = await api(stack).post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['m.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(201)
    expect(await waitForEnd(stack, response.body.name)).toBe('Succeeded')

    // The outcome is recorded just after the informer sees the end: poll the scrape for it.
    const finished = { type: 'xyz-structure', phase: 'Succeeded' }
    let after = await scrape()
    for (
      let tries = 0;
      sample(after, 'fileprocessor_runs_finished_total', finished) < 1 && tries < 100;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await scrape()
    }
    expect(sample(after, 'fileprocessor_runs_finished_total', finished)).toBe(
      sample(before, 'fileprocessor_runs_finished_total', finished) + 1,
    )
    expect(sample(after, 'fileprocessor_runs_started_total', { type: 'xyz-structure' })).toBe(
      sample(before, 'fileprocessor_runs_started_total', { type: 'xyz-structure' }) + 1,
    )
    expect(sample(after, 'http_request_duration_seconds_count', startRoute)).toBe(
      sample(before, 'http_request_duration_seconds_count', startRoute) + 1,
    )
    // The route template, never the raw path with the record id in it.
    expect(after).not.toContain(record.id)
    // Kubernetes calls (the Workflow was created) and Invenio calls (the record was read) are timed.
    expect(
      sample(after, 'fileprocessor_dependency_call_duration_seconds_count', { dependency: 'kubernetes' }),
    ).toBeGreaterThan(0)
    expect(
      sample(after, 'fileprocessor_dependency_call_duration_seconds_count', { dependency: 'invenio' }),
    ).toBeGreaterThan(0)
  })

  test('each service instance has its own registry', async () => {
    const other = await startTestStack()
    try {
      const text = (await request(other.service.app).get('/metrics')).text
      expect(sample(text, 'fileprocessor_runs_started_total')).toBe(0)
      expect(other.service.context.metrics.registry).not.toBe(stack.service.context.metrics.registry)
    } finally {
      await other.close()
    }
  })
})
