// The service side of bench/sse-fanout, in the benchmark's own process: record event streams served
// over HTTP either by the hub (one informer fanned out by src/streams) or, as the baseline, by one
// informer (one upstream watch) per client. Both reach the sandbox cluster only through its kubeconfig.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'
import { pino } from 'pino'
import { createKubeAccess, WorkflowInformer, type Workflow } from '../src/argo/index.js'
import { changeOf, serveRecordStream, StreamHub, workflowEventData } from '../src/streams/index.js'
import { now, stateKey } from './sse-fanout-protocol.js'

const logger = pino({ level: 'silent' })
const NS = 'default'

export interface FanoutService {
  url: string
  /** Hub only: when the shared informer heard of each state, before the hub fans it out. */
  informed: Map<string, number>
  close(): Promise<void>
}

function informerFor(kubeconfig: string): WorkflowInformer {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(kubeconfig)
  return new WorkflowInformer({ client: createKubeAccess({ kubeConfig, namespace: NS, logger }), logger })
}

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler)
  server.maxConnections = 100_000
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

export async function startHubService(kubeconfig: string): Promise<FanoutService> {
  const informer = informerFor(kubeconfig)
  await informer.start()
  await informer.whenSynced()
  const informed = new Map<string, number>()
  // Registered before the hub's listeners, so it runs first: what the fan-out adds comes after.
  const heard = (workflow: Workflow) => {
    const key = stateKey(workflowEventData(workflow))
    if (!informed.has(key)) informed.set(key, now())
  }
  informer.on('add', heard)
  informer.on('update', heard)
  const hub = new StreamHub({ informer, logger })
  hub.start()
  const server = await serve((req, res) => {
    void serveRecordStream(res, decodeURIComponent(req.url!.slice(1)), undefined, {
      hub,
      snapshot: async () => [],
      logger,
    })
  })
  return {
    url: server.url,
    informed,
    close: async () => {
      await server.close()
      hub.stop()
      await informer.stop()
    },
  }
}

export async function startBaselineService(kubeconfig: string): Promise<FanoutService> {
  // One informer per connection, as a server without a shared cache would do.
  const informers = new Set<WorkflowInformer>()
  const server = await serve((req, res) => {
    const recordId = decodeURIComponent(req.url!.slice(1))
    const informer = informerFor(kubeconfig)
    informers.add(informer)
    res.writeHead(200, { 'Content-Type': 'text/event-stream' })
    res.flushHeaders()
    // Sends what the hub would (changeOf), straight from this client's own informer.
    const send = (wf: Workflow, old?: Workflow) => {
      if (wf.metadata.labels?.['compchem.cz/record-id'] !== recordId) return
      const change = changeOf(wf, old)
      if (change.workflow) res.write(`event: workflow\ndata: ${JSON.stringify(change.workflow)}\n\n`)
    }
    informer.on('add', send)
    informer.on('update', send)
    res.on('close', () => void informer.stop().then(() => informers.delete(informer)))
    void informer.start()
  })
  return {
    url: server.url,
    informed: new Map(),
    close: async () => {
      await server.close()
      await Promise.all([...informers].map((informer) => informer.stop()))
    },
  }
}
