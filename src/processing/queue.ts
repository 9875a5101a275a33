// The automatic queue: waiting requests (oldest first) become single-file runs while slots are free,
// in total and per record. Whether a request may take a slot is decided inside the run's own
// reservation transaction, under an advisory lock all replicas share, and the request's resolution
// row is written in that same transaction — so a run and "this request started it" commit together
// or not at all, and no two replicas can both start one request or overfill the limits.
import { isTerminal, phaseOf, type Workflow } from '../argo/index.js'
import { findType } from '../config/index.js'
import {
  lockAutomaticSlots,
  resolveAutoRequest,
  unfinishedAutomaticRuns,
  waitingAutoRequests,
  type AutoRequestRow,
} from '../db/automatic.js'
import type { Db } from '../db/index.js'
import type { InvenioFileEntry, InvenioRecord } from '../invenio/index.js'
import { serviceDraft, serviceTokenOf, type AutomaticContext } from './automatic.js'
import { nowOf } from './context.js'
import {
  FilesBusyError,
  InvalidParametersError,
  SubmissionFailedError,
  UnusableFilesError,
} from './errors.js'
import { decideHold } from './lock.js'
import { reusableRun, templateDigestOf } from './reuse.js'
import { planRun, startRun } from './start-run.js'

/** created_by of runs the queue starts. */
export const AUTOMATIC_CREATOR = 'compchem:automatic'
const PASS_SIZE = 500
const DEFAULT_POLL_MS = 10_000

export interface SlotUsage {
  total: number
  byRecord: Map<string, number>
}

class SlotLimitError extends Error {
  constructor(readonly scope: 'total' | 'record') {
    super(`no free automatic slot (${scope})`)
  }
}

class AlreadyResolvedError extends Error {}

type Dispatch =
  | { kind: 'started'; name: string }
  | { kind: 'resolved' }
  | { kind: 'busy' }
  | { kind: 'wait' }
  | { kind: 'limit'; scope: 'total' | 'record' }
  | { kind: 'unavailable'; error: unknown }

type DraftState = { draft: InvenioRecord; files: InvenioFileEntry[] } | null

export interface QueueOptions {
  /** How often the queue looks again without being told (other replicas free slots too). */
  pollIntervalMs?: number
}

export class AutomaticQueue {
  private draining: Promise<void> | undefined
  private again = false
  private stopped = false
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: Array<() => void> = []

  constructor(
    private readonly ctx: AutomaticContext,
    private readonly options: QueueOptions = {},
  ) {}

