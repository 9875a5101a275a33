// A small EventSource for the command line: fetch + eventsource-parser, with a bearer token (which a
// browser EventSource cannot send), reconnecting with Last-Event-ID after a dropped stream.
import { createParser, type EventSourceMessage } from 'eventsource-parser'

export interface FollowOptions {
  url: string
  token?: string
  /** Called for every event; return 'stop' to end following. */
  onEvent(event: EventSourceMessage): void | 'stop'
  /** Told about reconnects, so the user knows why the output paused. */
  onReconnect?(reason: string, delayMs: number): void
  signal?: AbortSignal
  lastEventId?: string
  /** Consecutive failed connections before giving up (default 10). */
  maxFailures?: number
  fetch?: typeof fetch
}

/** The server refused the request for good (4xx): reconnecting would not help. */
export class StreamRefusedError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail)
    this.name = 'StreamRefusedError'
  }
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {}
}

/** Follows the stream until onEvent says stop, the signal aborts, or the server refuses. */
export async function followEvents(options: FollowOptions): Promise<void> {
  const doFetch = options.fetch ?? fetch
  let lastEventId = options.lastEventId
  let retryMs = 2_000
  let failures = 0
  const maxFailures = options.maxFailures ?? 10
  for (;;) {
    if (options.signal?.aborted) return
    let stopped = false
    let reason = 'the stream ended'
    try {
      const response = await doFetch(options.url, {
        headers: {
          Accept: 'text/event-stream',
          ...authHeaders(options.token),
          ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
        },
        signal: options.signal,
      })
      if (response.status >= 400 && response.status < 500)
        throw new StreamRefusedError(response.status, await problemDetail(response))
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      failures = 0
      const parser = createParser({
        onEvent: (event) => {
          if (event.id) lastEventId = event.id
          if (event.event === 'overflow') reason = 'the client fell behind'
          if (options.onEvent(event) === 'stop') stopped = true
        },
        onRetry: (ms) => (retryMs = ms),
      })
      const decoder = new TextDecoder()
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }))
        if (stopped) return
      }
    } catch (error) {
      if (error instanceof StreamRefusedError) throw error
      if (options.signal?.aborted) return
      if (++failures >= maxFailures) throw error
      reason = error instanceof Error ? error.message : String(error)
    }
    if (stopped) return
    const delayMs = Math.min(30_000, retryMs * Math.max(1, failures))
    options.onReconnect?.(reason, delayMs)
    await new Promise((resolve) => setTimeout(resolve, delayMs))
  }
}

export async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string }
    return `HTTP ${response.status}: ${problem.detail ?? problem.title ?? text}`
  } catch {
    return `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`
  }
}

export interface ConnectionOptions {
  url: string
  token?: string
}

/** --url and --token, with the token from FILEPROCESSOR_TOKEN when not given. */
export function connectionOf(
  options: { url?: string; token?: string },
  env = process.env,
): ConnectionOptions {
  return {
    url: (options.url ?? 'http://localhost:8080').replace(/\/+$/, ''),
    token: options.token ?? env.FILEPROCESSOR_TOKEN,
  }
}
