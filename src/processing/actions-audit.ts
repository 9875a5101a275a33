// Every action that reaches a run is written to the write-once audit table (who, what, when, what
// came of it) and logged, refusals and failures included.
import { insertAction, type ActionResultKind, type InputJsonObject, type RunRow } from '../db/index.js'
import type { ActionContext, ActionOutcome, ActionRequest } from './actions-run.js'
import { ActionNotAllowedError } from './actions-errors.js'
import {
  FilesBusyError,
  InvalidParametersError,
  TooManyFilesError,
  UnknownTypeError,
  UnusableFilesError,
} from './errors.js'

/** Refusals are the caller's or the run's state, not faults of the service. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof ActionNotAllowedError ||
    error instanceof FilesBusyError ||
    error instanceof UnusableFilesError ||
    error instanceof UnknownTypeError ||
    error instanceof InvalidParametersError ||
    error instanceof TooManyFilesError
  )
}

export async function auditAction(
  ctx: Pick<ActionContext, 'db' | 'logger'>,
  row: RunRow,
  request: ActionRequest,
  work: () => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  const log = ctx.logger.child({ run: row.name, action: request.action, user: request.caller.userId })
  let outcome: ActionOutcome
  try {
    outcome = await work()
  } catch (error) {
    const result: ActionResultKind = isRefusal(error) ? 'refused' : 'failed'
    const reason = error instanceof Error ? error.message : String(error)
    await record(ctx, row, request, result, { reason: reason.slice(0, 2000) })
    if (result === 'refused') log.info({ result, reason }, 'run action refused')
    else log.warn({ result, err: error }, 'run action failed')
    throw error
  }
  // A retry writes its row inside the record's lock (it marks the run as holding its files again).
  if (!outcome.auditId) await record(ctx, row, request, outcome.result, detailOf(outcome))
  log.info(
    { result: outcome.result, performed: outcome.action, phase: outcome.phase, attempt: outcome.attempt },
    'run action',
  )
  return outcome
}

function detailOf(outcome: ActionOutcome): InputJsonObject {
  return {
    phase: outcome.phase,
    ...(outcome.action !== outcome.requested ? { performed: outcome.action } : {}),
    ...(outcome.attempt !== undefined ? { attempt: outcome.attempt } : {}),
    ...(outcome.resubmitted ? { resubmittedAs: outcome.resubmitted.name } : {}),
  }
}

async function record(
  ctx: Pick<ActionContext, 'db' | 'logger'>,
  row: RunRow,
  request: ActionRequest,
  result: ActionResultKind,
  detail: InputJsonObject,
): Promise<void> {
  try {
    await insertAction(ctx.db.prisma, {
      workflowId: row.id,
      action: request.action,
      requestedBy: request.caller.userId,
      result,
      detail: { ...detail, ...(request.fallback ? { fallback: request.fallback } : {}) },
    })
  } catch (error) {
    // The action itself has happened (or been refused); a lost audit row must not change the answer.
    ctx.logger.error(
      { err: error, run: row.name, action: request.action, result },
      'could not write the action audit row',
    )
  }
}
