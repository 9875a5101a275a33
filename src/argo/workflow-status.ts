import { decodeCompressedNodes, type NodeMap } from './compressed-nodes.js'
import { podNameOf, templateNameOf } from './pod-name.js'
import type { NodePhase, NodeStatus, Workflow, WorkflowPhase } from './types.js'

export * from './labels.js'

export type StepResultStatus = 'SUCCESS' | 'PARTIAL' | 'FAILURE'

/** What a processing step reported in /tmp/result.json, exposed as its output parameter `result`. */
export interface StepResult {
  status: StepResultStatus
  message: string
  files: Record<string, StepResultStatus>
}

export interface Step {
  id: string
  name: string
  displayName: string
  templateName: string
  phase: NodePhase
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  podName: string
  result: StepResult | null
}

const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Error'])
const RESULT_STATUSES: ReadonlySet<string> = new Set(['SUCCESS', 'PARTIAL', 'FAILURE'])
const RESULT_PARAMETER = 'result'

export function isTerminal(phase: string | undefined | null): boolean {
  return phase !== undefined && phase !== null && TERMINAL_PHASES.has(phase)
}

/** The run's phase; a Workflow the controller has not touched yet has no status and is Pending. */
export function phaseOf(workflow: Workflow): WorkflowPhase {
  return workflow.status?.phase || 'Pending'
}

// Decoding compressedNodes costs a gunzip; cache per status object (the informer replaces it on change).
const decodedNodes = new WeakMap<object, NodeMap>()

/** The workflow's nodes, decoding `compressedNodes` when Argo compressed them. */
export function nodesOf(workflow: Workflow): NodeMap {
  const status = workflow.status
  if (!status) return {}
  if (status.nodes) return status.nodes
  if (!status.compressedNodes) return {}
  let nodes = decodedNodes.get(status)
  if (!nodes) {
    try {
      nodes = decodeCompressedNodes(status.compressedNodes)
    } catch {
      nodes = {}
    }
    decodedNodes.set(status, nodes)
  }
  return nodes
}

/** Parses a step's `result` output; anything missing, malformed or the parameter's default gives null. */
export function parseStepResult(node: Pick<NodeStatus, 'outputs'>): StepResult | null {
  const raw = node.outputs?.parameters?.find((parameter) => parameter.name === RESULT_PARAMETER)?.value
  if (typeof raw !== 'string' || raw.trim() === '') return null
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return null
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null
  const { status, message, files } = parsed as Record<string, unknown>
  if (typeof status !== 'string' || !RESULT_STATUSES.has(status)) return null
  return {
    status: status as StepResultStatus,
    message: typeof message === 'string' ? message : '',
    files: fileStatuses(files),
  }
}

function fileStatuses(files: unknown): Record<string, StepResultStatus> {
  const statuses: Record<string, StepResultStatus> = {}
  if (!files || typeof files !== 'object' || Array.isArray(files)) return statuses
  for (const [key, value] of Object.entries(files)) {
    if (typeof value === 'string' && RESULT_STATUSES.has(value)) statuses[key] = value as StepResultStatus
  }
  return statuses
}

/** The steps that ran in pods, in the order they started (not yet started ones last). */
export function stepsOf(workflow: Workflow): Step[] {
  const steps = Object.values(nodesOf(workflow))
    .filter((node) => node.type === 'Pod')
    .map((node) => stepOf(workflow, node))
  return steps.sort(byStartThenName)
}

function stepOf(workflow: Workflow, node: NodeStatus): Step {
  return {
    id: node.id,
    name: node.name,
    displayName: node.displayName || node.name,
    templateName: templateNameOf(node),
    phase: node.phase || 'Pending',
    startedAt: node.startedAt || null,
    finishedAt: node.finishedAt || null,
    message: node.message || null,
    podName: podNameOf(workflow, node),
    result: parseStepResult(node),
  }
}

function byStartThenName(a: Step, b: Step): number {
  if (a.startedAt !== b.startedAt) {
    if (a.startedAt === null) return 1
    if (b.startedAt === null) return -1
    return a.startedAt < b.startedAt ? -1 : 1
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** Argo's "done/total" progress of the run, or one counted from its pod nodes when Argo gives none. */
export function progressOf(workflow: Workflow): string {
  if (workflow.status?.progress) return workflow.status.progress
  const pods = Object.values(nodesOf(workflow)).filter((node) => node.type === 'Pod')
  const done = pods.filter((node) => isTerminal(node.phase)).length
  return `${done}/${pods.length}`
}
