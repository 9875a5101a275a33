// The outcome recorder (DESIGN.md "Data"): when a run reaches a terminal phase, its outcome row is
// written (write-once, keyed by run and attempt), and only then is the service's finalizer removed,
// so Argo's ttlStrategy cannot delete a run whose outcome is not kept. Every replica does this; the
// database lets exactly one insert win, and that replica alone queues the notifications.
import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import {
  isTerminal,
  OUTCOME_FINALIZER,
  phaseOf,
  type ArgoClient,
  type Workflow,
  type WorkflowInformer,
} from '../argo/index.js'
import {
  findRunByName,
  insertOutcome,
  type Database,
  type InputJsonObject,
  type OutcomeRow,
} from '../db/index.js'
import type { Notifier } from './notify.js'
import { attemptOf, runResultsOf } from './outcome-results.js'

export interface OutcomeRecorderOptions {
  db: Pick<Database, 'prisma'>
  informer: Pick<WorkflowInformer, 'on' | 'list' | 'whenSynced'>
  argo: Pick<ArgoClient, 'removeFinalizer'>
  logger: Logger
  notifier?: Notifier
  /** Told of each outcome this replica inserted (metrics). */
  onFinished?: (type: string, phase: string) => void
  finalizer?: string
  /** Retries of a failed recording (database or cluster down) before leaving it to the next sweep. */
  retryDelaysMs?: readonly number[]
  /** How often every cached terminal Workflow still holding the finalizer is looked at (default 5 min). */
  sweepIntervalMs?: number
}

export type RecordResult =
  | { kind: 'skipped'; reason: 'not-terminal' | 'already-recorded' | 'in-flight' }
  | { kind: 'recorded'; outcome: OutcomeRow; inserted: boolean; finalizerRemoved: boolean }
  | { kind: 'no-run'; finalizerRemoved: boolean }

export interface OutcomeRecorderStats {
  inserted: number
  alreadyStored: number
  finalizersRemoved: number
  failures: number
}

export class OutcomeRecorder {
  private readonly finalizer: string
  private readonly retryDelaysMs: readonly number[]
  // Runs this process has recorded (bounded: forgetting one only costs a no-op insert later).
  private readonly recorded = new LRUCache<string, true>({ max: 100_000 })
  private readonly inFlight = new Map<string, Promise<RecordResult>>()
  private readonly retryTimers = new Set<NodeJS.Timeout>()
  private readonly counters = { inserted: 0, alreadyStored: 0, finalizersRemoved: 0, failures: 0 }
  private unsubscribe: Array<() => void> = []
  private sweepTimer: NodeJS.Timeout | undefined
  private running = false

