import { Watch, type KubeConfig } from '@kubernetes/client-node'

type WatchCallback = (phase: string, object: unknown, watchObject?: unknown) => void
type DoneCallback = (error: unknown) => void

/**
 * client-node's Watch, adjusted for ListWatch:
 * - asks for BOOKMARK events, so a quiet watch keeps a fresh resourceVersion to resume from;
 * - ends the watch on an in-stream ERROR event. An expired watch arrives as HTTP 200 with an ERROR
 *   event carrying Status 410; ListWatch then forgets its resourceVersion but waits for the server
 *   to close the stream. Ending it here makes the relist happen at once whatever the server does.
 * - reports every event, so the informer knows when it last heard from the server;
 * - sets a server-side timeout, so a watch ends cleanly now and then and resumes from its version;
 * - closes its request when the informer retires it, even one still connecting.
 */
export class BookmarkWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly onActivity: () => void,
    private readonly timeoutSeconds: number | (() => number),
    /** Aborted when the informer retires this watch's generation. */
    private readonly retired: AbortSignal,
  ) {
    super(config)
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: DoneCallback,
  ): Promise<AbortController> {
    let finished = false
    const closeRequest = () => void request.then((controller) => controller.abort())
    const doneOnce: DoneCallback = (error) => {
      if (finished) return
      finished = true
      this.retired.removeEventListener('abort', closeRequest)
      done(error)
    }
    const onEvent: WatchCallback = (phase, object, watchObject) => {
      if (finished) return
      this.onActivity()
      callback(phase, object, watchObject)
      if (phase !== 'ERROR') return
      const status = (object ?? {}) as { code?: number; message?: string }
      if (status.code === 410) {
        doneOnce(null)
      } else {
        doneOnce(Object.assign(new Error(status.message ?? 'watch error'), { statusCode: status.code }))
      }
      // Close our side too: ListWatch may not hold the request's controller yet.
      closeRequest()
    }
    const timeoutSeconds =
      typeof this.timeoutSeconds === 'function' ? this.timeoutSeconds() : this.timeoutSeconds
    const query = { ...queryParams, allowWatchBookmarks: true, timeoutSeconds }
    const request = super.watch(path, query, onEvent, doneOnce)
    // ListWatch.stop() aborts only a request it already holds; one still connecting would stay open.
    if (this.retired.aborted) closeRequest()
    else this.retired.addEventListener('abort', closeRequest, { once: true })
    return request
  }
}
