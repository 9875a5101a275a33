// Simulated workflow pods: the Pod object Argo would create, and a kubelet stand-in that moves it
// through Pending → Running → Succeeded/Failed on sandbox time, writing the main container's logs.
import type { KubeObject, ObjectStore, PodLogStore } from '../types.js'
import { RESULT_PATH, type PlannedRun } from './behavior.js'
import type { NodeStatus, Outputs, Template, Workflow } from './model.js'
import {
  ANNOTATION_NODE_ID,
  ANNOTATION_NODE_NAME,
  ANNOTATION_OUTPUTS,
  ANNOTATION_TEMPLATE,
  LABEL_COMPLETED,
  LABEL_ON_EXIT,
  LABEL_WORKFLOW,
} from './names.js'
import { updateWithRetry } from './writes.js'

function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

const EXECUTOR_IMAGE = 'quay.io/argoproj/argoexec:v4.1.2'

export function buildPod(
  workflow: Workflow,
  node: NodeStatus,
  name: string,
  template: Template,
  onExit: boolean,
): KubeObject {
  const main = template.container ?? template.script ?? {}
  const labels: Record<string, string> = {
    [LABEL_WORKFLOW]: workflow.metadata.name!,
    [LABEL_COMPLETED]: 'false',
  }
  if (onExit) labels[LABEL_ON_EXIT] = 'true'
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: workflow.metadata.namespace,
      labels,
      annotations: {
        [ANNOTATION_NODE_NAME]: node.name,
        [ANNOTATION_NODE_ID]: node.id,
        [ANNOTATION_TEMPLATE]: JSON.stringify(template),
      },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          name: workflow.metadata.name!,
          uid: workflow.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: workflow.spec.serviceAccountName ?? 'default',
      containers: [
        { name: 'wait', image: EXECUTOR_IMAGE, command: ['argoexec'], args: ['wait', '--loglevel', 'info'] },
        {
          name: 'main',
          image: main.image,
          command: main.command ?? ['argoexec', 'emissary', '--'],
          args: main.args ?? [],
        },
      ],
    },
    status: {
      phase: 'Pending',
      containerStatuses: ['wait', 'main'].map((c) => ({
        name: c,
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating' } },
      })),
    },
  }
}

interface SimulatedPod {
  namespace: string
  name: string
  plan: PlannedRun
  template: Template
  createdAt: number
  logged: number
  state: 'waiting' | 'running' | 'terminated'
  startedAt?: string
}

/** Outputs the wait container would save, or the reason it could not. */
export function collectOutputs(template: Template, plan: PlannedRun): { outputs: Outputs; missing?: string } {
  const outputs: Outputs = { exitCode: String(plan.exitCode) }
  const parameters: { name: string; value?: string }[] = []
  for (const p of template.outputs?.parameters ?? []) {
    if (p.value !== undefined) {
      parameters.push({ name: p.name, value: p.value })
      continue
    }
    const path = p.valueFrom?.path
    if (!path) continue
    const content = plan.files[path]
    if (content !== undefined) parameters.push({ name: p.name, value: content })
    else if (p.valueFrom?.default !== undefined)
      parameters.push({ name: p.name, value: String(p.valueFrom.default) })
    else return { outputs, missing: `open ${path}: no such file or directory` }
  }
  if (parameters.length) outputs.parameters = parameters
  const artifacts = template.outputs?.artifacts?.map((a) => ({ name: a.name, path: a.path }))
  if (artifacts?.length) outputs.artifacts = artifacts
  if (template.script) outputs.result = plan.stdout
  return { outputs }
}

