// The shapes the widget reads from the API (src/http/openapi.yaml), only the members it uses.

export interface StepResult {
  status: string
  message: string
  files: Record<string, string>
  source?: string
}

export interface RunStep {
  name: string
  displayName: string
  templateName: string
  phase: string
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  podName?: string
  result: StepResult | null
}

/** A run as the list, the snapshot and `workflow` events carry it. */
export interface RunSummary {
  name: string
  seq: number | null
  type: string
  recordId?: string
  files: string[]
  phase: string
  progress: string | null
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  createdAt?: string
  steps?: RunStep[]
}

export interface RunDetail extends RunSummary {
  parameters: Record<string, unknown>
  steps: RunStep[]
  outcome: { attempt: number; phase: string; results?: unknown } | null
  allowedActions: string[]
}

/** A `completed` event. */
export interface CompletedEvent {
  name: string
  attempt: number
  phase: string
  status: string
  message: string | null
  finishedAt: string | null
  notificationId?: string
}

export interface RecordFile {
  key: string
  mimetype: string
  size: number | null
  status: string
  generated: boolean
  types: string[]
  lockedBy: string | null
  queued?: boolean
  lastOutcome: { run: string; phase: string; finishedAt: string | null } | null
}

export interface WorkflowType {
  name: string
  title?: string
  description?: string
  parameters?: unknown
  maxFiles?: number
}

export interface StartWarning {
  code: string
  message: string
  files: string[]
  heldBy?: string
}

export interface DryRun {
  wouldStart: { type: string; files: string[]; name: string; seq: number }
  warnings: StartWarning[]
}

export interface StreamUrl {
  url: string
  expiresAt: string
}
