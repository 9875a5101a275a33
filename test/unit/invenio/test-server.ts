// A small programmable HTTP server standing in for Invenio in the client's unit tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  /** Raw path as sent, percent-encoding kept. */
  rawPath: string
  headers: IncomingMessage['headers']
  body: Buffer
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>

export interface TestServer {
  url: string
  seen: SeenRequest[]
  /** Handles `METHOD /raw/path` (exact raw path, no query string). */
  on(method: string, rawPath: string, handler: Handler): void
  close(): Promise<void>
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>()
  const seen: SeenRequest[] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const rawPath = (req.url ?? '/').split('?')[0]!
    seen.push({ method: req.method ?? 'GET', rawPath, headers: req.headers, body })
    const handler = routes.get(`${req.method} ${rawPath}`)
    if (!handler) return json(res, 404, { status: 404, message: 'The persistent identifier does not exist.' })
    try {
      await handler(req, res, body)
    } catch (error) {
      json(res, 500, { status: 500, message: String(error) })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    on: (method, rawPath, handler) => void routes.set(`${method} ${rawPath}`, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A draft and its files in the shape InvenioRDM/NRP answers with, links on `origin`. */
export function draftShape(origin: string, id = 'ab12c-3de45', prefix = '/api/experiments') {
  const base = `${origin}${prefix}/${id}`
  return {
    id,
    is_draft: true,
    is_published: false,
    metadata: { title: 'Test record' },
    links: {
      self: `${base}/draft`,
      files: `${base}/draft/files`,
      record: base,
      publish: `${base}/draft/actions/publish`,
    },
  }
}

export function fileEntryShape(filesUrl: string, key: string, overrides: Record<string, unknown> = {}) {
  const self = `${filesUrl}/${encodeURIComponent(key)}`
  return {
    key,
    status: 'completed',
    metadata: null,
    checksum: 'md5:00000000000000000000000000000000',
    size: 10,
    mimetype: 'application/octet-stream',
    storage_class: 'L',
    links: { self, content: `${self}/content`, commit: `${self}/commit` },
    ...overrides,
  }
}

export function collectingLogger() {
  const lines: string[] = []
  const log = (obj: object, msg?: string) => void lines.push(JSON.stringify({ ...obj, msg }))
  return { lines, logger: { debug: log, warn: log } }
}
