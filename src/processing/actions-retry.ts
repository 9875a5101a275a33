// Retry in place (issue 7): the failed steps of an ended run run again, through the Argo Server. A
// retry is a new attempt: the lock rule is checked again under the record's advisory lock (another
// run may hold the files by now), and the Workflow is marked with the attempt so its next end is
// recorded as a new outcome, keyed by (run, attempt), and notified again.
import { OUTCOME_FINALIZER, phaseOf, type ArgoServerClient, type Workflow } from '../argo/index.js'
import { findRunByName, insertAction, runsHoldingFiles, withRecordLock, type RunRow } from '../db/index.js'
import { retryRefusal } from './actions.js'
import type { ActionContext } from './actions-run.js'
import { nowOf } from './context.js'
import { FilesBusyError } from './errors.js'
import { checkLock, type ApiServerAnswer, type LockCandidate } from './lock.js'
import { renewRunToken } from './run-tokens.js'
import { ATTEMPT_ANNOTATION, attemptOf } from './outcome-results.js'
import type { Caller } from './start-run.js'

export type RetryResult =
  | { kind: 'retried'; workflow: Workflow; attempt: number; auditId: string }
  | { kind: 'refused'; reason: string; workflow?: Workflow }

/** How long a retry waits for the outcome of the attempt that ended to be stored. */
const OUTCOME_WAIT_MS = 10_000
/** How long the retry, holding the record's lock, waits for this replica's informer to see it. */
const INFORMER_WAIT_MS = 5_000
const LOCK_WAIT_MS = 60_000
const MAX_ROUNDS = 5

class NeedsApiServerError extends Error {
  constructor(readonly names: string[]) {
    super(`look up ${names.join(', ')} on the API server first`)
  }
}

export async function retryInPlace(
  ctx: ActionContext,
  server: Pick<ArgoServerClient, 'retry'>,
  row: RunRow,
  caller: Caller,
): Promise<RetryResult> {
  // The ended attempt's outcome must be kept before the Workflow runs again: its status is reset.
  const current = await ctx.argo.getWorkflow(row.name)
  if (!current) return { kind: 'refused', reason: 'Argo no longer has its Workflow; resubmit it instead' }
  if (!(await outcomeStored(ctx, row.name, attemptOf(current))))
    return {
      kind: 'refused',
      reason: 'the end of its last attempt is still being recorded; try again in a moment',
      workflow: current,
    }
  // The retried steps need a token of their own: the last attempt's died with its outcome. Minted
  // before taking the record's lock, whose transaction must not wait on another connection.
  if (!retryRefusal(phaseOf(current), current)) await renewRunToken(ctx, row, attemptOf(current) + 1)
  const answers = new Map<string, ApiServerAnswer>()
  for (let round = 1; ; round++) {
    try {
      return await withRecordLock(
        ctx.db.prisma,
        row.recordId,
        async (tx) => {
          const keys = row.files.map((file) => file.fileKey)
          const holders = (await runsHoldingFiles(tx, row.recordId, keys)).filter((h) => h.name !== row.name)
          const check = checkLock(
            keys,
            holders.map(lockCandidate),
            (name) => ({ cached: ctx.informer.get(name), answer: answers.get(name) }),
            nowOf(ctx),
            ctx.settings.pendingGraceSeconds,
          )
          if (check.ask.length) throw new NeedsApiServerError(check.ask)
          if (check.busy.length) throw new FilesBusyError(check.busy)
          // Read again under the lock: another replica may have retried it meanwhile.
          const fresh = await ctx.argo.getWorkflow(row.name)
          const refusal = retryRefusal(fresh ? phaseOf(fresh) : 'NotFound', fresh ?? undefined)
          if (refusal || !fresh)
            return { kind: 'refused', reason: refusal ?? 'gone', workflow: fresh ?? undefined }
          const attempt = attemptOf(fresh) + 1
          await server.retry(row.name)
          const marked = await markAttempt(ctx, row.name, attempt)
          const audit = await insertAction(tx, {
            workflowId: row.id,
            action: 'retry',
            requestedBy: caller.userId,
            result: 'accepted',
            detail: { attempt, phase: phaseOf(marked) },
          })
          await informerSees(ctx, row.name, attempt)
          return { kind: 'retried', workflow: marked, attempt, auditId: audit.id }
        },
        { maxWaitMs: LOCK_WAIT_MS, timeoutMs: LOCK_WAIT_MS },
      )
    } catch (error) {
      if (!(error instanceof NeedsApiServerError) || round >= MAX_ROUNDS) throw error
      // Never with the lock held: look the holders up, then decide again.
      const found = await Promise.all(error.names.map((name) => ctx.argo.getWorkflow(name)))
      error.names.forEach((name, index) => answers.set(name, found[index] ?? null))
    }
  }
}

function lockCandidate(run: RunRow): LockCandidate {
  return { name: run.name, createdAt: run.createdAt, fileKeys: run.files.map((file) => file.fileKey) }
}

/**
 * Marks the Workflow with its new attempt and puts the outcome finalizer back (the recorder removed
 * it when the last attempt ended). Done after the Argo Server's retry, never before: a Failed
 * Workflow already carrying the new attempt would be recorded as that attempt's end. If the retried
 * steps end before this lands, the Workflow shows its end with the new attempt and is recorded then.
 */
function markAttempt(ctx: ActionContext, name: string, attempt: number): Promise<Workflow> {
  return ctx.argo.patchWorkflowMetadata(name, (current) => {
    if (attemptOf(current) >= attempt) return null
    const finalizers = current.metadata.finalizers ?? []
    return {
      annotations: { [ATTEMPT_ANNOTATION]: String(attempt) },
      ...(finalizers.includes(OUTCOME_FINALIZER) ? {} : { finalizers: [...finalizers, OUTCOME_FINALIZER] }),
    }
  })
}

async function outcomeStored(ctx: ActionContext, name: string, attempt: number): Promise<boolean> {
  const deadline = Date.now() + OUTCOME_WAIT_MS
  for (;;) {
    const run = await findRunByName(ctx.db.prisma, name)
    if (run?.outcomes.some((outcome) => outcome.attempt === attempt)) return true
    if (Date.now() > deadline) return false
    await sleep(100)
  }
}

/** So that a start on this replica right after the retry sees the run holding its files again. */
async function informerSees(ctx: ActionContext, name: string, attempt: number): Promise<void> {
  const deadline = Date.now() + INFORMER_WAIT_MS
  for (;;) {
    const cached = ctx.informer.get(name)
    if (cached && attemptOf(cached) >= attempt) return
    if (Date.now() > deadline) {
      ctx.logger.warn({ run: name, attempt }, 'informer has not seen the retried run yet')
      return
    }
    await sleep(25)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
