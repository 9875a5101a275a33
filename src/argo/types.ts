// The slice of Argo's Workflow object the service reads. Argo's full schema is much larger; everything
// we do not name stays available through the index signatures.

export type WorkflowPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error'

export type NodePhase = WorkflowPhase | 'Skipped' | 'Omitted'

export interface WorkflowMetadata {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  creationTimestamp?: string | Date
  deletionTimestamp?: string | Date
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  [key: string]: unknown
}

export interface Parameter {
  name: string
  value?: string
  default?: string
  [key: string]: unknown
}

export interface NodeStatus {
  id: string
  name: string
  displayName?: string
  type: string
  phase?: NodePhase
  templateName?: string
  templateRef?: { name?: string; template?: string; clusterScope?: boolean }
  boundaryID?: string
  startedAt?: string
  finishedAt?: string
  message?: string
  progress?: string
  children?: string[]
  outputs?: { parameters?: Parameter[]; [key: string]: unknown }
  [key: string]: unknown
}

export interface WorkflowStatus {
  phase?: WorkflowPhase | ''
  startedAt?: string
  finishedAt?: string
  message?: string
  progress?: string
  nodes?: Record<string, NodeStatus>
  /** base64 of gzip of the JSON of `nodes`, used by Argo for big workflows. */
  compressedNodes?: string
  [key: string]: unknown
}

export interface Workflow {
  apiVersion?: string
  kind?: string
  metadata: WorkflowMetadata
  spec?: Record<string, unknown>
  status?: WorkflowStatus
  [key: string]: unknown
}
