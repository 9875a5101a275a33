// Watch streams with the real server's resourceVersion semantics: unset/"0" replays the current
// objects as ADDED, a version resumes after it, a compacted one gets an in-stream ERROR 410 (HTTP 200).
import type { ServerResponse } from 'node:http'
import type { KubeObject } from '../types.js'
import { ApiError, badRequest, isApiError } from './errors.js'
import type { FaultInjector } from './faults.js'
import type { Matcher } from './selectors.js'
import type { MemoryStore, StoredEvent } from './store.js'
import { apiVersionOf, type ResourceInfo } from './resources.js'

export interface WatchRequest {
  store: MemoryStore
  faults: FaultInjector
  info: ResourceInfo
  namespace: string | undefined
  matches: Matcher
  query: URLSearchParams
  bookmarkIntervalMs: number
}

type WireEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown }

export function serveWatch(res: ServerResponse, watch: WatchRequest): void {
  const { store, info, namespace, matches, query } = watch
  const requested = query.get('resourceVersion') ?? ''
  if (requested !== '' && !/^\d+$/.test(requested)) {
    throw badRequest(`resourceVersion: Invalid value: "${requested}": must be a non-negative integer`)
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders()

  let closed = false
  const cleanups: (() => void)[] = []
  const finish = () => {
    if (closed) return
    closed = true
    for (const cleanup of cleanups) cleanup()
    res.end()
  }
  const send = (event: WireEvent) => {
    if (!closed) res.write(`${JSON.stringify(event)}\n`)
  }
  const inScope = (object: KubeObject) =>
    info.namespaced && namespace !== undefined ? object.metadata.namespace === namespace : true
  const selected = (object: KubeObject | undefined) => !!object && inScope(object) && matches(object)

  const relay = (event: StoredEvent) => {
    if (event.resource !== info.resource) return
    const now = selected(event.object)
    const before = event.type === 'MODIFIED' ? selected(event.previous) : now
    let type: WireEvent['type'] | undefined = event.type
    let object = event.object
    // An object that moves into or out of a filtered watch appears or disappears, as in the watch cache;
    // one that leaves is sent as the watch last matched it, at the version that moved it out.
    if (event.type === 'MODIFIED' && now && !before) type = 'ADDED'
    else if (event.type === 'MODIFIED' && !now && before && event.previous) {
      type = 'DELETED'
      object = structuredClone(event.previous)
      object.metadata.resourceVersion = event.object.metadata.resourceVersion
    } else if (!now) type = undefined
    if (type) send({ type, object })
  }

  let backlog: StoredEvent[] = []
  try {
    if (requested === '' || requested === '0') {
      for (const object of store.list(info.resource, namespace)) {
        if (selected(object)) send({ type: 'ADDED', object: object })
      }
    } else {
      backlog = store.eventsSince(Number(requested))
    }
  } catch (error) {
    if (!isApiError(error)) throw error
    send({ type: 'ERROR', object: (error as ApiError).status })
    finish()
    return
  }
  for (const event of backlog) relay(event)
  cleanups.push(store.subscribeStored(relay))

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0')
  if (flagSet(query.get('allowWatchBookmarks'))) {
    const bookmark = () =>
      send({
        type: 'BOOKMARK',
        object: {
          kind: info.kind,
          apiVersion: apiVersionOf(info),
          metadata: { resourceVersion: store.resourceVersion() },
        },
      })
    const timer = setInterval(bookmark, watch.bookmarkIntervalMs)
    cleanups.push(() => clearInterval(timer))
    // As the watch cache does: one bookmark 2 s before the timeout, so the client resumes from close by.
    if (timeoutSeconds > 0) {
      const beforeTimeout = setTimeout(bookmark, Math.max(0, timeoutSeconds * 1000 - 2000))
      cleanups.push(() => clearTimeout(beforeTimeout))
    }
  }
  if (timeoutSeconds > 0) {
    const timer = setTimeout(finish, timeoutSeconds * 1000)
    cleanups.push(() => clearTimeout(timer))
  }
  cleanups.push(
    watch.faults.trackWatch(() => {
      closed = true
      for (const cleanup of cleanups) cleanup()
      res.destroy()
    }),
  )
  res.on('close', finish)
}

function flagSet(value: string | null): boolean {
  return value === 'true' || value === '1'
}
