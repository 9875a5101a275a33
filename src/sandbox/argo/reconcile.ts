// From a stored Workflow to its next state: first-time setup and validation, one operation pass, and
// the workflow-level phase, message, labels and progress Argo derives from the nodes.
import { readNodes, writeNodes } from './nodes-codec.js'
import {
  isFailedOrError,
  isFulfilled,
  type NodePhase,
  type Workflow,
  type WorkflowPhase,
  type WorkflowSpec,
} from './model.js'
import { LABEL_COMPLETED, LABEL_PHASE, onExitNodeName } from './names.js'
import { shutdownMessage, WorkflowOperation, type OperationHooks } from './operator.js'
import { failuresJson, updateProgress } from './progress.js'
import { executionSpec, TemplateNotFoundError } from './resolve.js'
import { SpecError, validateWorkflow } from './validate.js'

export interface ReconcileOptions {
  hooks: OperationHooks
  now: Date
  compressNodesAbove?: number
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const WORKFLOW_PHASE_OF_NODE: Record<NodePhase, WorkflowPhase> = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Skipped: 'Succeeded',
  Omitted: 'Succeeded',
  Failed: 'Failed',
  Error: 'Error',
}

function setPhase(workflow: Workflow, phase: WorkflowPhase, now: Date, message?: string): void {
  const status = (workflow.status ??= {})
  status.phase = phase
  if (message !== undefined) status.message = message
  const labels = (workflow.metadata.labels ??= {})
  labels[LABEL_PHASE] = phase
  if (phase === 'Running' || phase === 'Pending') {
    status.startedAt ??= iso(now)
    status.finishedAt ??= null
  } else {
    status.startedAt ??= iso(now)
    status.finishedAt = iso(now)
    labels[LABEL_COMPLETED] = 'true'
    const conditions = (status.conditions ?? []).filter(
      (c) => c.type !== 'Completed' && c.type !== 'PodRunning',
    )
    status.conditions = [
      ...conditions,
      { type: 'PodRunning', status: 'False' },
      { type: 'Completed', status: 'True' },
    ]
  }
}

/** Returns the workflow as it should be stored next (a modified copy); the caller compares and writes. */
export function reconcileWorkflow(stored: Workflow, options: ReconcileOptions): Workflow {
  const workflow = structuredClone(stored)
  const { now, hooks } = options
  const status = (workflow.status ??= {})
  if (status.phase && status.phase !== 'Pending' && status.phase !== 'Running') return workflow

  let spec: WorkflowSpec
  if (!status.phase || status.phase === 'Pending') {
    try {
      spec = executionSpec(workflow, hooks.resolver)
    } catch (error) {
      if (!(error instanceof TemplateNotFoundError)) throw error
      setPhase(workflow, 'Error', now, error.message)
      return workflow
    }
    const scope = { kind: 'local' as const, name: workflow.metadata.name!, templates: spec.templates ?? [] }
    try {
      validateWorkflow(spec, hooks.resolver, scope, {
        workflowTemplateRef: !!workflow.spec?.workflowTemplateRef,
        ownTemplates: workflow.spec?.templates,
      })
    } catch (error) {
      if (!(error instanceof SpecError)) throw error
      setPhase(workflow, 'Failed', now, `invalid spec: ${error.message}`)
      return workflow
    }
    if (workflow.spec.workflowTemplateRef) status.storedWorkflowTemplateSpec = spec
    setPhase(workflow, 'Running', now)
  } else {
    spec = status.storedWorkflowTemplateSpec ?? workflow.spec
  }

  const nodes = readNodes(status)
  const op = new WorkflowOperation(workflow, spec, nodes, hooks, now)
  op.reconcilePods()
  op.applyExecutionControl()
  op.countActivePods()
  const suspended = workflow.spec.suspend === true && !workflow.spec.shutdown
  if (!suspended) advance(op, workflow, spec, now)
  status.progress = updateProgress(nodes)
  writeNodes(status, nodes, options.compressNodesAbove)
  return workflow
}

function advance(op: WorkflowOperation, workflow: Workflow, spec: WorkflowSpec, now: Date): void {
  const name = workflow.metadata.name!
  const root = op.executeTemplate(name, { template: spec.entrypoint }, op.localScope, spec.arguments, {})
  if (!root || !isFulfilled(root.phase)) return
  const workflowPhase = WORKFLOW_PHASE_OF_NODE[root.phase]
  let exitNode
  if (spec.onExit && workflow.spec.shutdown !== 'Terminate') {
    op.globals['workflow.status'] = workflowPhase
    op.globals['workflow.failures'] = failuresJson(name, op.nodes)
    const exitName = onExitNodeName(name)
    exitNode = op.executeTemplate(exitName, { template: spec.onExit }, op.localScope, spec.arguments, {
      onExit: true,
      displayName: exitName,
    })
    if (!exitNode || !isFulfilled(exitNode.phase)) return
  }
  const shutdown = workflow.spec.shutdown
  const message = isFailedOrError(root.phase) && shutdown ? shutdownMessage(shutdown) : (root.message ?? '')
  if (workflowPhase === 'Succeeded' && exitNode && isFailedOrError(exitNode.phase)) {
    setPhase(workflow, exitNode.phase === 'Failed' ? 'Failed' : 'Error', now, exitNode.message ?? '')
    return
  }
  if (workflowPhase === 'Succeeded') setPhase(workflow, 'Succeeded', now)
  else setPhase(workflow, workflowPhase, now, message)
}
