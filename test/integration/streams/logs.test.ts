// Step logs over HTTP against the sandbox's pod log store: plain text, follow over SSE while a step
// writes, a step still waiting, and 410 once the pods are gone.
import { startServer, type RunningServer } from '../../../src/http/server.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { eventually, openSse, startTestRun } from './helpers.js'

let stack: TestStack
let server: RunningServer
let auth: Record<string, string>

beforeAll(async () => {
  stack = await startTestStack()
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

const logsUrl = (name: string, query = '') => `${server.url}/api/v1/workflows/${name}/logs${query}`
const phaseInStore = (name: string) =>
  (stack.cluster.store.get('workflows', 'default', name) as { status?: { phase?: string } } | undefined)
    ?.status?.phase

test("follow shows a running step's lines as they are written, tagged with the step, and ends with the step", async () => {
  const lines = ['loading geometry', 'SCF cycle 1', 'SCF cycle 2', 'SCF Done']
  const name = await startTestRun(stack.service, stack.recordId, {
    steps: { compute: { seconds: 60, logLines: lines }, after: { seconds: 20 } },
  })
  const client = await openSse(logsUrl(name, '?follow=true&step=compute'), auth)
  try {
    expect(client.status).toBe(200)
    const first = await client.waitFor((event) => event.event === 'log')
    // The step is still running when its first line arrives.
    const computeNode = () => {
      const workflow = stack.service.context.informer.get(name)
      return Object.values(workflow?.status?.nodes ?? {}).find((node) => node.displayName === 'compute')
    }
    expect(computeNode()?.phase).toBe('Running')
    expect(JSON.parse(first.data)).toEqual({ step: 'compute', line: lines[0] })
    const end = await client.waitFor((event) => event.event === 'end')
    expect(JSON.parse(end.data).reason).toBe('the step has ended')
    const logged = client.events
      .filter((event) => event.event === 'log')
      .map((event) => JSON.parse(event.data).line)
    expect(logged).toEqual(lines)
    const ids = client.events.filter((event) => event.event === 'log').map((event) => event.id)
    expect(new Set(ids).size).toBe(lines.length)
  } finally {
    client.close()
  }
  await eventually(() => (phaseInStore(name) === 'Succeeded' ? true : undefined))
  const text = await fetch(logsUrl(name), { headers: auth })
  expect(text.status).toBe(200)
  expect(text.headers.get('content-type')).toMatch(/^text\/plain/)
  const body = await text.text()
  for (const line of lines) expect(body).toContain(`[compute] ${line}\n`)
})

test('a step that has not started says so', async () => {
  const name = await startTestRun(stack.service, stack.recordId, {
    steps: { slow: { seconds: 200 }, later: { seconds: 1 } },
  })
  const response = await fetch(logsUrl(name, '?step=later'), { headers: auth })
  expect(response.status).toBe(200)
  expect(await response.text()).toContain('[later] -- waiting: the step has not started yet')
  await stack.service.context.argo.patchWorkflowSpec(name, { shutdown: 'Terminate' })
})

test('once the pods are gone the answer is 410 "logs are no longer available"; an unknown run is 404', async () => {
  const name = await startTestRun(stack.service, stack.recordId, { steps: { only: { seconds: 1 } } })
  await eventually(() => (phaseInStore(name) === 'Succeeded' ? true : undefined))
  for (const pod of stack.cluster.store.list('pods', 'default')) {
    if (pod.metadata.name?.startsWith(name)) stack.cluster.store.delete('pods', 'default', pod.metadata.name)
  }
  const response = await fetch(logsUrl(name), { headers: auth })
  expect(response.status).toBe(410)
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const problem = (await response.json()) as { type: string; detail: string }
  expect(problem.type).toBe('https://compchem.cz/problems/gone')
  expect(problem.detail).toMatch(/logs are no longer available/i)
  expect((await fetch(logsUrl('no-such-run-1'), { headers: auth })).status).toBe(404)
  expect(
    (await fetch(logsUrl(name), { headers: { Authorization: `Bearer ${stack.tokens.bob}` } })).status,
  ).toBe(403)
})
