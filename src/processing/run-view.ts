// The shapes users see of a run: a summary for lists and the detail of one run. Built from the
// database row and the joined status; nothing here does I/O.
import type { Workflow } from '../argo/index.js'
import type { JsonValue, OutcomeRow, RunRow } from '../db/index.js'
import type { RunPhase, RunStatus, StatusSource } from './run-status.js'
import { stepViewsFromResults, stepViewsOf, type StepView } from './steps.js'

export interface RunSummary {
  name: string
  seq: number
  type: string
  recordId: string
  /** Input file keys, in the order they were given. */
  files: string[]
  phase: RunPhase
  progress: string | null
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  createdAt: string
  statusSource: StatusSource
}

export interface OutcomeView {
  attempt: number
  phase: string
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  results: JsonValue
}

export interface RunDetail extends RunSummary {
  parameters: JsonValue
  steps: StepView[]
  /** The latest stored outcome, or null while the run has never ended. */
  outcome: OutcomeView | null
}

export function runSummary(row: RunRow, status: RunStatus): RunSummary {
  return {
    name: row.name,
    seq: row.seq,
    type: row.workflowType,
    recordId: row.recordId,
    files: row.files.map((file) => file.fileKey),
    phase: status.phase,
    progress: status.progress,
    startedAt: status.startedAt,
    finishedAt: status.finishedAt,
    message: status.message,
    createdAt: row.createdAt.toISOString(),
    statusSource: status.source,
  }
}

/**
 * `workflow` is the Workflow the status came from, when Argo has it: the steps are read from its
 * nodes. Without it, the steps the outcome writer kept in the outcome's results are shown.
 */
export function runDetail(
  row: RunRow,
  status: RunStatus,
  workflow: Workflow | undefined,
  outcome: OutcomeRow | undefined,
): RunDetail {
  return {
    ...runSummary(row, status),
    parameters: row.parameters,
    steps: workflow ? stepViewsOf(workflow) : outcome ? stepViewsFromResults(outcome.results) : [],
    outcome: outcome ? outcomeView(outcome) : null,
  }
}

export function outcomeView(outcome: OutcomeRow): OutcomeView {
  return {
    attempt: outcome.attempt,
    phase: outcome.phase,
    startedAt: outcome.startedAt?.toISOString() ?? null,
    finishedAt: outcome.finishedAt?.toISOString() ?? null,
    message: outcome.message,
    results: outcome.results,
  }
}
