// What the record event stream says about a run, computed from the Workflow alone (labels and
// annotations carry the record, type, seq and files), so every replica says the same thing.
import {
  filesFromAnnotations,
  isTerminal,
  phaseOf,
  progressOf,
  RECORD_ID_ANNOTATION,
  RECORD_ID_LABEL,
  seqFromLabels,
  WORKFLOW_TYPE_LABEL,
  type Workflow,
} from '../argo/index.js'
import { notificationIdFor } from '../processing/notify-outbox.js'
import { attemptOf, runResultsOf } from '../processing/outcome-results.js'
import { stepViewsOf, type StepView } from '../processing/steps.js'

/** Payload of a `workflow` event: the run as the list shows it, with its steps. */
export interface WorkflowEventData {
  name: string
  recordId: string
  type: string
  seq: number | null
  files: string[]
  phase: string
  progress: string
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  steps: StepView[]
}

/** Payload of a `completed` event: the run's outcome, with the id its notifications carry. */
export interface CompletedEventData {
  name: string
  recordId: string
  attempt: number
  phase: string
  status: string
  message: string | null
  finishedAt: string | null
  files: Record<string, string>
  notificationId: string
}

export function recordIdOf(workflow: Workflow): string | undefined {
  return workflow.metadata.annotations?.[RECORD_ID_ANNOTATION] ?? workflow.metadata.labels?.[RECORD_ID_LABEL]
}

export function workflowEventData(workflow: Workflow): WorkflowEventData {
  const status = workflow.status
  return {
    name: workflow.metadata.name ?? '',
    recordId: recordIdOf(workflow) ?? '',
    type: workflow.metadata.labels?.[WORKFLOW_TYPE_LABEL] ?? '',
    seq: seqFromLabels(workflow.metadata.labels) ?? null,
    files: filesFromAnnotations(workflow.metadata.annotations),
    phase: phaseOf(workflow),
    progress: progressOf(workflow),
    startedAt: status?.startedAt || null,
    finishedAt: status?.finishedAt || null,
    message: status?.message || null,
    steps: stepViewsOf(workflow),
  }
}

export function completedEventData(workflow: Workflow): CompletedEventData {
  const results = runResultsOf(workflow)
  const name = workflow.metadata.name ?? ''
  const attempt = attemptOf(workflow)
  return {
    name,
    recordId: recordIdOf(workflow) ?? '',
    attempt,
    phase: phaseOf(workflow),
    status: results.status,
    message: workflow.status?.message || null,
    finishedAt: workflow.status?.finishedAt || null,
    files: results.files,
    notificationId: notificationIdFor(name, attempt),
  }
}

/** What users see change: phase, progress, message, and each step's phase, times and result. */
function visibleState(data: WorkflowEventData): string {
  return JSON.stringify([
    data.phase,
    data.progress,
    data.message,
    data.steps.map((step) => [step.name, step.phase, step.startedAt, step.finishedAt, step.result?.status]),
  ])
}

export interface RunChange {
  workflow?: WorkflowEventData
  completed?: CompletedEventData
}

/** The events an informer change calls for: none when nothing visible changed. */
export function changeOf(workflow: Workflow, old: Workflow | undefined): RunChange {
  const now = workflowEventData(workflow)
  const before = old ? workflowEventData(old) : undefined
  const change: RunChange = {}
  if (!before || visibleState(before) !== visibleState(now)) change.workflow = now
  const ended = isTerminal(phaseOf(workflow))
  const wasEnded = old !== undefined && isTerminal(phaseOf(old)) && attemptOf(old) === attemptOf(workflow)
  if (ended && !wasEnded) change.completed = completedEventData(workflow)
  return change
}
