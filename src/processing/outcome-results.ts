// The run's outcome from its steps (DESIGN.md "Step result convention"): each step's reported result,
// or its phase when it reported none; the run is as bad as its worst step. This is what the outcome
// row keeps in `results`, what the `completed` event and the notifications carry.
import {
  isTerminal,
  phaseOf,
  progressOf,
  type StepResultStatus,
  type Workflow,
  type WorkflowPhase,
} from '../argo/index.js'
import { stepViewsOf, type StepView } from './steps.js'

/** Bumped by the retry-in-place path each time a run is sent round again; absent means attempt 1. */
export const ATTEMPT_ANNOTATION = 'compchem.cz/attempt'

const SEVERITY: Record<StepResultStatus, number> = { SUCCESS: 0, PARTIAL: 1, FAILURE: 2 }

export interface RunResults {
  /** Worst status over the steps; a run without steps is judged by its phase. */
  status: StepResultStatus
  /** Argo's "done/total" when the run ended. */
  progress: string
  /** Per file: the worst status any step reported for it. */
  files: Record<string, StepResultStatus>
  /** Same shape as the run detail's steps, so they can be shown once Argo forgets the run. */
  steps: StepView[]
}

export function worstStatus(statuses: Iterable<StepResultStatus>): StepResultStatus | undefined {
  let worst: StepResultStatus | undefined
  for (const status of statuses) {
    if (worst === undefined || SEVERITY[status] > SEVERITY[worst]) worst = status
  }
  return worst
}

function statusOfPhase(phase: WorkflowPhase): StepResultStatus {
  return phase === 'Succeeded' ? 'SUCCESS' : 'FAILURE'
}

/**
 * The results of a run from its Workflow. A Workflow that failed as a whole (stopped, invalid spec,
 * deadline) is a FAILURE even when every step that did run reported success.
 */
export function runResultsOf(workflow: Workflow): RunResults {
  const steps = stepViewsOf(workflow)
  const files: Record<string, StepResultStatus> = {}
  for (const step of steps) {
    for (const [key, status] of Object.entries(step.result?.files ?? {})) {
      files[key] = worstStatus([files[key] ?? status, status])!
    }
  }
  const phase = phaseOf(workflow)
  const fromSteps = worstStatus(steps.flatMap((step) => (step.result ? [step.result.status] : [])))
  const fromPhase = isTerminal(phase) ? statusOfPhase(phase) : undefined
  const status = worstStatus([fromSteps, fromPhase].filter((s): s is StepResultStatus => s !== undefined))
  return { status: status ?? 'SUCCESS', progress: progressOf(workflow), files, steps }
}

/** How many times this run has ended so far, counting the current end: 1 unless it was retried. */
export function attemptOf(workflow: Workflow): number {
  const raw = workflow.metadata.annotations?.[ATTEMPT_ANNOTATION]
  if (raw === undefined || !/^[1-9][0-9]{0,5}$/.test(raw)) return 1
  return Number(raw)
}
