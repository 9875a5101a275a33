// One EventSource kept alive: the browser reconnects on its own with Last-Event-ID; when it gives up
// (the signed URL expired, the service answered an error) a fresh URL is minted with `lastEventId`
// and the stream resumes, backing off while the service stays away.

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'failed'

export interface LiveStreamOptions {
  /** A signed stream URL; extra query parameters are appended by the stream itself. */
  mint: () => Promise<string>
  /** Query parameters besides `sig` and `lastEventId` (`follow=true`, `step=…`). */
  params?: Record<string, string>
  /** Event names to listen to. */
  events: readonly string[]
  /** Events after which the stream is over (log follow's `end`): no reconnect. */
  finalEvents?: readonly string[]
  onEvent: (name: string, data: string) => void
  onState: (state: StreamState, error?: unknown) => void
  /** Errors from minting that mean "stop trying" (no access, session ended). */
  isFatal?: (error: unknown) => boolean
}

const MAX_BACKOFF_MS = 30_000

export class LiveStream {
  private source: EventSource | null = null
  private lastEventId: string | null = null
  private stopped = false
  private failures = 0
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: LiveStreamOptions) {}

  start(): void {
    this.options.onState('connecting')
    void this.connect()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.source?.close()
    this.source = null
  }

  private async connect(): Promise<void> {
    let url: URL
    try {
      url = new URL(await this.options.mint())
    } catch (error) {
      if (this.stopped) return
      if (this.options.isFatal?.(error)) {
        this.options.onState('failed', error)
        return
      }
      this.options.onState('reconnecting', error)
      this.retryLater()
      return
    }
    if (this.stopped) return
    for (const [name, value] of Object.entries(this.options.params ?? {})) url.searchParams.set(name, value)
    if (this.lastEventId) url.searchParams.set('lastEventId', this.lastEventId)
    const source = new EventSource(url.href)
    this.source = source
    source.onopen = () => {
      this.failures = 0
      this.options.onState('open')
    }
    for (const name of this.options.events) {
      source.addEventListener(name, (event) => {
        const message = event as MessageEvent<string>
        if (message.lastEventId) this.lastEventId = message.lastEventId
        this.options.onEvent(name, message.data)
        if (this.options.finalEvents?.includes(name)) {
          source.close()
          this.options.onState('ended')
        }
      })
    }
    source.onerror = () => {
      if (this.stopped || source !== this.source) return
      this.options.onState('reconnecting')
      // CONNECTING: the browser retries by itself, sending Last-Event-ID. CLOSED: it gave up.
      if (source.readyState === EventSource.CLOSED) {
        source.close()
        this.retryLater()
      }
    }
  }

  private retryLater(): void {
    this.failures += 1
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.failures - 1, 5))
    this.timer = setTimeout(() => void this.connect(), delay)
  }
}
