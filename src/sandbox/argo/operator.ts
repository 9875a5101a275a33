// One pass of the controller over one Workflow, after Argo's wfOperationCtx.operate: reconcile pods
// into nodes, apply shutdown and deadlines, (re)walk the template tree creating nodes and pods, and
// settle the workflow's phase once the entrypoint and the exit handler are done.
import type { KubeObject } from '../types.js'
import { substituteDeep } from './expressions.js'
import { executeDag, executeSteps } from './flows.js'
import {
  isFulfilled,
  type Arguments,
  type NodePhase,
  type NodeStatus,
  type NodeType,
  type Nodes,
  type Outputs,
  type Template,
  type Workflow,
  type WorkflowSpec,
} from './model.js'
import { ANNOTATION_OUTPUTS, nodeId, onExitNodeName, podName, templateNameOfNode } from './names.js'
import {
  scopeLabel,
  type ResolvedTemplate,
  type TemplateHolder,
  type TemplateResolver,
  type TemplateScope,
} from './resolve.js'

export interface OperationHooks {
  resolver: TemplateResolver
  getPod(namespace: string, name: string): KubeObject | undefined
  /** Creates the pod for a Pod node (and starts simulating it). */
  createPod(
    workflow: Workflow,
    node: NodeStatus,
    podName: string,
    template: Template,
    attempt: number,
    onExit: boolean,
  ): void
  terminatePod(namespace: string, podName: string, message: string): void
}

export interface ExecuteOptions {
  boundaryID?: string
  displayName?: string
  onExit?: boolean
  attempt?: number
}

export const DEADLINE_MESSAGE = 'Step exceeded its deadline'

export function shutdownMessage(strategy: string): string {
  return `Stopped with strategy '${strategy}'`
}

export class WorkflowOperation {
  readonly name: string
  readonly namespace: string
  readonly nowIso: string
  readonly globals: Record<string, string> = {}
  private activePods = 0

  constructor(
    readonly workflow: Workflow,
    readonly spec: WorkflowSpec,
    readonly nodes: Nodes,
    readonly hooks: OperationHooks,
    readonly now: Date,
  ) {
    this.name = workflow.metadata.name!
    this.namespace = workflow.metadata.namespace ?? 'default'
    this.nowIso = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
    this.globals['workflow.name'] = this.name
    this.globals['workflow.namespace'] = this.namespace
    this.globals['workflow.uid'] = workflow.metadata.uid ?? ''
    this.globals['workflow.serviceAccountName'] = spec.serviceAccountName ?? ''
    this.globals['workflow.creationTimestamp'] = workflow.metadata.creationTimestamp ?? ''
    const parameters = spec.arguments?.parameters ?? []
    this.globals['workflow.parameters'] = JSON.stringify(parameters)
    for (const p of parameters) this.globals[`workflow.parameters.${p.name}`] = String(p.value ?? '')
    for (const [k, v] of Object.entries(workflow.metadata.annotations ?? {}))
      this.globals[`workflow.annotations.${k}`] = v
    for (const [k, v] of Object.entries(workflow.metadata.labels ?? {}))
      this.globals[`workflow.labels.${k}`] = v
    const startedAt = Date.parse(workflow.status?.startedAt ?? '')
    if (!isNaN(startedAt)) this.globals['workflow.duration'] = ((now.getTime() - startedAt) / 1000).toFixed(6)
  }

  get shutdown(): string {
    return this.workflow.spec.shutdown ?? ''
  }

  get localScope(): TemplateScope {
    return { kind: 'local', name: this.name, templates: this.spec.templates ?? [] }
  }

  deadlineExceeded(): boolean {
    const seconds = this.workflow.spec.activeDeadlineSeconds ?? this.spec.activeDeadlineSeconds
    const startedAt = Date.parse(this.workflow.status?.startedAt ?? '')
    if (seconds === undefined || seconds === null || isNaN(startedAt)) return false
    return this.now.getTime() >= Math.floor(startedAt / 1000) * 1000 + Number(seconds) * 1000
  }

  isOnExitNode(node: { name: string }): boolean {
    return node.name.startsWith(onExitNodeName(this.name))
  }

  /** Why a new step may not start now, or undefined when it may. */
  blockedReason(onExit: boolean): string | undefined {
    if (this.shutdown && (this.shutdown === 'Terminate' || !onExit)) return shutdownMessage(this.shutdown)
    if (!onExit && this.deadlineExceeded()) return DEADLINE_MESSAGE
    return undefined
  }

  byName(name: string): NodeStatus | undefined {
    return this.nodes[nodeId(this.name, name)]
  }

  initNode(
    name: string,
    type: NodeType,
    phase: NodePhase,
    opts: ExecuteOptions,
    resolved?: ResolvedTemplate,
    message?: string,
  ): NodeStatus {
    const node: NodeStatus = {
      id: nodeId(this.name, name),
      name,
      displayName: opts.displayName ?? name,
      type,
      phase,
      startedAt: this.nowIso,
      finishedAt: null,
    }
    if (resolved?.templateName) node.templateName = resolved.templateName
    if (resolved?.templateRef) node.templateRef = resolved.templateRef
    if (resolved) node.templateScope = scopeLabel(resolved.scope)
    if (opts.boundaryID) node.boundaryID = opts.boundaryID
    if (message) node.message = message
    if (isFulfilled(phase)) node.finishedAt = this.nowIso
    this.nodes[node.id] = node
    return node
  }

