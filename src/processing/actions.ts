// What may be done to a run now (issue 7): the phase rules of stop, terminate, suspend, resume, retry
// and resubmit, as pure decisions over the Workflow as Argo has it. The use case (actions-run.ts)
// feeds them the fresh object inside patchWorkflowSpec, so concurrent actions decide on what is
// really there, not on what the caller saw.
import { isTerminal, nodesOf, phaseOf, type Workflow } from '../argo/index.js'
import type { RunPhase } from './run-status.js'

export const RUN_ACTIONS = ['stop', 'terminate', 'suspend', 'resume', 'retry', 'resubmit'] as const
export type RunAction = (typeof RUN_ACTIONS)[number]

export function isRunAction(value: unknown): value is RunAction {
  return typeof value === 'string' && (RUN_ACTIONS as readonly string[]).includes(value)
}

/** What the deployment can do beyond the Kubernetes API. */
export interface ActionCapabilities {
  /** An Argo Server is configured: retry in place, resume of suspend templates. */
  argoServer: boolean
}

export type Shutdown = 'Stop' | 'Terminate' | ''

export function shutdownOf(workflow: Workflow): Shutdown {
  const value = workflow.spec?.shutdown
  return value === 'Stop' || value === 'Terminate' ? value : ''
}

export function isSuspended(workflow: Workflow): boolean {
  return workflow.spec?.suspend === true
}

/** A suspend template the run is waiting on (only the Argo Server can complete it). */
export function waitsOnSuspendNode(workflow: Workflow): boolean {
  return Object.values(nodesOf(workflow)).some(
    (node) => node.type === 'Suspend' && (node.phase === 'Running' || node.phase === 'Pending'),
  )
}

/**
 * The actions that make sense now, for clients that should not guess. `workflow` is Argo's object
 * when Argo has it; without it (never seen yet, or garbage-collected) only a resubmit of an ended
 * run is possible.
 */
export function allowedActions(
  phase: RunPhase,
  workflow: Workflow | undefined,
  capabilities: ActionCapabilities = { argoServer: true },
): RunAction[] {
  const ended = isTerminal(phase) || phase === 'NotFound'
  if (!workflow) return ended ? ['resubmit'] : []
  if (phase === 'Failed' || phase === 'Error')
    return capabilities.argoServer ? ['retry', 'resubmit'] : ['resubmit']
  if (ended) return ['resubmit']
  if (phase !== 'Pending' && phase !== 'Running') return []
  const shutdown = shutdownOf(workflow)
  if (shutdown === 'Terminate') return []
  if (shutdown === 'Stop') return ['terminate']
  const actions: RunAction[] = ['stop', 'terminate']
  if (!isSuspended(workflow)) actions.push('suspend')
  if (isSuspended(workflow) || (capabilities.argoServer && waitsOnSuspendNode(workflow)))
    actions.push('resume')
  return actions
}

/** A spec change for stop, terminate, suspend and resume, decided on the current Workflow. */
export type SpecActionDecision =
  /** Merge-patch spec with this. `thenResumeNodes`: also resume suspend nodes through the Argo Server. */
  | { kind: 'patch'; patch: Record<string, unknown>; thenResumeNodes?: boolean }
  /** Nothing to patch; the Argo Server resumes the waiting suspend nodes. */
  | { kind: 'resume-nodes' }
  /** The action's effect already holds (stop on a stopping or stopped run): a success, not an error. */
  | { kind: 'in-effect' }
  | { kind: 'refused'; reason: string }

export type SpecAction = Extract<RunAction, 'stop' | 'terminate' | 'suspend' | 'resume'>

export function decideSpecAction(
  action: SpecAction,
  workflow: Workflow,
  capabilities: ActionCapabilities,
): SpecActionDecision {
  const phase = phaseOf(workflow)
  const shutdown = shutdownOf(workflow)
  const ended = isTerminal(phase)
  switch (action) {
    case 'stop':
      // A run being stopped or terminated, or one that such a shutdown ended, is stopped already.
      if (shutdown) return { kind: 'in-effect' }
      if (ended) return refused(`it has ended (${phase})`)
      return { kind: 'patch', patch: { shutdown: 'Stop' } }
    case 'terminate':
      if (shutdown === 'Terminate') return { kind: 'in-effect' }
      if (ended) return refused(`it has ended (${phase})`)
      return { kind: 'patch', patch: { shutdown: 'Terminate' } }
    case 'suspend':
      if (ended) return refused(`it has ended (${phase})`)
      if (shutdown) return refused(`it is shutting down (${shutdown})`)
      if (isSuspended(workflow)) return { kind: 'in-effect' }
      return { kind: 'patch', patch: { suspend: true } }
    case 'resume': {
      if (ended) return refused(`it has ended (${phase})`)
      if (shutdown) return refused(`it is shutting down (${shutdown})`)
      const waiting = waitsOnSuspendNode(workflow)
      if (waiting && !capabilities.argoServer)
        return refused('it waits on a suspend step, which only the Argo Server can resume (ARGO_SERVER_URL)')
      // merge patch: null removes the field, as Argo's own resume does.
      if (isSuspended(workflow)) return { kind: 'patch', patch: { suspend: null }, thenResumeNodes: waiting }
      if (waiting) return { kind: 'resume-nodes' }
      return { kind: 'in-effect' }
    }
  }
}

function refused(reason: string): SpecActionDecision {
  return { kind: 'refused', reason }
}

/** Retry in place needs an ended, failed run that Argo still has. */
export function retryRefusal(phase: RunPhase, workflow: Workflow | undefined): string | undefined {
  if (!workflow) return 'Argo no longer has its Workflow; resubmit it instead'
  if (phase === 'Succeeded') return 'it succeeded; resubmit it to run it again'
  if (phase !== 'Failed' && phase !== 'Error') return `it has not ended (${phase})`
  return undefined
}
