// The record event stream over a real socket: snapshot, workflow events, completed; resumption by
// Last-Event-ID without loss or repetition; unknown ids; and no leaks over many connections.
import { startServer, type RunningServer } from '../../../src/http/server.js'
import { liveOf } from '../../../src/streams/index.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { eventually, openSse, startTestRun } from './helpers.js'

let stack: TestStack
let server: RunningServer
let auth: Record<string, string>

beforeAll(async () => {
  stack = await startTestStack({ env: { SSE_HEARTBEAT_SECONDS: '1' } })
  await stack.service.context.informer.whenSynced()
  server = await startServer(stack.service.app, {
    host: '127.0.0.1',
    port: 0,
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 20_000,
    shutdownGraceMs: 100,
  })
  auth = { Authorization: `Bearer ${stack.tokens.alice}` }
}, 90_000)

afterAll(async () => {
  await server?.close()
  await stack?.close()
})

const eventsUrl = () => `${server.url}/api/v1/records/${stack.recordId}/events`
const dataOf = (event: { data: string }) => JSON.parse(event.data) as Record<string, unknown>

test('snapshot first, then workflow events as the run changes, then completed; proxy-safe headers', async () => {
  const client = await openSse(eventsUrl(), auth)
  try {
    expect(client.status).toBe(200)
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(client.headers['cache-control']).toContain('no-cache')
    expect(client.headers['x-accel-buffering']).toBe('no')
    expect(client.headers['content-encoding']).toBeUndefined()
    const snapshot = await client.waitFor((event) => event.event === 'snapshot')
    expect(dataOf(snapshot)).toEqual(
      expect.objectContaining({ recordId: stack.recordId, runs: expect.any(Array) }),
    )

    const name = await startTestRun(stack.service, stack.recordId, {
      steps: {
        first: {
          seconds: 2,
          result: { status: 'PARTIAL', message: 'half', files: { 'water-dimer.log': 'PARTIAL' } },
        },
        second: { seconds: 2 },
      },
    })
    const completed = await client.waitFor(
      (event) => event.event === 'completed' && dataOf(event).name === name,
    )
    expect(dataOf(completed)).toEqual(
      expect.objectContaining({
        phase: 'Succeeded',
        status: 'PARTIAL',
        attempt: 1,
        files: { 'water-dimer.log': 'PARTIAL' },
      }),
    )
    expect(dataOf(completed).notificationId).toMatch(/^[0-9a-f-]{36}$/)

    const mine = client.events.filter((event) => event.event === 'workflow' && dataOf(event).name === name)
    const phases = mine.map((event) => dataOf(event).phase)
    expect(phases[0]).toBe('Pending')
    expect(phases).toContain('Running')
    expect(phases.at(-1)).toBe('Succeeded')
    expect(client.events[0]!.event).toBe('snapshot')
    expect(client.events.indexOf(completed)).toBeGreaterThan(client.events.indexOf(mine.at(-1)!))
    // Every event has its own id.
    const ids = client.events.map((event) => event.id)
    expect(ids.every(Boolean)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    await eventually(() => client.comments.includes('heartbeat') || undefined)
  } finally {
    client.close()
  }
})

test('a stream cut mid-run and resumed with Last-Event-ID misses nothing and repeats nothing', async () => {
  const full = await openSse(eventsUrl(), auth)
  const first = await openSse(eventsUrl(), auth)
  try {
    await full.waitFor((event) => event.event === 'snapshot')
    await first.waitFor((event) => event.event === 'snapshot')
    const name = await startTestRun(stack.service, stack.recordId, {
      steps: { first: { seconds: 10 }, second: { seconds: 10 }, third: { seconds: 10 } },
    })
    await first.waitFor(
      (event) =>
        event.event === 'workflow' && dataOf(event).name === name && dataOf(event).phase === 'Running',
    )
    first.close()
    await first.ended
    const lastId = first.events.at(-1)!.id!
    // Changes happen while nobody listens on the resumed stream.
    await full.waitFor(
      (event) =>
        event.event === 'workflow' &&
        dataOf(event).name === name &&
        (dataOf(event).progress as string).startsWith('1/'),
    )

    const second = await openSse(eventsUrl(), { ...auth, 'Last-Event-ID': lastId })
    try {
      await second.waitFor((event) => event.event === 'completed' && dataOf(event).name === name)
      await full.waitFor((event) => event.event === 'completed' && dataOf(event).name === name)
      expect(second.events.some((event) => event.event === 'snapshot')).toBe(false)
      const about = (event: { event?: string; data: string }) =>
        event.event !== 'snapshot' && dataOf(event).name === name
      const seen = [...first.events, ...second.events].filter(about).map((event) => event.id)
      const expected = full.events.filter(about).map((event) => event.id)
      expect(seen).toEqual(expected)
      expect(new Set(seen).size).toBe(seen.length)
    } finally {
      second.close()
    }
  } finally {
    full.close()
    first.close()
  }
})

test('an id this replica did not issue gets a fresh snapshot, in the header or in the query', async () => {
  const attempts: Array<[string, Record<string, string>]> = [
    [eventsUrl(), { ...auth, 'Last-Event-ID': 'another-replica-17' }],
    [`${eventsUrl()}?lastEventId=zzzz-3`, auth],
  ]
  for (const [url, headers] of attempts) {
    const client = await openSse(url, headers)
    try {
      const first = await client.waitFor(() => true)
      expect(first.event).toBe('snapshot')
    } finally {
      client.close()
    }
  }
})

test('lastEventId in the query resumes like the header', async () => {
  const client = await openSse(eventsUrl(), auth)
  const snapshot = await client.waitFor((event) => event.event === 'snapshot')
  client.close()
  const resumed = await openSse(`${eventsUrl()}?lastEventId=${encodeURIComponent(snapshot.id!)}`, auth)
  try {
    const name = await startTestRun(stack.service, stack.recordId, { steps: { only: { seconds: 1 } } })
    const event = await resumed.waitFor((e) => e.event === 'workflow' && dataOf(e).name === name)
    expect(resumed.events[0]).toBe(event)
  } finally {
    resumed.close()
  }
})

test('without access the stream is refused before it opens', async () => {
  const bob = await openSse(eventsUrl(), { Authorization: `Bearer ${stack.tokens.bob}` })
  expect(bob.status).toBe(403)
  bob.close()
  const nobody = await openSse(eventsUrl(), {})
  expect(nobody.status).toBe(401)
  nobody.close()
})

test('1,000 connect/disconnect cycles leave the hub and informer listener counts where they started', async () => {
  const { hub } = liveOf(stack.service.context)
  const informer = stack.service.context.informer
  const listenerCount = () => {
    const listeners = informer['cache']['listeners'] as Record<string, Set<unknown>>
    return Object.values(listeners).reduce((sum, set) => sum + set.size, 0)
  }
  await eventually(() => (hub.stats().clients === 0 ? true : undefined))
  // Resuming from a known id skips the snapshot, so the cycles exercise the stream, not the database.
  const first = await openSse(eventsUrl(), auth)
  const position = (await first.waitFor((event) => event.event === 'snapshot')).id!
  first.close()
  await first.ended
  await eventually(() => (hub.stats().clients === 0 ? true : undefined))
  const before = { hub: hub.stats(), listeners: listenerCount(), timers: timerCount() }
  for (let round = 0; round < 100; round++) {
    const clients = await Promise.all(
      Array.from({ length: 10 }, () => openSse(eventsUrl(), { ...auth, 'Last-Event-ID': position })),
    )
    expect(clients.every((client) => client.status === 200)).toBe(true)
    for (const client of clients) client.close()
    await Promise.all(clients.map((client) => client.ended))
  }
  await eventually(() => (hub.stats().clients === 0 ? true : undefined))
  const after = hub.stats()
  expect(after.clients).toBe(0)
  expect(after.activeRecords).toBe(0)
  expect(after.subscriptionsOpened - before.hub.subscriptionsOpened).toBe(1000)
  expect(after.subscriptionsClosed - before.hub.subscriptionsClosed).toBe(1000)
  expect(after.upstreamListeners).toBe(before.hub.upstreamListeners)
  expect(listenerCount()).toBe(before.listeners)
  // Heartbeat timers of closed streams are gone (a few unrelated timers may come and go).
  expect(timerCount()).toBeLessThan(before.timers + 20)
}, 180_000)

function timerCount(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
}
