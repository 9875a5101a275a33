// The sandbox cluster over HTTP, reached exactly as the service reaches a real one: a KubeConfig.
import { KubeConfig } from '@kubernetes/client-node'
import pino from 'pino'
import { createKubeAccess, type ArgoClient, type KubeAccessOptions } from '../../../src/argo/index.js'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RECORD_ID_LABEL, SEQ_LABEL } from '../../../src/argo/labels.js'
import type { Workflow } from '../../../src/argo/types.js'
import { ArgoControllerSimulator, createSpeedClock } from '../../../src/sandbox/argo/index.js'
import {
  MemoryPodLogStore,
  MemoryStore,
  startKubeApiServer,
  type KubeApiServer,
  type KubeApiServerOptions,
} from '../../../src/sandbox/kube/index.js'

export const NAMESPACE = 'compchem'
export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

export interface Sandbox {
  server: KubeApiServer
  store: MemoryStore
  logs: MemoryPodLogStore
  controller?: ArgoControllerSimulator
  client(token?: string, options?: Partial<KubeAccessOptions>): ArgoClient
  close(): Promise<void>
}

export async function startSandbox(
  options: {
    controller?: boolean
    compressNodesAbove?: number
    /** Sandbox seconds per real second (default 50). */
    speed?: number
    server?: Partial<KubeApiServerOptions>
  } = {},
): Promise<Sandbox> {
  const clock = createSpeedClock(options.speed ?? 50)
  const store = new MemoryStore({ clock })
  const logs = new MemoryPodLogStore({ clock })
  const server = await startKubeApiServer({ store, logs, host: '127.0.0.1', port: 0, ...options.server })
  const controller = options.controller
    ? new ArgoControllerSimulator({
        store,
        logs,
        clock,
        namespace: NAMESPACE,
        stepSeconds: 2,
        compressNodesAbove: options.compressNodesAbove,
      })
    : undefined
  controller?.start()
  return {
    server,
    store,
    logs,
    controller,
    client: (token, clientOptions = {}) => {
      const kubeConfig = new KubeConfig()
      kubeConfig.loadFromString(server.kubeconfig(token))
      return createKubeAccess({ kubeConfig, namespace: NAMESPACE, logger, ...clientOptions })
    },
    close: async () => {
      await controller?.stop()
      await server.close()
    },
  }
}

export function workflowManifest(
  name: string,
  options: {
    recordId?: string
    seq?: number
    labels?: Record<string, string>
    annotations?: Record<string, string>
  } = {},
): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [RECORD_ID_LABEL]: options.recordId ?? 'rec01-abcde',
        [SEQ_LABEL]: String(options.seq ?? 1),
        ...options.labels,
      },
      annotations: options.annotations,
    },
    spec: {
      entrypoint: 'main',
      serviceAccountName: 'runner',
      templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', 'hi'] } }],
    },
  }
}

/** Polls until `check` holds; fails naming `what` otherwise. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
