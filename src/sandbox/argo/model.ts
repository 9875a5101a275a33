// The parts of Argo's Workflow types the simulator reads and writes (pkg/apis/workflow/v1alpha1).
import type { KubeObject } from '../types.js'

export type WorkflowPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error'
export type NodePhase = 'Pending' | 'Running' | 'Succeeded' | 'Skipped' | 'Failed' | 'Error' | 'Omitted'
export type NodeType = 'Pod' | 'Steps' | 'StepGroup' | 'DAG' | 'TaskGroup' | 'Retry' | 'Skipped' | 'Suspend'

export interface Parameter {
  name: string
  value?: string
  default?: string
  valueFrom?: {
    path?: string
    default?: string
    parameter?: string
    supplied?: object
    [key: string]: unknown
  }
  [key: string]: unknown
}

export interface Arguments {
  parameters?: Parameter[]
  artifacts?: { name: string; from?: string; [key: string]: unknown }[]
}

export interface TemplateRef {
  name: string
  template: string
  clusterScope?: boolean
}

export interface WorkflowStep {
  name: string
  template?: string
  templateRef?: TemplateRef
  arguments?: Arguments
  when?: string
  withItems?: unknown[]
  withParam?: string
  continueOn?: { failed?: boolean; error?: boolean }
  [key: string]: unknown
}

export interface DagTask extends WorkflowStep {
  dependencies?: string[]
  depends?: string
}

export interface RetryStrategy {
  limit?: number | string
  retryPolicy?: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError'
  [key: string]: unknown
}

export interface Template {
  name: string
  inputs?: { parameters?: Parameter[]; artifacts?: unknown[] }
  outputs?: {
    parameters?: Parameter[]
    artifacts?: { name: string; path?: string }[]
    [key: string]: unknown
  }
  container?: { image?: string; command?: string[]; args?: string[]; [key: string]: unknown }
  script?: { image?: string; source?: string; command?: string[]; [key: string]: unknown }
  steps?: WorkflowStep[][]
  dag?: { tasks: DagTask[]; failFast?: boolean; target?: string }
  suspend?: { duration?: string | number }
  resource?: unknown
  retryStrategy?: RetryStrategy
  activeDeadlineSeconds?: number | string
  [key: string]: unknown
}

export interface WorkflowSpec {
  entrypoint?: string
  templates?: Template[]
  arguments?: Arguments
  onExit?: string
  shutdown?: 'Stop' | 'Terminate' | ''
  suspend?: boolean
  activeDeadlineSeconds?: number
  parallelism?: number
  workflowTemplateRef?: { name: string; clusterScope?: boolean }
  ttlStrategy?: {
    secondsAfterCompletion?: number
    secondsAfterSuccess?: number
    secondsAfterFailure?: number
  }
  podGC?: { strategy?: string }
  serviceAccountName?: string
  [key: string]: unknown
}

export interface Outputs {
  parameters?: { name: string; value?: string }[]
  artifacts?: { name: string; path?: string }[]
  result?: string
  exitCode?: string
}

export interface NodeStatus {
  id: string
  name: string
  displayName: string
  type: NodeType
  templateName?: string
  templateRef?: TemplateRef
  templateScope?: string
  phase: NodePhase
  boundaryID?: string
  message?: string
  startedAt: string | null
  finishedAt: string | null
  progress?: string
  children?: string[]
  outboundNodes?: string[]
  inputs?: { parameters?: { name: string; value?: string }[] }
  outputs?: Outputs
  hostNodeName?: string
}

export type Nodes = Record<string, NodeStatus>

export interface WorkflowStatus {
  phase?: WorkflowPhase
  startedAt?: string | null
  finishedAt?: string | null
  message?: string
  progress?: string
  nodes?: Nodes
  compressedNodes?: string
  conditions?: { type: string; status: string; message?: string }[]
  storedTemplates?: Record<string, Template>
  storedWorkflowTemplateSpec?: WorkflowSpec
  [key: string]: unknown
}

export interface Workflow extends KubeObject {
  spec: WorkflowSpec
  status?: WorkflowStatus
}

export interface WorkflowTemplateObject extends KubeObject {
  spec: WorkflowSpec
}

export function isFulfilled(phase: NodePhase | undefined): boolean {
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running'
}

export function isFailedOrError(phase: NodePhase | undefined): boolean {
  return phase === 'Failed' || phase === 'Error'
}

export function isWorkflowCompleted(phase: WorkflowPhase | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error'
}
