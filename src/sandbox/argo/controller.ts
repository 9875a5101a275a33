// The Argo Workflows controller simulator: watches the sandbox store, runs every Workflow's nodes as
// simulated pods on sandbox time, and garbage-collects pods and finished workflows as Argo does.
import type { KubeObject, ObjectStore, PodLogStore, SandboxClock, StoreEvent } from '../types.js'
import { parseBehaviorAnnotation, pickBehavior, planRun, type BehaviorMap } from './behavior.js'
import { isFulfilled, isWorkflowCompleted, type NodeStatus, type Template, type Workflow } from './model.js'
import { LABEL_COMPLETED, LABEL_WORKFLOW, podName, templateNameOfNode } from './names.js'
import { readNodes } from './nodes-codec.js'
import type { OperationHooks } from './operator.js'
import { buildPod, PodSimulator } from './pods.js'
import { reconcileWorkflow } from './reconcile.js'
import { TemplateResolver } from './resolve.js'
import { isConflict, updateWithRetry } from './writes.js'

export interface ControllerLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface ArgoControllerOptions {
  store: ObjectStore
  logs: PodLogStore
  clock: SandboxClock
  /** Only manage Workflows in this namespace (default: all namespaces). */
  namespace?: string
  logger?: ControllerLogger
  /** Sandbox seconds a step runs unless its behaviour says otherwise (default SANDBOX_STEP_SECONDS or 3). */
  stepSeconds?: number
  /** Write status.compressedNodes instead of status.nodes when the nodes' JSON exceeds this many bytes. */
  compressNodesAbove?: number
}

function defaultStepSeconds(): number {
  const fromEnv = Number(process.env.SANDBOX_STEP_SECONDS)
  return Number.isFinite(fromEnv) && fromEnv >= 0 && process.env.SANDBOX_STEP_SECONDS ? fromEnv : 3
}

const silentLogger: ControllerLogger = { info: () => {}, warn: () => {}, error: () => {} }

export class ArgoControllerSimulator {
  private readonly store: ObjectStore
  private readonly logs: PodLogStore
  private readonly clock: SandboxClock
  private readonly namespace?: string
  private readonly logger: ControllerLogger
  private readonly stepSeconds: number
  private readonly compressNodesAbove?: number
  private readonly pods: PodSimulator
  private readonly queued = new Set<string>()
  private unsubscribe?: () => void
  private running = false
  private flushScheduled = false
  private loop?: Promise<void>

  constructor(options: ArgoControllerOptions) {
    this.store = options.store
    this.logs = options.logs
    this.clock = options.clock
    this.namespace = options.namespace
    this.logger = options.logger ?? silentLogger
    this.stepSeconds = options.stepSeconds ?? defaultStepSeconds()
    this.compressNodesAbove = options.compressNodesAbove
    this.pods = new PodSimulator(this.store, this.logs)
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.unsubscribe = this.store.subscribe((event) => this.onEvent(event))
    for (const wf of this.store.list('workflows', this.namespace))
      this.enqueue(wf.metadata.namespace, wf.metadata.name)
    this.loop = this.tickLoop()
  }

  /** Stops watching and ticking; resolves once the tick loop has ended. */
  async stop(): Promise<void> {
    this.running = false
    this.unsubscribe?.()
    this.unsubscribe = undefined
    await this.loop
  }

  /** One controller pass over everything, on demand (tests, admin endpoints). */
  tick(): void {
    const now = this.clock.now()
    this.pods.advance(now)
    for (const wf of this.store.list('workflows', this.namespace)) {
      this.operate(wf.metadata.namespace ?? 'default', wf.metadata.name!)
    }
  }

  private get tickSeconds(): number {
    return Math.max(0.05, Math.min(1, this.stepSeconds / 4))
  }

  private async tickLoop(): Promise<void> {
    while (this.running) {
      try {
        this.tick()
      } catch (error) {
        this.logger.error({ err: error }, 'controller tick failed')
      }
      await this.clock.sleep(this.tickSeconds)
    }
  }

  private onEvent(event: StoreEvent): void {
    const ns = event.object.metadata.namespace
    if (this.namespace && ns !== this.namespace) return
    if (event.resource === 'workflows' && event.type !== 'DELETED')
      this.enqueue(ns, event.object.metadata.name)
    if (event.resource === 'pods') {
      const owner = event.object.metadata.labels?.[LABEL_WORKFLOW]
      if (!owner) return
      if (event.type === 'DELETED') {
        this.pods.forget(ns ?? 'default', event.object.metadata.name!)
        this.logs.remove(ns ?? 'default', event.object.metadata.name!)
      }
      this.enqueue(ns, owner)
    }
  }

  private enqueue(namespace: string | undefined, name: string | undefined): void {
    if (!name || !this.running) return
    this.queued.add(`${namespace ?? 'default'}/${name}`)
    if (this.flushScheduled) return
    this.flushScheduled = true
    // never operate inside the store's listener: our own writes would re-enter it
    setImmediate(() => {
      this.flushScheduled = false
      const keys = [...this.queued]
      this.queued.clear()
      for (const key of keys) {
        if (!this.running) return
        const [ns, wfName] = key.split('/') as [string, string]
        this.operate(ns, wfName)
      }
    })
  }

