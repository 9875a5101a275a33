// Scripted step behaviour for the sandbox: what a simulated pod does, chosen per template.
import type { Template } from './model.js'

/** Annotation on a Workflow, WorkflowTemplate or ClusterWorkflowTemplate: JSON keyed by template name or `*`. */
export const BEHAVIOR_ANNOTATION = 'sandbox.compchem.cz/behavior'

export interface StepResult {
  status: 'SUCCESS' | 'FAILURE' | 'PARTIAL'
  message?: string
  files?: Record<string, string>
}

export interface StepBehavior {
  /** Sandbox seconds the main container runs (default: the controller's stepSeconds). */
  seconds?: number
  /** Exit code of the main container (default 0). */
  exitCode?: number
  /** The first N attempts exit with `exitCode` (or 1); later attempts succeed — for retryStrategy. */
  failAttempts?: number
  /** Lines the main container logs, spread over its run time. */
  logLines?: string[]
  /** Contents of /tmp/result.json (the step result convention); absent means no file. */
  result?: StepResult
  /** Other files the container leaves behind, by absolute path, for output parameters. */
  paths?: Record<string, string>
  /** Standard output of a script template (its outputs.result); default: the log lines. */
  stdout?: string
  /** Runs until stopped, terminated or past its deadline. */
  hang?: boolean
}

export type BehaviorMap = Record<string, StepBehavior>

export const RESULT_PATH = '/tmp/result.json'

export function parseBehaviorAnnotation(
  annotations: Record<string, string> | undefined,
): BehaviorMap | undefined {
  const raw = annotations?.[BEHAVIOR_ANNOTATION]
  if (!raw) return undefined
  try {
    const parsed: unknown = JSON.parse(raw)
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as BehaviorMap)
      : undefined
  } catch {
    return undefined
  }
}

/** The behaviour for a template: the workflow's own entry wins over the template owner's, a name over `*`. */
export function pickBehavior(templateName: string, maps: (BehaviorMap | undefined)[]): StepBehavior {
  for (const map of maps) {
    if (map?.[templateName]) return map[templateName]
    if (map?.['*']) return map['*']
  }
  return {}
}

export interface PlannedRun {
  seconds: number
  exitCode: number
  logLines: string[]
  hang: boolean
  files: Record<string, string>
  stdout: string
}

export function planRun(
  behavior: StepBehavior,
  context: { template: Template; attempt: number; stepSeconds: number; podName: string },
): PlannedRun {
  const failing = behavior.failAttempts !== undefined && context.attempt < behavior.failAttempts
  const exitCode = failing
    ? behavior.exitCode || 1
    : behavior.failAttempts !== undefined
      ? 0
      : (behavior.exitCode ?? 0)
  const image = context.template.container?.image ?? context.template.script?.image ?? 'busybox'
  const logLines = behavior.logLines ?? [
    `sandbox: running ${context.template.name} in ${context.podName} (${image})`,
    `sandbox: working on ${context.template.name}`,
    exitCode === 0 ? 'sandbox: done' : `sandbox: failing with exit code ${exitCode}`,
  ]
  const files: Record<string, string> = { ...(behavior.paths ?? {}) }
  if (behavior.result) files[RESULT_PATH] = JSON.stringify(behavior.result)
  return {
    seconds: behavior.seconds ?? context.stepSeconds,
    exitCode,
    logLines,
    hang: behavior.hang === true,
    files,
    stdout: behavior.stdout ?? logLines.join('\n'),
  }
}
