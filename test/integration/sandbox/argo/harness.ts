// A sandbox cluster for controller tests: the real MemoryStore and MemoryPodLogStore on fast time.
import { ArgoControllerSimulator, createSpeedClock, readNodes } from '../../../../src/sandbox/argo/index.js'
import type { NodeStatus, Workflow } from '../../../../src/sandbox/argo/index.js'
import { MemoryPodLogStore, MemoryStore } from '../../../../src/sandbox/kube/index.js'
import type { KubeObject } from '../../../../src/sandbox/types.js'

export const NS = 'argo'

export interface Cluster {
  store: MemoryStore
  logs: MemoryPodLogStore
  controller: ArgoControllerSimulator
  close(): Promise<void>
}

export function startCluster(options: { compressNodesAbove?: number; stepSeconds?: number } = {}): Cluster {
  const clock = createSpeedClock(200)
  const store = new MemoryStore({ clock })
  const logs = new MemoryPodLogStore({ clock })
  const controller = new ArgoControllerSimulator({
    store,
    logs,
    clock,
    stepSeconds: options.stepSeconds ?? 2,
    compressNodesAbove: options.compressNodesAbove,
  })
  controller.start()
  return { store, logs, controller, close: () => controller.stop() }
}

export function getWorkflow(store: MemoryStore, name: string, namespace = NS): Workflow | undefined {
  return store.get('workflows', namespace, name) as Workflow | undefined
}

/** Polls until `check` returns a value; fails with `what` if it never does. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 10000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export function waitForPhase(
  store: MemoryStore,
  name: string,
  phases: string[],
  namespace = NS,
): Promise<Workflow> {
  return waitFor(`${name} to reach ${phases.join('/')}`, () => {
    const wf = getWorkflow(store, name, namespace)
    return wf && phases.includes(wf.status?.phase ?? '') ? wf : undefined
  })
}

export function nodesOf(wf: Workflow): NodeStatus[] {
  return Object.values(readNodes(wf.status))
}

export function nodeNamed(wf: Workflow, name: string): NodeStatus {
  const node = nodesOf(wf).find((n) => n.name === name)
  if (!node)
    throw new Error(
      `no node ${name} in ${nodesOf(wf)
        .map((n) => n.name)
        .join(', ')}`,
    )
  return node
}

export function submit(store: MemoryStore, workflow: Record<string, unknown>, namespace = NS): Workflow {
  return store.create('workflows', namespace, workflow as unknown as KubeObject) as Workflow
}

export function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, container: { image: 'busybox', command: ['echo', name] }, ...extra }
}
