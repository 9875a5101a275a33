// Starts the HTTP server with timeouts that keep slow clients from holding sockets forever, and
// closes it gracefully: stop accepting, drop idle keep-alive sockets, give in-flight requests (and
// open event streams) a grace period, then cut whatever is left.
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ServerOptions {
  host: string
  /** 0 picks a free port (tests). */
  port: number
  /** Longest time to receive a whole request (not to answer it: streams stay open). */
  requestTimeoutMs: number
  /** Longest time to receive the request headers; at most requestTimeoutMs. */
  headersTimeoutMs: number
  /** How long an idle keep-alive socket is kept; longer than any proxy's idle timeout in front. */
  keepAliveTimeoutMs?: number
  /** How long close() waits for in-flight requests before cutting their sockets. */
  shutdownGraceMs?: number
}

export interface RunningServer {
  server: Server
  url: string
  close(): Promise<void>
}

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000

export function formatUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

export async function startServer(app: RequestListener, opts: ServerOptions): Promise<RunningServer> {
  if (opts.requestTimeoutMs > 0 && opts.headersTimeoutMs > opts.requestTimeoutMs) {
    throw new Error(
      `headersTimeoutMs (${opts.headersTimeoutMs}) must not exceed requestTimeoutMs (${opts.requestTimeoutMs})`,
    )
  }
  const server = createServer(app)
  server.requestTimeout = opts.requestTimeoutMs
  server.headersTimeout = opts.headersTimeoutMs
  server.keepAliveTimeout = opts.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError)
      resolve()
    })
  })

  const url = formatUrl(server.address() as AddressInfo)
  const graceMs = opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
  let closing: Promise<void> | undefined

  const close = () => {
    closing ??= new Promise<void>((resolve, reject) => {
      const forceTimer = setTimeout(() => server.closeAllConnections(), graceMs)
      // A keep-alive socket whose request finishes after close() began turns idle later: sweep.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100)
      forceTimer.unref()
      idleSweep.unref()
      server.close((error) => {
        clearTimeout(forceTimer)
        clearInterval(idleSweep)
        if (error) reject(error)
        else resolve()
      })
      server.closeIdleConnections()
    })
    return closing
  }

  return { server, url, close }
}
