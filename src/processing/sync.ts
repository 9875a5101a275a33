// Reconciliation: events get lost, so a record's draft can be listed again and every completed file
// that has no automatic request yet is queued. `POST /api/v1/records/{id}/sync` does it for one
// record; the optional sweep does it periodically for records with recent automatic activity, on one
// replica at a time (a PostgreSQL session advisory lock held on a dedicated connection).
import { AUTOMATIC_LOCK_CLASS, AUTOMATIC_LOCKS, recentAutomaticRecords } from '../db/automatic.js'
import { LeaderLock } from '../db/leader.js'
import {
  isCompletedFile,
  isGeneratedFile,
  type InvenioFileEntry,
  type InvenioRecord,
} from '../invenio/index.js'
import {
  enqueueFile,
  knownAutoRequestKeys,
  serviceDraft,
  serviceTokenOf,
  type AutomaticContext,
  type QueuedRequest,
} from './automatic.js'

export interface SyncResult {
  recordId: string
  /** Requests this sync added, per file. */
  queued: Array<{ key: string; type: string; id: string }>
  /** Completed files whose automatic types were all queued before. */
  alreadyHandled: string[]
  /** Files still being uploaded: the next sync (or the file's commit event) picks them up. */
  pending: string[]
  /** Files the service wrote back itself: never processed automatically. */
  generated: string[]
}

/**
 * Queues what is missing for the draft's files. `files` is the listing when the caller has it
 * already (the route lists with the caller's own credentials); otherwise the service lists.
 */
export async function syncRecord(
  ctx: AutomaticContext,
  recordId: string,
  listing?: { draft: InvenioRecord; files: InvenioFileEntry[] },
  source: 'sync' | 'sweep' = 'sync',
): Promise<SyncResult | null> {
  const token = serviceTokenOf(ctx)
  const found = listing ?? (await serviceDraft(ctx, recordId))
  if (!found) return null
  const result: SyncResult = { recordId, queued: [], alreadyHandled: [], pending: [], generated: [] }
  const known = await knownAutoRequestKeys(ctx.db.prisma, recordId)
  for (const entry of found.files) {
    if (isGeneratedFile(entry)) result.generated.push(entry.key)
    else if (!isCompletedFile(entry)) result.pending.push(entry.key)
    else {
      const { types, queued } = await enqueueFile(ctx, recordId, entry, source, token, known)
      result.queued.push(...queued.map((request: QueuedRequest) => ({ key: entry.key, ...request })))
      if (types.length && !queued.length) result.alreadyHandled.push(entry.key)
    }
  }
  return result
}

/** How far back the sweep looks for records with automatic activity. */
const SWEEP_LOOKBACK_MS = 7 * 24 * 3600 * 1000

export interface SweeperOptions {
  intervalMs: number
  /** Told after a sweep queued something. */
  onQueued: () => void
}

/** The periodic sweep; only the replica holding the sweep lock runs it. */
export class SyncSweeper {
  private timer: NodeJS.Timeout | undefined
  private readonly leader: LeaderLock
  private running: Promise<unknown> | undefined
  private stopped = false

  constructor(
    private readonly ctx: AutomaticContext,
    private readonly options: SweeperOptions,
  ) {
    this.leader = new LeaderLock({
      db: ctx.db,
      key: [AUTOMATIC_LOCK_CLASS, AUTOMATIC_LOCKS.sweep],
      role: 'sync sweep',
      logger: ctx.logger,
    })
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined))
    }, this.options.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.running
    await this.leader.release()
  }

  /** True while this replica holds the sweep lock. */
  isLeader(): boolean {
    return this.leader.isLeader()
  }

  /** One sweep, if this replica is (or becomes) the leader; returns the records looked at. */
  async tick(): Promise<string[]> {
    if (this.stopped || !(await this.leader.acquire())) return []
    const since = new Date(Date.now() - SWEEP_LOOKBACK_MS)
    const records = await recentAutomaticRecords(this.ctx.db.prisma, since)
    let queued = 0
    for (const recordId of records) {
      if (this.stopped) break
      try {
        queued += (await syncRecord(this.ctx, recordId, undefined, 'sweep'))?.queued.length ?? 0
      } catch (error) {
        this.ctx.logger.warn({ err: error, record: recordId }, 'sync sweep could not list a record')
      }
    }
    if (queued) this.options.onQueued()
    return records
  }
}
