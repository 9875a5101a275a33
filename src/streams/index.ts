// Server-sent event streams: the hub (one informer fanned out to every client) and SSE framing.
export * from './hub.js'
export * from './sse.js'
export * from './run-events.js'
export * from './record-stream.js'
export * from './log-stream.js'
export * from './live.js'
export * from './snapshot.js'
