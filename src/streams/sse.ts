// One server-sent-events response: headers that keep proxies from buffering or compressing, event
// framing, heartbeat comments, and a bound on what may pile up for a client that cannot keep up (it
// is closed with a final `overflow` event instead). Cleanup hangs on res 'close', which fires when
// the client goes away or the response ends (req 'close' fires when the request body is read).
import type { ServerResponse } from 'node:http'

export interface SseEvent {
  id?: string
  event?: string
  /** Already serialized; newlines are framed as several data lines. */
  data: string
}

export interface SseOptions {
  /** Comment sent this often so proxies and clients know the stream is alive (default 15 s). */
  heartbeatMs?: number
  /** Bytes allowed to wait in the socket's buffer before the client is given up (default 1 MiB). */
  maxBufferedBytes?: number
  /** EventSource reconnect delay suggested to the client (default 2 s). */
  retryMs?: number
}

export const DEFAULT_HEARTBEAT_MS = 15_000
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024

export function formatEvent(event: SseEvent): string {
  let text = ''
  if (event.id !== undefined) text += `id: ${event.id}\n`
  if (event.event !== undefined) text += `event: ${event.event}\n`
  for (const line of event.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`
  return `${text}\n`
}

// Open streams per express app (one per service instance), so shutdown can end them with a final event.
const openStreams = new WeakMap<object, Set<SseConnection>>()

/** Ends every open stream of this app with `final` (shutdown: clients reconnect to another replica). */
export function closeOpenStreams(app: object, final: SseEvent): number {
  const streams = [...(openStreams.get(app) ?? [])]
  for (const stream of streams) stream.close(final)
  return streams.length
}

export class SseConnection {
  private heartbeat: NodeJS.Timeout | undefined
  private readonly closeHandlers: Array<() => void> = []
  private ended = false
  private readonly maxBufferedBytes: number

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES
    res.once('close', () => this.dispose())
    // express sets res.app; a bare ServerResponse (unit tests) is simply not tracked.
    const app = (res as { app?: object }).app
    if (app) {
      let streams = openStreams.get(app)
      if (!streams) openStreams.set(app, (streams = new Set()))
      streams.add(this)
      this.onClose(() => streams.delete(this))
    }
  }

  /** Sends the headers and starts the heartbeat. */
  open(): void {
    const { res } = this
    res.statusCode = 200
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
    res.setHeader('Cache-Control', 'no-cache, no-transform')
    res.setHeader('X-Accel-Buffering', 'no')
    res.setHeader('Connection', 'keep-alive')
    res.flushHeaders()
    // Disable Nagle so small events are not held back.
    res.socket?.setNoDelay(true)
    this.write(`retry: ${this.options.retryMs ?? 2000}\n: connected\n\n`)
    this.heartbeat = setInterval(
      () => this.write(': heartbeat\n\n'),
      this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    )
    this.heartbeat.unref()
  }

  get closed(): boolean {
    return this.ended
  }

  /** Runs when the connection closes, for whatever reason (once). */
  onClose(handler: () => void): void {
    if (this.ended) handler()
    else this.closeHandlers.push(handler)
  }

  /** Writes an event; false when the connection is closed (or has just been closed for overflow). */
  send(event: SseEvent): boolean {
    return this.write(formatEvent(event))
  }

  /** Writes an event framed once for many clients (see formatEvent). */
  sendFrame(frame: Buffer): boolean {
    return this.write(frame)
  }

  /** Ends the stream, optionally with a last event. */
  close(final?: SseEvent): void {
    if (this.ended) return
    if (final) this.res.write(formatEvent(final))
    this.res.end()
    this.dispose()
  }

  private write(text: string | Buffer): boolean {
    if (this.ended) return false
    this.res.write(text)
    if (this.res.writableLength > this.maxBufferedBytes) {
      this.close({
        event: 'overflow',
        data: JSON.stringify({ reason: 'the client did not keep up; reconnect with Last-Event-ID' }),
      })
      // A client that reads nothing never drains the final event either: cut it after a moment.
      const res = this.res
      setTimeout(() => res.destroy(), 1_000).unref()
      return false
    }
    return true
  }

  private dispose(): void {
    if (this.ended && !this.closeHandlers.length && this.heartbeat === undefined) return
    this.ended = true
    clearInterval(this.heartbeat)
    this.heartbeat = undefined
    for (const handler of this.closeHandlers.splice(0)) {
      try {
        handler()
      } catch {
        // A failing cleanup must not keep the others from running.
      }
    }
  }
}
