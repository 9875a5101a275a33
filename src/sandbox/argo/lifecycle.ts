// What the Argo Server does to a Workflow on retry, resume, suspend, stop and terminate
// (workflow/util/util.go): the same state changes, applied to the sandbox store.
import type { ObjectStore } from '../types.js'
import {
  isFailedOrError,
  isFulfilled,
  isWorkflowCompleted,
  type NodeStatus,
  type Nodes,
  type Workflow,
} from './model.js'
import { LABEL_COMPLETED, LABEL_PHASE, onExitNodeName, podName, templateNameOfNode } from './names.js'
import { readNodes, writeNodes } from './nodes-codec.js'
import { updateWithRetry } from './writes.js'

/** An Argo Server error: gRPC code and the HTTP status grpc-gateway maps it to. */
export class ArgoServerError extends Error {
  constructor(
    readonly grpcCode: number,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message)
  }
}

const badRequest = (message: string) => new ArgoServerError(3, 400, message)
const notFound = (name: string) => new ArgoServerError(5, 404, `workflows.argoproj.io "${name}" not found`)
const internal = (message: string) => new ArgoServerError(13, 500, message)

const GROUP_TYPES = new Set(['DAG', 'Steps', 'StepGroup', 'TaskGroup', 'Retry'])

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export interface RetryOptions {
  restartSuccessful?: boolean
  nodeFieldSelector?: string
  now?: Date
}

/**
 * FormulateRetryWorkflow: failed pod nodes (with what hangs below them) and the exit handler are
 * deleted, their ancestors reset to Running, succeeded work kept; the workflow is Running again.
 */
export function formulateRetryWorkflow(
  workflow: Workflow,
  options: RetryOptions = {},
): { workflow: Workflow; podsToDelete: string[] } {
  const phase = workflow.status?.phase
  if (phase === 'Succeeded' && !(options.restartSuccessful && options.nodeFieldSelector)) {
    throw badRequest('To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector')
  }
  if (phase !== 'Failed' && phase !== 'Error' && phase !== 'Succeeded') {
    throw badRequest(`Cannot retry a workflow in phase ${phase ?? ''}`)
  }
  const now = iso(options.now ?? new Date())
  const name = workflow.metadata.name!
  const nodes = readNodes(workflow.status)
  const parents = new Map<string, string[]>()
  for (const node of Object.values(nodes)) {
    for (const child of node.children ?? []) parents.set(child, [...(parents.get(child) ?? []), node.id])
  }
  const selected = selectNodes(nodes, options)
  const toDelete = new Set<string>()
  const deleteWithDescendants = (id: string): void => {
    if (toDelete.has(id) || !nodes[id]) return
    toDelete.add(id)
    for (const child of nodes[id].children ?? []) deleteWithDescendants(child)
  }
  for (const node of Object.values(nodes)) {
    const retryParent = (parents.get(node.id) ?? []).map((p) => nodes[p]).find((p) => p?.type === 'Retry')
    const failed = isFailedOrError(node.phase) && !(retryParent && retryParent.phase === 'Succeeded')
    const executable = node.type === 'Pod' || node.type === 'Suspend'
    if ((executable && failed) || selected.has(node.id) || node.name.startsWith(onExitNodeName(name))) {
      deleteWithDescendants(node.id)
    }
  }
  const toReset = new Set<string>()
  const resetAncestors = (id: string): void => {
    for (const parent of parents.get(id) ?? []) {
      if (toReset.has(parent)) continue
      if (GROUP_TYPES.has(nodes[parent]!.type)) toReset.add(parent)
      resetAncestors(parent)
    }
  }
  for (const id of toDelete) resetAncestors(id)

  const next = structuredClone(workflow)
  const newNodes: Nodes = {}
  for (const node of Object.values(nodes)) {
    if (toDelete.has(node.id)) continue
    const copy: NodeStatus = structuredClone(node)
    if (copy.children) copy.children = copy.children.filter((c) => !toDelete.has(c))
    if (copy.outboundNodes) copy.outboundNodes = copy.outboundNodes.filter((c) => !toDelete.has(c))
    if (toReset.has(node.id)) {
      if (copy.phase !== 'Skipped') copy.phase = 'Running'
      delete copy.message
      copy.startedAt = now
      copy.finishedAt = null
    }
    newNodes[copy.id] = copy
  }
  const labels = (next.metadata.labels ??= {})
  delete labels[LABEL_COMPLETED]
  delete labels['workflows.argoproj.io/workflow-archiving-status']
  labels[LABEL_PHASE] = 'Running'
  const status = (next.status ??= {})
  status.phase = 'Running'
  status.message = ''
  status.startedAt = now
  status.finishedAt = null
  status.conditions = [
    ...(status.conditions ?? []).filter((c) => c.type !== 'Completed'),
    { type: 'Completed', status: 'False' },
  ]
  writeNodes(status, newNodes, workflow.status?.compressedNodes ? 0 : undefined)
  delete next.spec.shutdown
  if (next.spec.activeDeadlineSeconds === 0) delete next.spec.activeDeadlineSeconds
  if (status.storedWorkflowTemplateSpec) delete status.storedWorkflowTemplateSpec.shutdown
  const podsToDelete = [...toDelete]
    .map((id) => nodes[id]!)
    .filter((n) => n.type === 'Pod')
    .map((n) => podName(name, n, templateNameOfNode(n)))
  return { workflow: next, podsToDelete }
}

