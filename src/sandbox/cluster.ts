// The sandbox cluster in one call: object store, Kubernetes API server over HTTP, Argo controller
// simulator and an Argo Server (retry and friends), wired the way the demo and the tests need them.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ArgoControllerSimulator, createArgoServerHandler, createSpeedClock } from './argo/index.js'
import {
  MemoryPodLogStore,
  MemoryStore,
  startKubeApiServer,
  type KubeApiServer,
  type RbacTable,
} from './kube/index.js'
import type { SandboxClock } from './types.js'

export interface SandboxClusterOptions {
  /** Sandbox seconds per step unless a behaviour says otherwise (default SANDBOX_STEP_SECONDS or 3). */
  stepSeconds?: number
  /** Clock speed factor: 10 runs a 3 s step in 0.3 s. */
  speed?: number
  /** token → RBAC rules; unset allows everything. */
  tokens?: RbacTable
  crdSchemas?: 'minimal' | { workflows: object; workflowtemplates: object }
  host?: string
  kubePort?: number
  argoServerPort?: number
  /** Serve the Argo Server API (retry, resume, ...); default true. */
  argoServer?: boolean
  argoServerToken?: string
  compressNodesAbove?: number
  logger?: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void }
}

export interface SandboxCluster {
  store: MemoryStore
  logs: MemoryPodLogStore
  clock: SandboxClock
  kube: KubeApiServer
  controller: ArgoControllerSimulator
  /** Base URL of the simulated Argo Server, when served. */
  argoServerUrl?: string
  close(): Promise<void>
}

export async function startSandboxCluster(options: SandboxClusterOptions = {}): Promise<SandboxCluster> {
  const host = options.host ?? '127.0.0.1'
  const store = new MemoryStore()
  const logs = new MemoryPodLogStore()
  const clock = createSpeedClock(options.speed ?? 1)
  const kube = await startKubeApiServer({
    store,
    logs,
    host,
    port: options.kubePort ?? 0,
    tokens: options.tokens,
    crdSchemas: options.crdSchemas,
  })
  const controller = new ArgoControllerSimulator({
    store,
    logs,
    clock,
    stepSeconds: options.stepSeconds,
    compressNodesAbove: options.compressNodesAbove,
    logger: options.logger,
  })
  controller.start()

  let argoServer: Server | undefined
  let argoServerUrl: string | undefined
  if (options.argoServer ?? true) {
    const handler = createArgoServerHandler({ store, token: options.argoServerToken, now: () => clock.now() })
    argoServer = createServer((req, res) => handler(req, res))
    await new Promise<void>((resolve) => argoServer!.listen(options.argoServerPort ?? 0, host, resolve))
    const { port } = argoServer.address() as AddressInfo
    argoServerUrl = `http://${host}:${port}`
  }

  return {
    store,
    logs,
    clock,
    kube,
    controller,
    argoServerUrl,
    close: async () => {
      await controller.stop()
      await kube.close()
      if (argoServer) {
        argoServer.closeAllConnections()
        await new Promise<void>((resolve) => argoServer!.close(() => resolve()))
      }
    },
  }
}
