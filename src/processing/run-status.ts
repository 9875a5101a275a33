// The status decision (DESIGN.md "Data"): status is never stored, it is Argo's. A run's status is its
// database row joined with the informer's cached Workflow, or with its stored outcome once Argo has
// forgotten it. Pure: status.ts does the I/O around it.
import { phaseOf, progressOf, type Workflow, type WorkflowPhase } from '../argo/index.js'
import type { OutcomeRow, RunRow } from '../db/index.js'

/**
 * Argo's phases, plus two of the service's own: `NotFound` (past the grace period the API server
 * says the Workflow does not exist, and no outcome was stored) and `Unknown` (the API server could
 * not be asked, so neither live state nor absence is known).
 */
export type RunPhase = WorkflowPhase | 'NotFound' | 'Unknown'

export const RUN_PHASES: readonly RunPhase[] = [
  'Pending',
  'Running',
  'Succeeded',
  'Failed',
  'Error',
  'NotFound',
  'Unknown',
]

/** Where the status came from: useful to clients and to anyone debugging a surprising phase. */
export type StatusSource =
  /** The informer's cache (or a fresh GET when the cache lagged). */
  | 'argo'
  /** The stored outcome: Argo no longer has the Workflow. */
  | 'outcome'
  /** No Workflow seen yet, and the run is younger than the grace period. */
  | 'pending'
  /** The API server answered 404. */
  | 'not-found'
  /** The API server could not be reached. */
  | 'unknown'

export interface RunStatus {
  phase: RunPhase
  /** "done/total" pod steps; null when nothing is known about the steps. */
  progress: string | null
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  source: StatusSource
}

/** What the API server said when asked for the Workflow by name (see argo-lookup.ts). */
export type ArgoAnswer =
  { kind: 'found'; workflow: Workflow } | { kind: 'absent' } | { kind: 'failed'; reason: string }

export type StatusDecision = { kind: 'status'; status: RunStatus } | { kind: 'ask-argo' }

/**
 * Decides a run's status from what is known about it, without any I/O:
 * - a cached Workflow is the truth (even when an outcome exists: a run retried in place runs again);
 * - otherwise a stored outcome (latest attempt) is, since Argo has garbage-collected the run;
 * - otherwise a young run is Pending (the informer may not have seen its Workflow yet);
 * - otherwise the API server must be asked by name: call again with its `answer`.
 */
export function decideRunStatus(
  row: Pick<RunRow, 'createdAt'>,
  cached: Workflow | undefined,
  outcome: OutcomeRow | undefined,
  now: Date,
  graceSeconds: number,
  answer?: ArgoAnswer,
): StatusDecision {
  if (cached) return decided(statusOfWorkflow(cached))
  if (outcome) return decided(statusOfOutcome(outcome))
  const ageMs = now.getTime() - row.createdAt.getTime()
  if (ageMs < graceSeconds * 1000) return decided(PENDING)
  if (!answer) return { kind: 'ask-argo' }
  switch (answer.kind) {
    case 'found':
      return decided(statusOfWorkflow(answer.workflow))
    case 'absent':
      return decided({
        ...NOTHING_KNOWN,
        phase: 'NotFound',
        message: 'Argo has no Workflow for this run and no outcome was stored.',
        source: 'not-found',
      })
    case 'failed':
      return decided({
        ...NOTHING_KNOWN,
        phase: 'Unknown',
        message: `The Kubernetes API could not be asked about this run: ${answer.reason}`,
        source: 'unknown',
      })
  }
}

const NOTHING_KNOWN = { progress: null, startedAt: null, finishedAt: null, message: null } as const
const PENDING: RunStatus = { ...NOTHING_KNOWN, phase: 'Pending', source: 'pending' }

function decided(status: RunStatus): StatusDecision {
  return { kind: 'status', status }
}

export function statusOfWorkflow(workflow: Workflow): RunStatus {
  const status = workflow.status
  return {
    phase: phaseOf(workflow),
    progress: progressOf(workflow),
    startedAt: status?.startedAt || null,
    finishedAt: status?.finishedAt || null,
    message: status?.message || null,
    source: 'argo',
  }
}

export function statusOfOutcome(outcome: OutcomeRow): RunStatus {
  return {
    phase: outcomePhase(outcome.phase),
    progress: progressFromResults(outcome.results),
    startedAt: outcome.startedAt?.toISOString() ?? null,
    finishedAt: outcome.finishedAt?.toISOString() ?? null,
    message: outcome.message,
    source: 'outcome',
  }
}

// Outcomes hold terminal phases only; anything else stored there is reported as an Error.
function outcomePhase(phase: string): RunPhase {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' ? phase : 'Error'
}

/** An outcome writer may store Argo's last `progress` in results; without it nothing is claimed. */
function progressFromResults(results: unknown): string | null {
  if (!results || typeof results !== 'object' || Array.isArray(results)) return null
  const progress = (results as Record<string, unknown>).progress
  return typeof progress === 'string' && /^\d+\/\d+$/.test(progress) ? progress : null
}

/** The latest stored outcome (outcomes come ordered by attempt). */
export function latestOutcome(row: Pick<RunRow, 'outcomes'>): OutcomeRow | undefined {
  return row.outcomes.at(-1)
}