/** Nodes a `nodeFieldSelector` (e.g. `templateName=x` or `displayName=a`) picks for restart. */
function selectNodes(nodes: Nodes, options: RetryOptions): Set<string> {
  const out = new Set<string>()
  if (!options.restartSuccessful || !options.nodeFieldSelector) return out
  const terms = options.nodeFieldSelector.split(',').map((t) => t.split(/!=|==|=/))
  for (const node of Object.values(nodes)) {
    const fields = node as unknown as Record<string, unknown>
    if (terms.every(([k, v]) => String(fields[k!.trim()] ?? '') === (v ?? '').trim())) out.add(node.id)
  }
  return out
}

function load(store: ObjectStore, namespace: string, name: string): Workflow {
  const wf = store.get('workflows', namespace, name) as Workflow | undefined
  if (!wf) throw notFound(name)
  return wf
}

export function retryWorkflow(
  store: ObjectStore,
  namespace: string,
  name: string,
  options: RetryOptions = {},
): Workflow {
  let podsToDelete: string[] = []
  load(store, namespace, name)
  const written = updateWithRetry<Workflow>(store, 'workflows', namespace, name, (current) => {
    const formulated = formulateRetryWorkflow(current, options)
    podsToDelete = formulated.podsToDelete
    return formulated.workflow
  })
  if (!written) throw notFound(name)
  for (const pod of podsToDelete) store.delete('pods', namespace, pod)
  return written
}

/** Resume: spec.suspend cleared and every active suspend node Succeeded. */
export function resumeWorkflow(
  store: ObjectStore,
  namespace: string,
  name: string,
  now: Date = new Date(),
): Workflow {
  load(store, namespace, name)
  return updateWithRetry<Workflow>(store, 'workflows', namespace, name, (wf) => {
    delete wf.spec.suspend
    const nodes = readNodes(wf.status)
    for (const node of Object.values(nodes)) {
      if (node.type === 'Suspend' && !isFulfilled(node.phase)) {
        node.phase = 'Succeeded'
        node.finishedAt = iso(now)
      }
    }
    if (wf.status) writeNodes(wf.status, nodes, wf.status.compressedNodes ? 0 : undefined)
    return wf
  })!
}

export function suspendWorkflow(store: ObjectStore, namespace: string, name: string): Workflow {
  const wf = load(store, namespace, name)
  if (isWorkflowCompleted(wf.status?.phase)) throw badRequest('cannot suspend completed workflows')
  return updateWithRetry<Workflow>(store, 'workflows', namespace, name, (current) => {
    current.spec.suspend = true
    return current
  })!
}

export function shutdownWorkflow(
  store: ObjectStore,
  namespace: string,
  name: string,
  strategy: 'Stop' | 'Terminate',
): Workflow {
  const wf = load(store, namespace, name)
  if (isWorkflowCompleted(wf.status?.phase)) {
    throw internal(`cannot shutdown a completed workflow: workflow: "${name}", namespace: "${namespace}"`)
  }
  return updateWithRetry<Workflow>(store, 'workflows', namespace, name, (current) => {
    current.spec.shutdown = strategy
    return current
  })!
}
