// SSE framing, heartbeats and the bound on a client that does not read.
import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { formatEvent, SseConnection } from '../../../src/streams/sse.js'

/** A response whose socket never drains: everything written stays buffered. */
class StuckResponse extends EventEmitter {
  statusCode = 0
  headers: Record<string, string> = {}
  written: string[] = []
  writableLength = 0
  ended = false
  destroyed = false
  socket = { setNoDelay: () => {} }
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value
  }
  flushHeaders() {}
  write(text: string) {
    this.written.push(text)
    this.writableLength += Buffer.byteLength(text)
    return false
  }
  end() {
    this.ended = true
    this.emit('close')
  }
  destroy() {
    this.destroyed = true
  }
}

test('events are framed with id, event and one data line per line', () => {
  expect(formatEvent({ id: 'e-1', event: 'workflow', data: 'a\nb' })).toBe(
    'id: e-1\nevent: workflow\ndata: a\ndata: b\n\n',
  )
})

test('a client that does not keep up is closed with a final overflow event', () => {
  const res = new StuckResponse()
  const connection = new SseConnection(res as unknown as ServerResponse, {
    maxBufferedBytes: 1000,
    heartbeatMs: 60_000,
  })
  let closed = 0
  connection.onClose(() => closed++)
  connection.open()
  expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
  expect(res.headers['x-accel-buffering']).toBe('no')
  let sent = 0
  while (connection.send({ id: String(sent), event: 'workflow', data: 'x'.repeat(100) })) sent++
  expect(sent).toBeLessThan(11)
  expect(res.ended).toBe(true)
  expect(res.written.at(-1)).toContain('event: overflow')
  expect(closed).toBe(1)
  expect(connection.send({ data: 'late' })).toBe(false)
})

test('heartbeat comments go out on the interval and stop at close', async () => {
  const res = new StuckResponse()
  const connection = new SseConnection(res as unknown as ServerResponse, { heartbeatMs: 10 })
  connection.open()
  await new Promise((resolve) => setTimeout(resolve, 60))
  expect(res.written.filter((text) => text === ': heartbeat\n\n').length).toBeGreaterThan(0)
  connection.close()
  const count = res.written.length
  await new Promise((resolve) => setTimeout(resolve, 40))
  expect(res.written.length).toBe(count)
})