  start(): void {
    const ended = (workflow: Workflow, old?: Workflow) => {
      if (isTerminal(phaseOf(workflow)) && !(old && isTerminal(phaseOf(old)))) this.kick()
    }
    this.unsubscribe = [
      this.ctx.informer.on('update', ended),
      this.ctx.informer.on('add', ended),
      this.ctx.informer.on('delete', () => this.kick()),
    ]
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs ?? DEFAULT_POLL_MS)
    this.timer.unref()
    this.kick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const off of this.unsubscribe) off()
    if (this.timer) clearInterval(this.timer)
    await this.draining
  }

  /** Asks for a pass; passes never overlap in one process, and a kick during one asks for another. */
  kick(): void {
    if (this.stopped) return
    if (this.draining) {
      this.again = true
      return
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined
    })
  }

  /** Resolves once no pass is running or asked for (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining
  }

  private async drain(): Promise<void> {
    do {
      this.again = false
      try {
        await this.pass()
      } catch (error) {
        this.ctx.logger.warn({ err: error }, 'automatic queue pass failed; trying again later')
      }
    } while (this.again && !this.stopped)
  }

  /** One walk over the waiting requests in order, starting what fits. */
  async pass(): Promise<void> {
    const waiting = await waitingAutoRequests(this.ctx.db.prisma, { limit: PASS_SIZE })
    if (!waiting.length) return
    const usage = await slotUsage(this.ctx, this.ctx.db.prisma)
    const drafts = new Map<string, DraftState>()
    // A file busy now keeps its later requests waiting too, so its types run in queue order.
    const heldFiles = new Set<string>()
    const { automaticMaxRunning: maxTotal, automaticMaxRunningPerRecord: maxPerRecord } = this.ctx.settings
    for (const request of waiting) {
      if (this.stopped || usage.total >= maxTotal) return
      if ((usage.byRecord.get(request.recordId) ?? 0) >= maxPerRecord) continue
      const fileId = `${request.recordId}\u0000${request.fileKey}`
      if (heldFiles.has(fileId)) continue
      const result = await this.dispatch(request, drafts)
      if (result.kind === 'started') {
        usage.total++
        usage.byRecord.set(request.recordId, (usage.byRecord.get(request.recordId) ?? 0) + 1)
        heldFiles.add(fileId)
      } else if (result.kind === 'busy' || result.kind === 'wait') {
        heldFiles.add(fileId)
      } else if (result.kind === 'limit') {
        if (result.scope === 'total') return
        usage.byRecord.set(request.recordId, maxPerRecord)
      } else if (result.kind === 'unavailable') {
        this.ctx.logger.warn({ err: result.error, record: request.recordId }, 'automatic start postponed')
        return
      }
    }
  }

  private async dispatch(request: AutoRequestRow, drafts: Map<string, DraftState>): Promise<Dispatch> {
    const ctx = this.ctx
    const skip = async (reason: string): Promise<Dispatch> => {
      await resolveAutoRequest(ctx.db.prisma, { requestId: request.id, outcome: 'skipped', reason })
      ctx.logger.info(
        { record: request.recordId, file: request.fileKey, reason },
        'automatic request skipped',
      )
      return { kind: 'resolved' }
    }
    let state: DraftState | undefined
    try {
      state = drafts.get(request.recordId)
      if (state === undefined) {
        state = await serviceDraft(ctx, request.recordId)
        drafts.set(request.recordId, state)
      }
    } catch (error) {
      return { kind: 'unavailable', error }
    }
    if (!state) return skip('record-unavailable')
    const entry = state.files.find((file) => file.key === request.fileKey)
    if (!entry) return skip('file-deleted')
    if ((entry.checksum ?? '') !== request.checksum) return skip('file-replaced')
    if (entry.status !== 'completed') return { kind: 'wait' }
    const type = findType(ctx.catalog.current(), request.workflowType)
    if (!type?.automatic) return skip('type-not-automatic')

    const digest = await templateDigestOf(ctx, type)
    const reused = await reusableRun(ctx, {
      recordId: request.recordId,
      type,
      templateDigest: digest,
      fileKey: entry.key,
      checksum: entry.checksum,
      parameters: {},
    })
    if (reused) {
      await resolveAutoRequest(ctx.db.prisma, {
        requestId: request.id,
        outcome: 'reused',
        workflowId: reused.id,
        reason: `reused: ${reused.name}`,
      })
      ctx.logger.info(
        { record: request.recordId, file: entry.key, reused: reused.name },
        'automatic run reused',
      )
      return { kind: 'resolved' }
    }

    const token = serviceTokenOf(ctx)
    try {
      const plan = await planRun(
        ctx,
        {
          recordId: request.recordId,
          draft: state.draft,
          caller: { userId: AUTOMATIC_CREATOR, token },
          type: type.name,
          files: [entry.key],
        },
        state.files,
      )
      const run = await startRun(ctx, plan, {
        templateDigest: digest,
        withinReservation: async (tx, row) => {
          await lockAutomaticSlots(tx)
          const usage = await slotUsage(ctx, tx)
          if (usage.total >= ctx.settings.automaticMaxRunning) throw new SlotLimitError('total')
          if ((usage.byRecord.get(request.recordId) ?? 0) >= ctx.settings.automaticMaxRunningPerRecord)
            throw new SlotLimitError('record')
          const mine = await resolveAutoRequest(tx, {
            requestId: request.id,
            outcome: 'started',
            workflowId: row.id,
          })
          if (!mine) throw new AlreadyResolvedError()
        },
      })
      return { kind: 'started', name: run.name }
    } catch (error) {
      if (error instanceof FilesBusyError) return { kind: 'busy' }
      if (error instanceof SlotLimitError) return { kind: 'limit', scope: error.scope }
      if (error instanceof AlreadyResolvedError) return { kind: 'resolved' }
      if (error instanceof UnusableFilesError) return skip('no-longer-matching')
      if (error instanceof InvalidParametersError) return skip('parameters-required')
      // The run exists with an Error outcome (its slot is free again): the request is resolved.
      if (error instanceof SubmissionFailedError) return { kind: 'started', name: error.runName }
      return { kind: 'unavailable', error }
    }
  }
}

/**
 * Slots taken: runs the queue started that have no outcome row and that Argo still shows running
 * (or that are young enough to be Pending). One the informer has synced without seeing, past the
 * grace period, is gone and frees its slot.
 */
export async function slotUsage(ctx: AutomaticContext, db: Db): Promise<SlotUsage> {
  const candidates = await unfinishedAutomaticRuns(db)
  const now = nowOf(ctx)
  const usage: SlotUsage = { total: 0, byRecord: new Map() }
  for (const candidate of candidates) {
    const decision = decideHold(
      candidate,
      { cached: ctx.informer.get(candidate.name) },
      now,
      ctx.settings.pendingGraceSeconds,
    )
    const holds = decision.kind === 'holds' || (decision.kind === 'ask-api-server' && !ctx.informer.synced())
    if (!holds) continue
    usage.total++
    usage.byRecord.set(candidate.recordId, (usage.byRecord.get(candidate.recordId) ?? 0) + 1)
  }
  return usage
}