  constructor(private readonly options: OutcomeRecorderOptions) {
    this.finalizer = options.finalizer ?? OUTCOME_FINALIZER
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 5_000, 30_000]
  }

  /** Listens to the informer and, once it has synced, sweeps what ended while the service was away. */
  start(): void {
    if (this.running) return
    this.running = true
    const onChange = (workflow: Workflow) => this.consider(workflow)
    this.unsubscribe = [
      this.options.informer.on('add', onChange),
      this.options.informer.on('update', onChange),
    ]
    void this.options.informer.whenSynced().then(async () => {
      if (this.running) await this.sweep()
    })
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 5 * 60_000)
    this.sweepTimer.unref()
  }

  async stop(): Promise<void> {
    this.running = false
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe()
    clearInterval(this.sweepTimer)
    for (const timer of this.retryTimers) clearTimeout(timer)
    this.retryTimers.clear()
    await Promise.allSettled([...this.inFlight.values()])
  }

  stats(): OutcomeRecorderStats {
    return { ...this.counters }
  }

  /** Records every cached terminal Workflow that still holds the finalizer. Resolves when all are done. */
  async sweep(): Promise<void> {
    const holding = this.options.informer
      .list()
      .filter((workflow) => isTerminal(phaseOf(workflow)) && this.holdsFinalizer(workflow))
    await Promise.allSettled(holding.map((workflow) => this.record(workflow, { force: true })))
  }

  /**
   * Writes the outcome of a terminal Workflow (once per run and attempt in this process unless
   * forced), then removes the finalizer. Throws when the database or the cluster fails.
   */
  record(workflow: Workflow, options: { force?: boolean } = {}): Promise<RecordResult> {
    if (!isTerminal(phaseOf(workflow))) return Promise.resolve({ kind: 'skipped', reason: 'not-terminal' })
    const key = keyOf(workflow)
    const pending = this.inFlight.get(key)
    if (pending) return pending
    if (this.recorded.has(key) && !options.force && !this.holdsFinalizer(workflow))
      return Promise.resolve({ kind: 'skipped', reason: 'already-recorded' })
    const work = this.write(workflow).finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, work)
    return work
  }

  private consider(workflow: Workflow, retry = 0): void {
    if (!this.running || !isTerminal(phaseOf(workflow))) return
    // Without the finalizer the outcome is already kept (it goes only after the row is written; a
    // retry in place puts it back), so the many updates of finished runs cost no query.
    if (!this.holdsFinalizer(workflow)) return
    this.record(workflow).catch((error: unknown) => {
      this.counters.failures++
      const delayMs = this.retryDelaysMs[retry]
      this.options.logger.warn(
        { err: error, workflow: workflow.metadata.name, retryInMs: delayMs },
        'recording a run outcome failed',
      )
      if (delayMs === undefined || !this.running) return
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer)
        this.consider(workflow, retry + 1)
      }, delayMs)
      timer.unref()
      this.retryTimers.add(timer)
    })
  }

  private holdsFinalizer(workflow: Workflow): boolean {
    return workflow.metadata.finalizers?.includes(this.finalizer) ?? false
  }

  private async write(workflow: Workflow): Promise<RecordResult> {
    const name = workflow.metadata.name ?? ''
    const { prisma } = this.options.db
    const run = await findRunByName(prisma, name)
    if (!run) {
      // Nothing to keep the outcome against (the row is written before the Workflow is created, so
      // this is a Workflow the database never knew): holding the finalizer would only block GC.
      this.options.logger.warn(
        { workflow: name },
        'finished Workflow has no run row; releasing it unrecorded',
      )
      this.recorded.set(keyOf(workflow), true)
      return { kind: 'no-run', finalizerRemoved: await this.release(workflow) }
    }
    const attempt = attemptOf(workflow)
    const results = runResultsOf(workflow)
    const status = workflow.status
    const outcome = {
      workflowId: run.id,
      attempt,
      phase: phaseOf(workflow),
      startedAt: parseTime(status?.startedAt),
      finishedAt: parseTime(status?.finishedAt),
      message: status?.message || null,
      results: results as unknown as InputJsonObject,
    }
    const notifier = this.options.notifier
    const known = run.outcomes.find((stored) => stored.attempt === attempt)
    let stored: { outcome: OutcomeRow; inserted: boolean }
    let planned: Awaited<ReturnType<Notifier['plan']>> = []
    if (known) {
      stored = { outcome: known, inserted: false }
    } else {
      planned = notifier ? await notifier.plan(run, outcome, results) : []
      // The notification rows go in with the outcome: the winner of the insert cannot lose them.
      stored = await prisma.$transaction(async (tx) => {
        const insert = await insertOutcome(tx, outcome)
        if (insert.inserted && planned.length) await notifier!.store(tx, planned)
        return insert
      })
    }
    if (stored.inserted) {
      this.counters.inserted++
      this.options.onFinished?.(run.workflowType, outcome.phase)
      this.options.logger.info(
        { workflow: name, attempt, phase: outcome.phase, status: results.status },
        'run outcome recorded',
      )
      if (planned.length) notifier!.send(planned)
    } else this.counters.alreadyStored++
    const finalizerRemoved = await this.release(workflow)
    this.recorded.set(keyOf(workflow), true)
    return { kind: 'recorded', outcome: stored.outcome, inserted: stored.inserted, finalizerRemoved }
  }

  private async release(workflow: Workflow): Promise<boolean> {
    if (!this.holdsFinalizer(workflow)) return false
    await this.options.argo.removeFinalizer(workflow.metadata.name ?? '', this.finalizer)
    this.counters.finalizersRemoved++
    return true
  }
}

function keyOf(workflow: Workflow): string {
  return `${workflow.metadata.name ?? ''}#${attemptOf(workflow)}`
}

function parseTime(value: string | undefined): Date | null {
  if (!value) return null
  const time = new Date(value)
  return Number.isNaN(time.getTime()) ? null : time
}
