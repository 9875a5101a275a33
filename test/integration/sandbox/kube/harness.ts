import * as k8s from '@kubernetes/client-node'
import { MemoryPodLogStore } from '../../../../src/sandbox/kube/logs.js'
import {
  startKubeApiServer,
  type KubeApiServer,
  type KubeApiServerOptions,
} from '../../../../src/sandbox/kube/server.js'
import { MemoryStore } from '../../../../src/sandbox/kube/store.js'

export interface Sandbox {
  server: KubeApiServer
  store: MemoryStore
  logs: MemoryPodLogStore
  kc: k8s.KubeConfig
  custom: k8s.CustomObjectsApi
  core: k8s.CoreV1Api
  close(): Promise<void>
}

export const GROUP = { group: 'argoproj.io', version: 'v1alpha1' }

export async function startSandbox(
  options: Partial<KubeApiServerOptions> = {},
  token?: string,
  storeOptions: ConstructorParameters<typeof MemoryStore>[0] = {},
): Promise<Sandbox> {
  const store = new MemoryStore(storeOptions)
  const logs = new MemoryPodLogStore()
  const server = await startKubeApiServer({ store, logs, ...options })
  const kc = kubeConfig(server, token)
  return {
    server,
    store,
    logs,
    kc,
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    core: kc.makeApiClient(k8s.CoreV1Api),
    close: () => server.close(),
  }
}

export function kubeConfig(server: KubeApiServer, token?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig()
  kc.loadFromString(server.kubeconfig(token))
  return kc
}

export function workflow(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, ...((extra.metadata as object) ?? {}) },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox' } }] },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'metadata')),
  }
}

/** The Status body and code of a failed client-node call. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call
  } catch (error) {
    const e = error as { code?: number; body?: unknown }
    const body =
      typeof e.body === 'string'
        ? (JSON.parse(e.body) as Record<string, unknown>)
        : (e.body as Record<string, unknown>)
    return { code: e.code as number, body }
  }
  throw new Error('expected the call to fail')
}

export async function until(check: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
