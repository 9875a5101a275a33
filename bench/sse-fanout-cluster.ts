// Child process of bench/sse-fanout: the sandbox cluster (Kubernetes API server and Argo controller
// simulators) and the workload that takes runs through their states. In a deployment the API server
// and the Argo controller are other processes than the service, so here too: the service only
// reaches this one over HTTP (the kubeconfig sent at start). Over IPC it reports when the store
// wrote each visible state (the start of the latency measured) and how many watches are open.
import { startSandboxCluster, type SandboxCluster } from '../src/sandbox/cluster.js'
import type { KubeObject } from '../src/sandbox/types.js'
import { workflowEventData } from '../src/streams/index.js'
import type { Workflow } from '../src/argo/index.js'
import {
  now,
  serveRequests,
  stateKey,
  type ClusterReply,
  type ClusterRequest,
  type Stamps,
  watchProcessLoad,
} from './sse-fanout-protocol.js'

const NS = 'default'
const TERMINAL = ['Succeeded', 'Failed', 'Error']

function manifest(name: string, recordId: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      namespace: NS,
      labels: { 'app.kubernetes.io/managed-by': 'compchem-fileprocessor', 'compchem.cz/record-id': recordId },
      annotations: { 'sandbox.compchem.cz/behavior': JSON.stringify({ '*': { seconds: 2 } }) },
    },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: ['a', 'b', 'c'].map((t, i) => ({
              name: t,
              template: 'step',
              ...(i ? { dependencies: [['a', 'b'][i - 1]] } : {}),
            })),
          },
        },
        { name: 'step', container: { image: 'busybox', command: ['true'] } },
      ],
    },
  }
}

/** Open watch subscriptions on the API server (the service's upstream watches), without our own. */
function openWatches(cluster: SandboxCluster): number {
  return (cluster.store['storedListeners'] as Set<unknown>).size - OWN_LISTENERS
}

async function drive(cluster: SandboxCluster, records: string[], runs: number, prefix: string) {
  const load = watchProcessLoad()
  for (let i = 0; i < runs; i++)
    cluster.store.create('workflows', NS, manifest(`${prefix}-${i}`, records[i % records.length]!))
  const done = () =>
    cluster.store
      .list('workflows', NS)
      .filter((wf) => wf.metadata.name?.startsWith(prefix))
      .every((wf) => TERMINAL.includes(String((wf as { status?: { phase?: string } }).status?.phase)))
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 100))
  return load()
}

const cluster = await startSandboxCluster({ speed: 10, stepSeconds: 2 })
// Each workflow write as the store emitted it, and when. Subscribed first, so the time is taken
// before any watch relays the event; the store's own copy of the event is kept (no clone), and what
// clients would see of it is worked out only when asked, so measuring adds little to the run.
const written: Array<[KubeObject, number]> = []
cluster.store.subscribeStored((event) => {
  if (event.resource === 'workflows') written.push([event.object, now()])
})
const OWN_LISTENERS = 1

/** First time the store wrote each state a client can see. */
function writes(): Stamps {
  const first = new Map<string, number>()
  for (const [object, at] of written) {
    const key = stateKey(workflowEventData(object as unknown as Workflow))
    if (!first.has(key)) first.set(key, at)
  }
  return [...first]
}

serveRequests<ClusterRequest, ClusterReply>(async (request) => {
  switch (request.kind) {
    case 'watches':
      return { kind: 'watches', count: openWatches(cluster) }
    case 'drive':
      return { kind: 'driven', load: await drive(cluster, request.records, request.runs, request.prefix) }
    case 'writes':
      return { kind: 'writes', items: writes() }
  }
})
process.send!({ kind: 'ready', kubeconfig: cluster.kube.kubeconfig() } satisfies ClusterReply)
