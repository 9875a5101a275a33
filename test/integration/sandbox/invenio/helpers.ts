import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FileLinks {
  self: string
  content: string
  commit: string
}

export async function getJson(
  url: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers }
}

export async function send(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {}
  let payload: Uint8Array<ArrayBuffer> | string | undefined
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    headers['Content-Type'] = 'application/octet-stream'
    payload = typeof body === 'string' ? body : new Uint8Array(body)
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const response = await fetch(url, { method, headers, body: payload })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : {} }
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders
  body: string
}

/** A stand-in for the service's webhook endpoint that records what it receives. */
export async function startHookReceiver(
  answer: () => number = () => 202,
): Promise<{ url: string; received: ReceivedHook[]; close(): Promise<void> }> {
  const received: ReceivedHook[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(answer()).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/api/v1/events/invenio`,
    received,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      return closed
    },
  }
}