  markPhase(node: NodeStatus, phase: NodePhase, message?: string): NodeStatus {
    node.phase = phase
    if (message !== undefined) node.message = message
    if (isFulfilled(phase) && !node.finishedAt) node.finishedAt = this.nowIso
    return node
  }

  addChild(parent: NodeStatus, childId: string): void {
    const children = (parent.children ??= [])
    if (!children.includes(childId)) children.push(childId)
  }

  /** The nodes a successor hangs off: the leaves of a node's subtree, as Argo's getOutboundNodes. */
  outboundNodes(node: NodeStatus): string[] {
    switch (node.type) {
      case 'Retry': {
        const last = node.children?.at(-1)
        const child = last ? this.nodes[last] : undefined
        return child ? this.outboundNodes(child) : [node.id]
      }
      case 'Steps':
      case 'DAG':
      case 'TaskGroup':
        return node.outboundNodes?.length ? node.outboundNodes : [node.id]
      case 'StepGroup':
        return (node.children ?? []).flatMap((id) =>
          this.nodes[id] ? this.outboundNodes(this.nodes[id]) : [],
        )
      default:
        return [node.id]
    }
  }

  /** Pod phases → node phases for every unfinished Pod node, as podReconciliation does. */
  reconcilePods(): void {
    for (const node of Object.values(this.nodes)) {
      if (node.type !== 'Pod' || isFulfilled(node.phase)) continue
      const name = podName(this.name, node, templateNameOfNode(node))
      const pod = this.hooks.getPod(this.namespace, name)
      if (!pod) {
        this.markPhase(node, 'Error', 'pod deleted')
        continue
      }
      const status = (pod.status ?? {}) as {
        phase?: string
        message?: string
        containerStatuses?: {
          name: string
          state?: { terminated?: { exitCode?: number; finishedAt?: string } }
        }[]
      }
      const main = status.containerStatuses?.find((c) => c.name === 'main')?.state?.terminated
      if (status.phase === 'Running' && node.phase !== 'Running') this.markPhase(node, 'Running')
      if (status.phase === 'Succeeded' || status.phase === 'Failed') {
        const raw = pod.metadata.annotations?.[ANNOTATION_OUTPUTS]
        if (raw) node.outputs = JSON.parse(raw) as Outputs
        if (main?.finishedAt) node.finishedAt = main.finishedAt
        if (status.phase === 'Succeeded') this.markPhase(node, 'Succeeded')
        else this.markPhase(node, 'Failed', status.message ?? `Error (exit code ${main?.exitCode ?? 1})`)
      }
    }
  }

  /** Stop/Terminate and the workflow deadline end running steps, as applyExecutionControl does. */
  applyExecutionControl(): void {
    const deadline = this.deadlineExceeded()
    for (const node of Object.values(this.nodes)) {
      if (isFulfilled(node.phase) || (node.type !== 'Pod' && node.type !== 'Suspend')) continue
      const onExit = this.isOnExitNode(node)
      const reason = this.blockedReason(onExit) ?? (deadline && !onExit ? DEADLINE_MESSAGE : undefined)
      if (!reason) continue
      this.markPhase(node, 'Failed', reason)
      if (node.type === 'Pod')
        this.hooks.terminatePod(this.namespace, podName(this.name, node, templateNameOfNode(node)), reason)
    }
  }

  countActivePods(): void {
    this.activePods = Object.values(this.nodes).filter(
      (n) => n.type === 'Pod' && !isFulfilled(n.phase),
    ).length
  }

  /** Runs (or re-assesses) the template a holder names as node `nodeName`; undefined when not started yet. */
  executeTemplate(
    nodeName: string,
    holder: TemplateHolder,
    scope: TemplateScope,
    args: Arguments | undefined,
    opts: ExecuteOptions,
  ): NodeStatus | undefined {
    const existing = this.byName(nodeName)
    if (existing && isFulfilled(existing.phase)) return existing
    let resolved: ResolvedTemplate
    try {
      resolved = this.hooks.resolver.resolve(holder, scope)
    } catch (error) {
      return (
        existing ?? this.initNode(nodeName, 'Skipped', 'Error', opts, undefined, (error as Error).message)
      )
    }
    const inputs = this.inputParameters(resolved.template, args)
    if (typeof inputs === 'string') return this.initNode(nodeName, 'Pod', 'Error', opts, resolved, inputs)
    const scopeValues: Record<string, string> = { ...this.globals }
    for (const p of inputs) scopeValues[`inputs.parameters.${p.name}`] = p.value
    const template = substituteDeep(resolved.template, scopeValues)
    if (template.retryStrategy && opts.attempt === undefined) {
      return this.executeRetry(nodeName, holder, scope, args, opts, resolved, template)
    }
    if (template.steps) return executeSteps(this, nodeName, resolved, template, scopeValues, opts)
    if (template.dag) return executeDag(this, nodeName, resolved, template, scopeValues, opts)
    if (template.suspend) return this.executeSuspend(nodeName, resolved, template, opts)
    return this.executePod(nodeName, resolved, template, inputs, opts)
  }

