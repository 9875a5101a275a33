// A run's steps as users see them, with the step result convention (DESIGN.md): a step's result is
// what it wrote to /tmp/result.json; a step that wrote none (the parameter's default) is judged by
// its phase once it has ended.
import { isTerminal, stepsOf, type Step, type StepResultStatus, type Workflow } from '../argo/index.js'

export interface StepResultView {
  status: StepResultStatus
  message: string
  files: Record<string, StepResultStatus>
  /** 'step': the step reported it; 'phase': it reported nothing and this is judged from its phase. */
  source: 'step' | 'phase'
}

export interface StepView {
  /** Node name, unique in the run. */
  name: string
  displayName: string
  templateName: string
  phase: string
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  /** Name of the step's pod, for its logs (Argo's v2 pod names). */
  podName: string
  /** Null while the step has not ended and reported nothing. */
  result: StepResultView | null
}

export function stepViewsOf(workflow: Workflow): StepView[] {
  return stepsOf(workflow).map(stepView)
}

export function stepView(step: Step): StepView {
  return {
    name: step.name,
    displayName: step.displayName,
    templateName: step.templateName,
    phase: step.phase,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    message: step.message,
    podName: step.podName,
    result: resultOf(step),
  }
}

function resultOf(step: Step): StepResultView | null {
  if (step.result) return { ...step.result, files: { ...step.result.files }, source: 'step' }
  if (!isTerminal(step.phase)) return null
  return {
    status: step.phase === 'Succeeded' ? 'SUCCESS' : 'FAILURE',
    message: step.message ?? '',
    files: {},
    source: 'phase',
  }
}

const STATUSES: ReadonlySet<string> = new Set(['SUCCESS', 'PARTIAL', 'FAILURE'])

/**
 * Steps kept in an outcome's `results.steps` by the outcome writer (same shape as StepView), shown
 * once Argo has forgotten the run. Entries that do not have that shape are left out.
 */
export function stepViewsFromResults(results: unknown): StepView[] {
  if (!results || typeof results !== 'object' || Array.isArray(results)) return []
  const steps = (results as Record<string, unknown>).steps
  if (!Array.isArray(steps)) return []
  return steps.flatMap((entry) => {
    const step = storedStep(entry)
    return step ? [step] : []
  })
}

function storedStep(entry: unknown): StepView | null {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return null
  const value = entry as Record<string, unknown>
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : null)
  const name = text('name')
  const phase = text('phase')
  if (!name || !phase) return null
  return {
    name,
    displayName: text('displayName') ?? name,
    templateName: text('templateName') ?? '',
    phase,
    startedAt: text('startedAt'),
    finishedAt: text('finishedAt'),
    message: text('message'),
    podName: text('podName') ?? '',
    result: storedResult(value.result),
  }
}

function storedResult(value: unknown): StepResultView | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const { status, message, files, source } = value as Record<string, unknown>
  if (typeof status !== 'string' || !STATUSES.has(status)) return null
  const fileStatuses: Record<string, StepResultStatus> = {}
  if (files && typeof files === 'object' && !Array.isArray(files)) {
    for (const [key, fileStatus] of Object.entries(files)) {
      if (typeof fileStatus === 'string' && STATUSES.has(fileStatus))
        fileStatuses[key] = fileStatus as StepResultStatus
    }
  }
  return {
    status: status as StepResultStatus,
    message: typeof message === 'string' ? message : '',
    files: fileStatuses,
    source: source === 'phase' ? 'phase' : 'step',
  }
}
