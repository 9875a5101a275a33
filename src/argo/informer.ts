import { ListWatch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node'
import type { Logger } from 'pino'
import type { ArgoClient } from './argo-client.js'
import { backoffDelay, type BackoffOptions } from './backoff.js'
import { BookmarkWatch } from './bookmark-watch.js'
import { ARGO_GROUP, ARGO_VERSION, MANAGED_BY_SELECTOR, WORKFLOW_PLURAL } from './labels.js'
import type { Workflow } from './types.js'
import { WorkflowCache, type WorkflowEvent, type WorkflowListener } from './workflow-cache.js'

export interface WorkflowInformerOptions {
  client: ArgoClient
  logger: Logger
  labelSelector?: string
  /** Full relist this often, to repair anything a watch could have missed (default 5 min). */
  resyncIntervalMs?: number
  /** Restart delays after errors (default 500 ms doubling to 30 s, with jitter). */
  backoff?: Partial<BackoffOptions>
  /** Cap on ListWatch's own delay before re-watching after a server-side close (default 1 s). */
  rewatchDelayMaxMs?: number
  /** Server-side timeout of each watch; default 5 to 10 min at random, as client-go does. */
  watchTimeoutSeconds?: number
}

export interface InformerStats {
  relists: number
  restarts: number
  lastSyncAt: Date | null
  /** Time since the server last told us anything (an event, a bookmark or a list). */
  lagMs: number | null
  objects: number
  watching: boolean
}

// ListWatch wants client-node's object type; ours is Argo's Workflow, so cast at this border only.
type WorkflowList = KubernetesListObject<KubernetesObject>
const asWorkflow = (object: KubernetesObject) => object as unknown as Workflow

/**
 * One shared cache of the service's Workflows in a namespace. client-node's ListWatch does the
 * list+watch; this wraps it with what it lacks: restart with backoff after errors (ListWatch stops
 * for good on them), a periodic full relist, bookmarks, and events computed from our own cache so
 * they arrive in order, carry the old object, and a relist never repeats or loses a change.
 * Each (re)start is a new "generation" with a fresh ListWatch; late callbacks of older ones are ignored.
 */
export class WorkflowInformer {
  private readonly cache: WorkflowCache
  private readonly client: ArgoClient
  private readonly logger: Logger
  private readonly labelSelector: string
  private readonly resyncIntervalMs: number
  private readonly backoff: BackoffOptions
  private readonly rewatchDelayMaxMs: number
  private readonly watchTimeoutSeconds: (() => number) | number
  private readonly path: string

  private generation = 0
  private running = false
  private listWatch: ListWatch<KubernetesObject> | undefined
  private generationAbort: AbortController | undefined
  private restartTimer: NodeJS.Timeout | undefined
  private resyncTimer: NodeJS.Timeout | undefined
  private failures = 0
  private hasSynced = false
  private generationListed = false
  private syncWaiters: Array<() => void> = []
  private counters = { relists: 0, restarts: 0 }
  private lastSyncAt: Date | null = null
  private lastHeardAt: number | null = null

  constructor(options: WorkflowInformerOptions) {
    this.client = options.client
    this.logger = options.logger
    this.cache = new WorkflowCache(options.logger)
    this.labelSelector = options.labelSelector ?? MANAGED_BY_SELECTOR
    this.resyncIntervalMs = options.resyncIntervalMs ?? 5 * 60_000
    this.backoff = { initialMs: 500, maxMs: 30_000, ...options.backoff }
    this.rewatchDelayMaxMs = options.rewatchDelayMaxMs ?? 1_000
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? (() => Math.round(300 * (1 + Math.random())))
    const namespace = encodeURIComponent(options.client.namespace)
    this.path = `/apis/${ARGO_GROUP}/${ARGO_VERSION}/namespaces/${namespace}/${WORKFLOW_PLURAL}`
  }

  /** Starts listing and watching; resolves after the first attempt (see whenSynced for the data). */
  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    this.resyncTimer = setInterval(() => this.resync(), this.resyncIntervalMs)
    this.resyncTimer.unref()
    await this.connect()
  }

  async stop(): Promise<void> {
    this.running = false
    clearInterval(this.resyncTimer)
    clearTimeout(this.restartTimer)
    await this.retire()
  }

  /** True once a first full list has been applied. */
  synced(): boolean {
    return this.hasSynced
  }

  /** Resolves once synced (at once when already). */
  whenSynced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve()
    return new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  get(name: string): Workflow | undefined {
    return this.cache.get(name)
  }

  list(): Workflow[] {
    return this.cache.list()
  }

  byRecord(recordId: string): Workflow[] {
    return this.cache.byRecord(recordId)
  }

  on(event: WorkflowEvent, listener: WorkflowListener): () => void {
    return this.cache.on(event, listener)
  }

  off(event: WorkflowEvent, listener: WorkflowListener): void {
    this.cache.off(event, listener)
  }

  stats(): InformerStats {
    return {
      ...this.counters,
      lastSyncAt: this.lastSyncAt,
      lagMs: this.lastHeardAt === null ? null : Date.now() - this.lastHeardAt,
      objects: this.cache.size,
      watching: this.listWatch !== undefined && this.restartTimer === undefined,
    }
  }

  /** Forces a full relist now (also what the periodic resync does). */
  resync(): void {
    // Not while a (re)start is under way: relisting again before a list lands would never land one.
    if (!this.running || this.restartTimer || !this.generationListed) return
    void this.connect()
  }

  private async retire(): Promise<void> {
    this.generation++
    this.generationAbort?.abort()
    const old = this.listWatch
    this.listWatch = undefined
    await old?.stop()
  }

  private async connect(): Promise<void> {
    await this.retire()
    if (!this.running) return
    const generation = this.generation
    this.generationListed = false
    const abort = new AbortController()
    this.generationAbort = abort
    const current = () => generation === this.generation && this.running

    const watch = new BookmarkWatch(
      this.client.kubeConfig,
      () => {
        // The server is talking to us again: the next failure starts the backoff afresh.
        this.lastHeardAt = Date.now()
        if (current()) this.failures = 0
      },
      this.watchTimeoutSeconds,
      abort.signal,
    )
    const listWatch = new ListWatch<KubernetesObject>(
      this.path,
      watch,
      () => this.listAndApply(current),
      false,
      this.labelSelector,
      undefined,
      { delayFn: (ms) => this.rewatchDelay(ms, abort.signal) },
    )
    listWatch.on('add', (object) => current() && this.cache.upsert(asWorkflow(object)))
    listWatch.on('update', (object) => current() && this.cache.upsert(asWorkflow(object)))
    listWatch.on(
      'delete',
      (object) => current() && this.cache.remove(object.metadata?.name ?? '', asWorkflow(object)),
    )
    listWatch.on('error', (error) => current() && this.failed(error))
    this.listWatch = listWatch
    await listWatch.start().catch((error: unknown) => current() && this.failed(error))
  }

  /** ListWatch's list function: we apply the list ourselves, so deletions are computed against our cache. */
  private async listAndApply(current: () => boolean): Promise<WorkflowList> {
    const { items, resourceVersion } = await this.client.listWorkflowsWithVersion(this.labelSelector)
    if (current()) {
      this.generationListed = true
      this.cache.replaceAll(items)
      this.counters.relists++
      this.failures = 0
      this.lastSyncAt = new Date()
      this.lastHeardAt = Date.now()
      this.markSynced()
    }
    return { items: items as unknown as KubernetesObject[], metadata: { resourceVersion } }
  }

  private markSynced(): void {
    if (this.hasSynced) return
    this.hasSynced = true
    for (const resolve of this.syncWaiters.splice(0)) resolve()
  }

  // ListWatch waits before re-watching after each server-side close and grows that wait up to 30 s
  // on quiet watches; cap it. A retired generation's wait never ends, so it never opens a new watch.
  private rewatchDelay(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return
      const timer = setTimeout(resolve, Math.min(ms, this.rewatchDelayMaxMs))
      timer.unref()
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true })
    })
  }

  // Restarting the same ListWatch resumes the watch from its last resourceVersion, as client-go's
  // reflector does; when that version has expired the server answers 410 and ListWatch relists.
  private failed(error: unknown): void {
    this.failures++
    const delayMs = backoffDelay(this.failures, this.backoff)
    const detail = error instanceof Error ? error.message : String(error)
    this.logger.warn(
      { failures: this.failures, delayMs, error: detail },
      'workflow informer failed; restarting',
    )
    const listWatch = this.listWatch
    clearTimeout(this.restartTimer)
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined
      if (!this.running || listWatch !== this.listWatch || !listWatch) return
      this.counters.restarts++
      listWatch.start().catch((startError: unknown) => this.failed(startError))
    }, delayMs)
    this.restartTimer.unref()
  }
}