  private inputParameters(
    template: Template,
    args: Arguments | undefined,
  ): { name: string; value: string }[] | string {
    const out: { name: string; value: string }[] = []
    for (const p of template.inputs?.parameters ?? []) {
      const given = args?.parameters?.find((a) => a.name === p.name)
      const value = given?.value ?? p.value ?? p.default
      if (value === undefined) return `inputs.parameters.${p.name} was not supplied`
      out.push({ name: p.name, value: String(value) })
    }
    return out
  }

  private executeRetry(
    nodeName: string,
    holder: TemplateHolder,
    scope: TemplateScope,
    args: Arguments | undefined,
    opts: ExecuteOptions,
    resolved: ResolvedTemplate,
    template: Template,
  ): NodeStatus | undefined {
    let node = this.byName(nodeName)
    if (!node) {
      const blocked = this.blockedReason(opts.onExit ?? false)
      if (blocked) return this.initNode(nodeName, 'Retry', 'Failed', opts, resolved, blocked)
      node = this.initNode(nodeName, 'Retry', 'Running', opts, resolved)
    }
    const displayName = opts.displayName ?? nodeName
    for (;;) {
      const lastId = node.children?.at(-1)
      let last = lastId ? this.nodes[lastId] : undefined
      const attempt = node.children?.length ?? 0
      if (last && !isFulfilled(last.phase)) {
        const attemptOpts = { ...opts, displayName: `${displayName}(${attempt - 1})`, attempt: attempt - 1 }
        last = this.executeTemplate(last.name, holder, scope, args, attemptOpts) ?? last
        if (!isFulfilled(last.phase)) return node
      }
      if (last && last.phase === 'Succeeded') {
        if (last.outputs) node.outputs = structuredClone(last.outputs)
        return this.markPhase(node, 'Succeeded')
      }
      if (last) {
        const blocked = this.blockedReason(opts.onExit ?? false)
        if (blocked) return this.markPhase(node, last.phase, blocked)
        const policy = template.retryStrategy?.retryPolicy ?? 'OnFailure'
        const retries =
          policy === 'Always' ||
          (last.phase === 'Failed' && policy === 'OnFailure') ||
          (last.phase === 'Error' && (policy === 'OnError' || policy === 'OnTransientError'))
        if (!retries) return this.markPhase(node, last.phase, last.message ?? '')
        const limit = template.retryStrategy?.limit
        if (limit !== undefined && attempt > Number(limit))
          return this.markPhase(node, last.phase, 'No more retries left')
      }
      const childName = `${nodeName}(${attempt})`
      const child = this.executeTemplate(childName, holder, scope, args, {
        ...opts,
        displayName: `${displayName}(${attempt})`,
        attempt,
      })
      if (!child) return node
      this.addChild(node, child.id)
      if (!isFulfilled(child.phase)) return node
    }
  }

  private executeSuspend(
    nodeName: string,
    resolved: ResolvedTemplate,
    template: Template,
    opts: ExecuteOptions,
  ): NodeStatus {
    const existing = this.byName(nodeName)
    if (existing) {
      const duration = parseDuration(template.suspend?.duration)
      const started = Date.parse(existing.startedAt ?? '')
      if (duration !== undefined && this.now.getTime() >= started + duration * 1000)
        this.markPhase(existing, 'Succeeded')
      return existing
    }
    const blocked = this.blockedReason(opts.onExit ?? false)
    if (blocked) return this.initNode(nodeName, 'Suspend', 'Failed', opts, resolved, blocked)
    return this.initNode(nodeName, 'Suspend', 'Running', opts, resolved)
  }

  private executePod(
    nodeName: string,
    resolved: ResolvedTemplate,
    template: Template,
    inputs: { name: string; value: string }[],
    opts: ExecuteOptions,
  ): NodeStatus | undefined {
    const existing = this.byName(nodeName)
    if (existing) return existing
    const blocked = this.blockedReason(opts.onExit ?? false)
    if (blocked) return this.initNode(nodeName, 'Pod', 'Failed', opts, resolved, blocked)
    const parallelism = this.spec.parallelism
    if (parallelism !== undefined && parallelism !== null && this.activePods >= parallelism) return undefined
    const node = this.initNode(nodeName, 'Pod', 'Pending', opts, resolved)
    if (inputs.length) node.inputs = { parameters: inputs }
    node.progress = '0/1'
    this.activePods++
    this.hooks.createPod(
      this.workflow,
      node,
      podName(this.name, node, templateNameOfNode(node)),
      template,
      opts.attempt ?? 0,
      opts.onExit ?? false,
    )
    return node
  }
}

export function parseDuration(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value === 'number') return value
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim())
  if (!match) return undefined
  const factor = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1
  return Number(match[1]) * factor
}