export class PodSimulator {
  private readonly pods = new Map<string, SimulatedPod>()

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: PodLogStore,
  ) {}

  track(namespace: string, name: string, template: Template, plan: PlannedRun, now: Date): void {
    this.pods.set(`${namespace}/${name}`, {
      namespace,
      name,
      plan,
      template,
      createdAt: now.getTime(),
      logged: 0,
      state: 'waiting',
    })
    for (const container of ['wait', 'main']) this.logs.setState(namespace, name, container, 'waiting')
  }

  isTracked(namespace: string, name: string): boolean {
    return this.pods.has(`${namespace}/${name}`)
  }

  forget(namespace: string, name: string): void {
    this.pods.delete(`${namespace}/${name}`)
  }

  /** Moves every simulated pod to where it should be at `now`. */
  advance(now: Date): void {
    for (const pod of [...this.pods.values()]) this.advancePod(pod, now)
  }

  private advancePod(pod: SimulatedPod, now: Date): void {
    if (!this.store.get('pods', pod.namespace, pod.name)) {
      this.pods.delete(`${pod.namespace}/${pod.name}`)
      return
    }
    const startDelayMs = Math.min(1, pod.plan.seconds / 4) * 1000
    const startAt = pod.createdAt + startDelayMs
    const endAt = startAt + pod.plan.seconds * 1000
    const t = now.getTime()
    if (pod.state === 'waiting' && t >= startAt) {
      pod.state = 'running'
      pod.startedAt = kubeTime(new Date(startAt))
      for (const container of ['wait', 'main'])
        this.logs.setState(pod.namespace, pod.name, container, 'running')
      this.setStatus(
        pod,
        'Running',
        () => ({ running: { startedAt: pod.startedAt } }),
        (c) => c === 'main',
      )
    }
    if (pod.state !== 'running') return
    const lines = pod.plan.logLines
    const due = pod.plan.hang
      ? lines.length
      : Math.min(lines.length, Math.floor(((t - startAt) / Math.max(1, endAt - startAt)) * lines.length) + 1)
    while (pod.logged < due) this.logs.append(pod.namespace, pod.name, 'main', lines[pod.logged++]!)
    if (!pod.plan.hang && t >= endAt) this.finish(pod, pod.plan.exitCode, kubeTime(new Date(endAt)))
  }

  /** Kills a pod's containers (stop, terminate, deadline): exit code 143, as SIGTERM. */
  terminate(namespace: string, name: string, message: string, now: Date): void {
    const pod = this.pods.get(`${namespace}/${name}`)
    if (!pod || pod.state === 'terminated') return
    this.logs.append(namespace, name, 'main', `sandbox: ${message}`)
    this.finish(pod, 143, kubeTime(now), message)
  }

  private finish(pod: SimulatedPod, exitCode: number, finishedAt: string, killedBecause?: string): void {
    pod.state = 'terminated'
    const plan = { ...pod.plan, exitCode }
    const { outputs, missing } = collectOutputs(pod.template, plan)
    const failed = exitCode !== 0 || missing !== undefined
    const message = killedBecause ?? (missing ? `Error (exit code 1): ${missing}` : undefined)
    const startedAt = pod.startedAt ?? finishedAt
    this.setStatus(
      pod,
      failed ? 'Failed' : 'Succeeded',
      (c) => ({
        terminated: {
          exitCode: c === 'main' ? exitCode : missing ? 1 : 0,
          reason: (c === 'main' ? exitCode : missing ? 1 : 0) === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt,
        },
      }),
      () => false,
      (p) => {
        const annotations = (p.metadata.annotations ??= {})
        annotations[ANNOTATION_OUTPUTS] = JSON.stringify(outputs)
        if (message) (p.status as Record<string, unknown>).message = message
      },
    )
    for (const container of ['wait', 'main'])
      this.logs.setState(pod.namespace, pod.name, container, 'terminated')
    this.pods.delete(`${pod.namespace}/${pod.name}`)
  }

  private setStatus(
    pod: SimulatedPod,
    phase: string,
    state: (container: string) => Record<string, unknown>,
    ready: (container: string) => boolean,
    extra?: (pod: KubeObject) => void,
  ): void {
    updateWithRetry(this.store, 'pods', pod.namespace, pod.name, (current) => {
      const status: Record<string, unknown> = {
        ...((current.status as Record<string, unknown>) ?? {}),
        phase,
        containerStatuses: ['wait', 'main'].map((c) => ({
          name: c,
          ready: ready(c),
          restartCount: 0,
          state: state(c),
        })),
      }
      if (pod.startedAt) status.startTime = pod.startedAt
      current.status = status
      extra?.(current)
      return current
    })
  }
}

export { RESULT_PATH }
