import { Agent, request as httpRequest } from 'node:http'
import { startServer, type RunningServer } from '../../../src/http/server.js'
import { createTestApp } from './helpers.js'

function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
      .on('error', reject)
      .end()
  })
}

describe('startServer', () => {
  let running: RunningServer | undefined

  afterEach(async () => {
    await running?.close()
    running = undefined
  })

  test('listens on a free port, applies the timeouts and serves the app', async () => {
    const { app } = createTestApp()
    running = await startServer(app, {
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 7_000,
    })
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(running.server.requestTimeout).toBe(30_000)
    expect(running.server.headersTimeout).toBe(10_000)
    expect(running.server.keepAliveTimeout).toBe(7_000)

    const res = await fetch(`${running.url}/api/v1/health/liveness`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'up' })
  })

  test('close() stops accepting and ends idle keep-alive sockets', async () => {
    const { app } = createTestApp()
    // A keep-alive timeout far beyond the test timeout: close() must not wait for it.
    running = await startServer(app, {
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 600_000,
    })
    const agent = new Agent({ keepAlive: true })
    const closedSockets: Promise<void>[] = []
    agent.on('free', (socket) => {
      closedSockets.push(new Promise((resolve) => socket.once('close', () => resolve())))
    })
    const url = running.url
    expect((await get(`${url}/api/v1/health/liveness`, agent)).status).toBe(200)
    expect(closedSockets).toHaveLength(1)

    await running.close()
    running = undefined
    await Promise.all(closedSockets)
    await expect(fetch(`${url}/api/v1/health/liveness`)).rejects.toThrow()
    agent.destroy()
  })

  test('refuses a headers timeout longer than the request timeout', async () => {
    const { app } = createTestApp()
    await expect(
      startServer(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 1_000, headersTimeoutMs: 5_000 }),
    ).rejects.toThrow(/headersTimeoutMs/)
  })
})
