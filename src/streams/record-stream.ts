// Serves one client's record event stream: resume from the replay buffer or start with a snapshot,
// then live events. Events that arrive while the snapshot is being built wait behind it, so the
// client sees snapshot, then every later change, each once.
import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { HubEvent, StreamHub } from './hub.js'
import { SseConnection, type SseOptions } from './sse.js'

export interface RecordStreamOptions {
  hub: StreamHub
  /** The record's runs as the snapshot event carries them. */
  snapshot: (recordId: string) => Promise<unknown>
  logger: Logger
  sse?: SseOptions
  /** Live events that may wait behind a snapshot being built (default 1,000). */
  maxQueued?: number
}

export async function serveRecordStream(
  res: ServerResponse,
  recordId: string,
  lastEventId: string | undefined,
  options: RecordStreamOptions,
): Promise<void> {
  const connection = new SseConnection(res, options.sse)
  connection.open()
  let queue: HubEvent[] | null = []
  const maxQueued = options.maxQueued ?? 1_000
  const send = (event: HubEvent) => connection.sendFrame(event.frame)
  const subscription = options.hub.subscribe(recordId, lastEventId, (event) => {
    if (queue === null) send(event)
    else if (queue.length < maxQueued) queue.push(event)
    else connection.close({ event: 'overflow', data: JSON.stringify({ reason: 'too many changes at once' }) })
  })
  connection.onClose(() => subscription.close())

  if (subscription.replay) {
    for (const event of subscription.replay) send(event)
  } else {
    let runs: unknown
    try {
      runs = await options.snapshot(recordId)
    } catch (error) {
      options.logger.warn({ err: error, recordId }, 'record stream snapshot failed')
      // EventSource reconnects after an ended stream; the next attempt builds a new snapshot.
      connection.close({
        event: 'error',
        data: JSON.stringify({ reason: 'the snapshot could not be built' }),
      })
      return
    }
    if (connection.closed) return
    connection.send({
      id: subscription.position,
      event: 'snapshot',
      data: JSON.stringify({ recordId, runs }),
    })
  }
  const waiting = queue
  queue = null
  for (const event of waiting) send(event)
}