  private operate(namespace: string, name: string): void {
    try {
      const current = this.store.get('workflows', namespace, name) as Workflow | undefined
      if (!current) return
      if (isWorkflowCompleted(current.status?.phase)) {
        this.afterCompletion(current)
        return
      }
      const written = updateWithRetry<Workflow>(this.store, 'workflows', namespace, name, (latest) => {
        const next = reconcileWorkflow(latest, {
          hooks: this.hooks(namespace),
          now: this.clock.now(),
          compressNodesAbove: this.compressNodesAbove,
        })
        return JSON.stringify(next) === JSON.stringify(latest) ? undefined : next
      })
      if (written) this.collectPods(written)
      if (written && isWorkflowCompleted(written.status?.phase)) {
        this.logger.info({ workflow: name, namespace, phase: written.status?.phase }, 'workflow completed')
        this.afterCompletion(written)
      }
    } catch (error) {
      this.logger.error({ err: error, workflow: name, namespace }, 'workflow operation failed')
    }
  }

  private hooks(namespace: string): OperationHooks {
    const resolver = new TemplateResolver(this.store, namespace)
    return {
      resolver,
      getPod: (ns, pod) => this.store.get('pods', ns, pod),
      createPod: (workflow, node, pod, template, attempt, onExit) =>
        this.createPod(workflow, node, pod, template, attempt, onExit),
      terminatePod: (ns, pod, message) => this.pods.terminate(ns, pod, message, this.clock.now()),
    }
  }

  private createPod(
    workflow: Workflow,
    node: NodeStatus,
    name: string,
    template: Template,
    attempt: number,
    onExit: boolean,
  ): void {
    const namespace = workflow.metadata.namespace ?? 'default'
    try {
      this.store.create('pods', namespace, buildPod(workflow, node, name, template, onExit))
    } catch (error) {
      if (!isConflict(error)) throw error
    }
    if (this.pods.isTracked(namespace, name)) return
    const behavior = pickBehavior(templateNameOfNode(node), this.behaviorMaps(workflow, node))
    const plan = planRun(behavior, { template, attempt, stepSeconds: this.stepSeconds, podName: name })
    this.pods.track(namespace, name, template, plan, this.clock.now())
  }

  private behaviorMaps(workflow: Workflow, node: NodeStatus): (BehaviorMap | undefined)[] {
    const maps = [parseBehaviorAnnotation(workflow.metadata.annotations)]
    const ns = workflow.metadata.namespace
    const owner = node.templateRef
      ? node.templateRef.clusterScope
        ? this.store.get('clusterworkflowtemplates', undefined, node.templateRef.name)
        : this.store.get('workflowtemplates', ns, node.templateRef.name)
      : workflow.spec.workflowTemplateRef
        ? workflow.spec.workflowTemplateRef.clusterScope
          ? this.store.get('clusterworkflowtemplates', undefined, workflow.spec.workflowTemplateRef.name)
          : this.store.get('workflowtemplates', ns, workflow.spec.workflowTemplateRef.name)
        : undefined
    maps.push(parseBehaviorAnnotation(owner?.metadata.annotations))
    return maps
  }

  /** podGC strategies acting on single pods, and the completed=true label otherwise. */
  private collectPods(workflow: Workflow): void {
    const strategy = workflow.spec.podGC?.strategy
    const completed = isWorkflowCompleted(workflow.status?.phase)
    const succeeded = workflow.status?.phase === 'Succeeded'
    const ns = workflow.metadata.namespace ?? 'default'
    for (const node of Object.values(readNodes(workflow.status))) {
      if (node.type !== 'Pod' || !isFulfilled(node.phase)) continue
      const name = podName(workflow.metadata.name!, node, templateNameOfNode(node))
      const pod = this.store.get('pods', ns, name)
      if (!pod) continue
      const remove =
        strategy === 'OnPodCompletion' ||
        (strategy === 'OnPodSuccess' && node.phase === 'Succeeded') ||
        (strategy === 'OnWorkflowCompletion' && completed) ||
        (strategy === 'OnWorkflowSuccess' && succeeded)
      if (remove) this.deletePod(ns, name)
      else if (!strategy && pod.metadata.labels?.[LABEL_COMPLETED] !== 'true') this.labelCompleted(ns, name)
    }
  }

  private deletePod(namespace: string, name: string): void {
    this.pods.forget(namespace, name)
    this.store.delete('pods', namespace, name)
  }

  private labelCompleted(namespace: string, name: string): void {
    updateWithRetry<KubeObject>(this.store, 'pods', namespace, name, (pod) => {
      ;(pod.metadata.labels ??= {})[LABEL_COMPLETED] = 'true'
      return pod
    })
  }

  /** Pod GC at completion and ttlStrategy deletion of finished workflows. */
  private afterCompletion(workflow: Workflow): void {
    this.collectPods(workflow)
    if (workflow.metadata.deletionTimestamp) return
    const ttl = workflow.spec.ttlStrategy
    if (!ttl) return
    const phase = workflow.status?.phase
    const seconds =
      phase === 'Succeeded' && ttl.secondsAfterSuccess !== undefined
        ? ttl.secondsAfterSuccess
        : phase !== 'Succeeded' && ttl.secondsAfterFailure !== undefined
          ? ttl.secondsAfterFailure
          : ttl.secondsAfterCompletion
    if (seconds === undefined || seconds === null) return
    const finishedAt = Date.parse(workflow.status?.finishedAt ?? '')
    if (isNaN(finishedAt) || this.clock.now().getTime() < finishedAt + seconds * 1000) return
    this.logger.info(
      { workflow: workflow.metadata.name, namespace: workflow.metadata.namespace },
      'ttlStrategy: deleting workflow',
    )
    this.store.delete('workflows', workflow.metadata.namespace, workflow.metadata.name!)
  }
}
