// Acting on a run (issue 7): stop, terminate, suspend, resume, retry and resubmit. Spec changes go
// through ArgoClient.patchWorkflowSpec with a decision function, so each try decides on the fresh
// object (a concurrent stop and resume cannot undo each other); retry goes through the Argo Server
// as a new attempt under the record's lock; resubmit is a new run through the start use case. Every
// request that reaches a run is written to the audit table and logged (actions-audit.ts).
import {
  NotFoundError,
  phaseOf,
  type ArgoClient,
  type ArgoServerClient,
  type Workflow,
} from '../argo/index.js'
import type { Settings } from '../config/index.js'
import { findRunByName, type RunRow } from '../db/index.js'
import type { InvenioRecord } from '../invenio/index.js'
import {
  allowedActions,
  decideSpecAction,
  retryRefusal,
  type ActionCapabilities,
  type RunAction,
  type SpecAction,
  type SpecActionDecision,
} from './actions.js'
import { auditAction } from './actions-audit.js'
import { ActionNotAllowedError, RetryNeedsArgoServerError, RunNotFoundError } from './actions-errors.js'
import { retryInPlace } from './actions-retry.js'
import type { ProcessingContext } from './context.js'
import type { RunPhase } from './run-status.js'
import { planRun, startRun, type Caller, type StartedRun } from './start-run.js'
import { resolveRunStatuses } from './status.js'

export interface ActionContext extends Omit<ProcessingContext, 'argo' | 'settings'> {
  settings: ProcessingContext['settings'] & Pick<Settings, 'pendingGraceSeconds'>
  argo: ProcessingContext['argo'] & Pick<ArgoClient, 'patchWorkflowSpec' | 'patchWorkflowMetadata'>
  /** The Argo Server, when configured: retry in place and resume of suspend templates. */
  argoServer?: Pick<ArgoServerClient, 'retry' | 'resume'>
}

export interface ActionRequest {
  name: string
  action: RunAction
  caller: Caller
  /** The run's record draft (resubmit checks the files against it, as a start does). */
  draft: InvenioRecord
  /** For retry without an Argo Server: resubmit instead of refusing. */
  fallback?: 'resubmit'
}

export interface ActionOutcome {
  name: string
  /** What was done: `resubmit` when a retry fell back to it. */
  action: RunAction
  requested: RunAction
  result: 'accepted' | 'already-in-effect'
  /** The run's phase as Argo answered the action. */
  phase: RunPhase
  /** The attempt a retry started. */
  attempt?: number
  /** The new run a resubmit started. */
  resubmitted?: StartedRun
  /** Set when the audit row was written with the action itself (retry, under the record's lock). */
  auditId?: string
}

export function capabilitiesOf(ctx: Pick<ActionContext, 'argoServer'>): ActionCapabilities {
  return { argoServer: ctx.argoServer !== undefined }
}

/**
 * Performs the action and records it. Throws RunNotFoundError, ActionNotAllowedError (409),
 * FilesBusyError (retry or resubmit on a busy file) and whatever Kubernetes or the Argo Server threw.
 */
export async function performAction(ctx: ActionContext, request: ActionRequest): Promise<ActionOutcome> {
  const row = await findRunByName(ctx.db.prisma, request.name)
  if (!row) throw new RunNotFoundError(request.name)
  return auditAction(ctx, row, request, () => dispatch(ctx, row, request))
}

async function dispatch(ctx: ActionContext, row: RunRow, request: ActionRequest): Promise<ActionOutcome> {
  switch (request.action) {
    case 'resubmit':
      return resubmit(ctx, row, request, 'resubmit')
    case 'retry':
      return retry(ctx, row, request)
    default:
      return changeSpec(ctx, row, request.action)
  }
}

/** The run's phase and Workflow as the status join sees them (for refusals of runs Argo lacks). */
async function currentState(
  ctx: ActionContext,
  row: RunRow,
): Promise<{ phase: RunPhase; workflow?: Workflow }> {
  const [joined] = await resolveRunStatuses(ctx, [row])
  return { phase: joined!.status.phase, workflow: joined!.workflow }
}

async function refuse(
  ctx: ActionContext,
  row: RunRow,
  action: RunAction,
  reason: string,
  known?: Workflow,
): Promise<never> {
  const { phase, workflow } = known
    ? { phase: phaseOf(known), workflow: known }
    : await currentState(ctx, row)
  throw new ActionNotAllowedError(
    row.name,
    action,
    phase,
    allowedActions(phase, workflow, capabilitiesOf(ctx)),
    reason,
  )
}

async function changeSpec(ctx: ActionContext, row: RunRow, action: SpecAction): Promise<ActionOutcome> {
  const capabilities = capabilitiesOf(ctx)
  let decision: SpecActionDecision | undefined
  let workflow: Workflow
  try {
    workflow = await ctx.argo.patchWorkflowSpec(row.name, (current) => {
      decision = decideSpecAction(action, current, capabilities)
      return decision.kind === 'patch' ? decision.patch : null
    })
  } catch (error) {
    if (error instanceof NotFoundError) return refuse(ctx, row, action, 'Argo has no Workflow for it')
    throw error
  }
  const decided = decision!
  if (decided.kind === 'refused') return refuse(ctx, row, action, decided.reason, workflow)
  const resumeNodes =
    decided.kind === 'resume-nodes' || (decided.kind === 'patch' && decided.thenResumeNodes === true)
  if (resumeNodes && ctx.argoServer) workflow = await ctx.argoServer.resume(row.name)
  return {
    name: row.name,
    action,
    requested: action,
    result: decided.kind === 'in-effect' ? 'already-in-effect' : 'accepted',
    phase: phaseOf(workflow),
  }
}

async function retry(ctx: ActionContext, row: RunRow, request: ActionRequest): Promise<ActionOutcome> {
  const workflow = (await ctx.argo.getWorkflow(row.name)) ?? undefined
  const state = workflow ? { phase: phaseOf(workflow), workflow } : await currentState(ctx, row)
  const refusal = retryRefusal(state.phase, state.workflow)
  if (refusal) return refuse(ctx, row, 'retry', refusal, state.workflow)
  if (!ctx.argoServer) {
    if (request.fallback === 'resubmit') return resubmit(ctx, row, request, 'retry')
    throw new RetryNeedsArgoServerError(
      row.name,
      state.phase,
      allowedActions(state.phase, state.workflow, capabilitiesOf(ctx)),
    )
  }
  const retried = await retryInPlace(ctx, ctx.argoServer, row, request.caller)
  if (retried.kind === 'refused') return refuse(ctx, row, 'retry', retried.reason, retried.workflow)
  return {
    name: row.name,
    action: 'retry',
    requested: 'retry',
    result: 'accepted',
    phase: phaseOf(retried.workflow),
    attempt: retried.attempt,
    auditId: retried.auditId,
  }
}

async function resubmit(
  ctx: ActionContext,
  row: RunRow,
  request: ActionRequest,
  requested: RunAction,
): Promise<ActionOutcome> {
  const plan = await planRun(ctx, {
    recordId: row.recordId,
    draft: request.draft,
    caller: request.caller,
    type: row.workflowType,
    files: row.files.map((file) => file.fileKey),
    parameters: (row.parameters ?? {}) as Record<string, unknown>,
  })
  const started = await startRun(ctx, plan, { resubmittedFrom: row.id })
  return {
    name: row.name,
    action: 'resubmit',
    requested,
    result: 'accepted',
    phase: (await currentState(ctx, row)).phase,
    resubmitted: started,
  }
}
