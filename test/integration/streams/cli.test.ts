// `fileprocessor watch` and `logs --follow` against a real server: the watch survives a dropped
// connection by resuming with Last-Event-ID (no second snapshot), and logs follow to the step's end.
import { logsCommand } from '../../../src/cli/logs.js'
import { watchCommand, type Output } from '../../../src/cli/watch.js'
import { startServer, type RunningServer } from '../../../src/http/server.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { eventually, startTestRun } from './helpers.js'

let stack: TestStack
let server: RunningServer

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
}, 90_000)

afterAll(async () => {
  await server?.close()
  await stack?.close()
})

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = []
  const errors: string[] = []
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) }
}

test('watch prints the snapshot, every change and the completion, resuming after a dropped connection', async () => {
  const output = capture()
  const abort = new AbortController()
  const options = { url: server.url, token: stack.tokens.alice, json: true }
  const watching = watchCommand(stack.recordId, options, output, abort.signal)
  type Printed = { id: string; event: string; data: { name?: string; phase?: string; status?: string } }
  const printed = () => output.lines.map((line) => JSON.parse(line) as Printed)
  await eventually(() => (printed().some((event) => event.event === 'snapshot') ? true : undefined))
  const name = await startTestRun(stack.service, stack.recordId, {
    steps: { first: { seconds: 20 }, second: { seconds: 20 } },
  })
  const about = (event: Printed) => event.data.name === name
  await eventually(() => (printed().some((e) => about(e) && e.data.phase === 'Running') ? true : undefined))
  server.server.closeAllConnections()
  await eventually(() => (printed().some((e) => about(e) && e.event === 'completed') ? true : undefined))
  abort.abort()
  expect(await watching).toBe(0)
  expect(output.errors.some((line) => line.includes('reconnecting'))).toBe(true)
  // Resumed from its last event id: one snapshot only, and no event twice.
  expect(printed().filter((event) => event.event === 'snapshot')).toHaveLength(1)
  const ids = printed().map((event) => event.id)
  expect(new Set(ids).size).toBe(ids.length)
  expect(printed().filter(about).at(-1)).toEqual(
    expect.objectContaining({ event: 'completed', data: expect.objectContaining({ status: 'SUCCESS' }) }),
  )
})

test('logs --follow prints tagged lines until the step ends; refusals exit 1 with the problem', async () => {
  const name = await startTestRun(stack.service, stack.recordId, {
    steps: { compute: { seconds: 20, logLines: ['alpha', 'beta'] } },
  })
  const output = capture()
  const code = await logsCommand(
    name,
    { url: server.url, token: stack.tokens.alice, follow: true, step: 'compute' },
    output,
  )
  expect(code).toBe(0)
  expect(output.lines).toEqual(['[compute] alpha', '[compute] beta'])

  const refused = capture()
  expect(await logsCommand(name, { url: server.url, token: stack.tokens.bob }, refused)).toBe(1)
  expect(refused.errors.join('\n')).toMatch(/HTTP 403/)
})
