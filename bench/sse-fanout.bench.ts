// bench/sse-fanout: 2,000 SSE clients over 50 records while runs change state (issue 6).
// Hub: one informer (one upstream watch) fanned out by src/streams. Baseline: one informer, so one
// upstream watch, per client — what the Argo Server does per UI tab. Reports delivery latency
// (store write → client receipt) p50/p99, memory and upstream watches, and the ratios.
// Run: npx tsx bench/sse-fanout.bench.ts [--clients 2000] [--records 50] [--runs 100] [--baseline-clients N]
// Targets (issue 6): hub p99 < 250 ms; upstream watches 1 vs one per client.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, writeFile } from 'node:fs/promises'
import { KubeConfig } from '@kubernetes/client-node'
import { createParser } from 'eventsource-parser'
import { pino } from 'pino'
import { createKubeAccess, WorkflowInformer, type Workflow } from '../src/argo/index.js'
import { startSandboxCluster, type SandboxCluster } from '../src/sandbox/cluster.js'
import type { KubeObject, StoreEvent } from '../src/sandbox/types.js'
import { serveRecordStream, StreamHub, workflowEventData } from '../src/streams/index.js'

interface Options {
  clients: number
  records: number
  runs: number
  baselineClients: number
}

export interface FanoutResult {
  mode: 'hub' | 'baseline'
  clients: number
  upstreamWatches: number
  events: number
  latencyMs: { p50: number; p99: number; max: number }
  heapUsedMb: number
  rssMb: number
}

const logger = pino({ level: 'silent' })
const NS = 'default'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** When the store wrote each visible state (`name|phase|progress`), first time seen. */
function recordWrites(cluster: SandboxCluster): { writes: Map<string, number>; stop: () => void } {
  const writes = new Map<string, number>()
  const stop = cluster.store.subscribe((event: StoreEvent) => {
    if (event.resource !== 'workflows') return
    const data = workflowEventData(event.object as unknown as Workflow)
    const key = `${data.name}|${data.phase}|${data.progress}`
    if (!writes.has(key)) writes.set(key, performance.now())
  })
  return { writes, stop }
}

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

const recordIds = (count: number) => Array.from({ length: count }, (_, i) => `bench-rec-${i}`)

/** Opens `count` SSE clients spread over the records; each reports workflow events it receives. */
async function openClients(
  baseUrl: string,
  count: number,
  records: string[],
  onEvent: (data: { name: string; phase: string; progress: string }) => void,
): Promise<() => void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
  const requests: http.ClientRequest[] = []
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const request = http.get(`${baseUrl}/${records[i % records.length]}`, { agent }, (response) => {
            const parser = createParser({
              onEvent: (event) => {
                if (event.event === 'workflow') onEvent(JSON.parse(event.data))
              },
            })
            response.setEncoding('utf8')
            response.on('data', (chunk: string) => parser.feed(chunk))
            response.on('error', () => {})
            resolve()
          })
          request.on('error', reject)
          requests.push(request)
        }),
    ),
  )
  return () => {
    for (const request of requests) request.destroy()
    agent.destroy()
  }
}

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler)
  server.maxConnections = 100_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

async function driveRuns(
  cluster: SandboxCluster,
  records: string[],
  runs: number,
  prefix: string,
): Promise<void> {
  for (let i = 0; i < runs; i++)
    cluster.store.create('workflows', NS, manifest(`${prefix}-${i}`, records[i % records.length]!))
  const done = () =>
    cluster.store
      .list('workflows', NS)
      .filter((wf) => wf.metadata.name?.startsWith(prefix))
      .every((wf) =>
        ['Succeeded', 'Failed', 'Error'].includes(
          String((wf as { status?: { phase?: string } }).status?.phase),
        ),
      )
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 100))
  // Let the last events reach every client.
  await new Promise((resolve) => setTimeout(resolve, 1_000))
}

function informerFor(cluster: SandboxCluster): WorkflowInformer {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(cluster.kube.kubeconfig())
  return new WorkflowInformer({ client: createKubeAccess({ kubeConfig, namespace: NS, logger }), logger })
}

function upstreamWatches(cluster: SandboxCluster): number {
  return (cluster.store['storedListeners'] as Set<unknown>).size
}

async function measure(mode: 'hub' | 'baseline', clients: number, options: Options): Promise<FanoutResult> {
  const cluster = await startSandboxCluster({ speed: 10, stepSeconds: 2 })
  const records = recordIds(options.records)
  const latencies: number[] = []
  const { writes, stop } = recordWrites(cluster)
  const received = (data: { name: string; phase: string; progress: string }) => {
    const written = writes.get(`${data.name}|${data.phase}|${data.progress}`)
    if (written !== undefined) latencies.push(performance.now() - written)
  }
  const closers: Array<() => Promise<void> | void> = []
  try {
    let url: string
    if (mode === 'hub') {
      const informer = informerFor(cluster)
      await informer.start()
      await informer.whenSynced()
      const hub = new StreamHub({ informer, logger })
      hub.start()
      const server = await serve((req, res) => {
        void serveRecordStream(res, decodeURIComponent(req.url!.slice(1)), undefined, {
          hub,
          snapshot: async () => [],
          logger,
        })
      })
      closers.push(
        () => server.close(),
        () => hub.stop(),
        () => informer.stop(),
      )
      url = server.url
    } else {
      // One informer per connection, as a server without a shared cache would do.
      const informers = new Set<WorkflowInformer>()
      const server = await serve((req, res) => {
        const recordId = decodeURIComponent(req.url!.slice(1))
        const informer = informerFor(cluster)
        informers.add(informer)
        res.writeHead(200, { 'Content-Type': 'text/event-stream' })
        res.flushHeaders()
        const send = (wf: Workflow) => {
          if (wf.metadata.labels?.['compchem.cz/record-id'] === recordId)
            res.write(`event: workflow\ndata: ${JSON.stringify(workflowEventData(wf))}\n\n`)
        }
        informer.on('add', send)
        informer.on('update', send)
        res.on('close', () => void informer.stop().then(() => informers.delete(informer)))
        void informer.start()
      })
      closers.push(
        () => server.close(),
        async () => void (await Promise.all([...informers].map((i) => i.stop()))),
      )
      url = server.url
    }
    progress(`${mode}: opening ${clients} clients`)
    const closeClients = await openClients(url, clients, records, received)
    closers.push(closeClients)
    // Baseline informers list and watch before runs start; wait until every watch is open.
    const deadline = Date.now() + 60_000
    while (mode === 'baseline' && upstreamWatches(cluster) < clients && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100))
    const watches = upstreamWatches(cluster)
    progress(`${mode}: ${watches} upstream watches; running ${options.runs} runs`)
    await driveRuns(cluster, records, options.runs, `${mode}-run`)
    const memory = process.memoryUsage()
    latencies.sort((a, b) => a - b)
    return {
      mode,
      clients,
      upstreamWatches: watches,
      events: latencies.length,
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? NaN),
      },
      heapUsedMb: round(memory.heapUsed / 2 ** 20),
      rssMb: round(memory.rss / 2 ** 20),
    }
  } finally {
    stop()
    for (const close of closers.reverse()) await close()
    await cluster.close()
  }
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`)
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

export async function run(
  options: Options,
): Promise<{ hub: FanoutResult; baseline: FanoutResult; ratios: Record<string, number> }> {
  const hub = await measure('hub', options.clients, options)
  global.gc?.()
  const baseline = await measure('baseline', options.baselineClients, options)
  const ratios = {
    upstreamWatches: round(baseline.upstreamWatches / hub.upstreamWatches),
    p99Latency: round(baseline.latencyMs.p99 / hub.latencyMs.p99),
    p50Latency: round(baseline.latencyMs.p50 / hub.latencyMs.p50),
  }
  return { hub, baseline, ratios }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options: Options = {
    clients: option('clients', 2000),
    records: option('records', 50),
    runs: option('runs', 100),
    baselineClients: option('baseline-clients', option('clients', 2000)),
  }
  const result = await run(options)
  console.log(JSON.stringify({ options, ...result }, null, 2))
  console.log(
    `hub: ${result.hub.clients} clients, ${result.hub.upstreamWatches} upstream watch(es), p50 ${result.hub.latencyMs.p50} ms, p99 ${result.hub.latencyMs.p99} ms (target < 250)`,
  )
  console.log(
    `baseline: ${result.baseline.clients} clients, ${result.baseline.upstreamWatches} upstream watches, p50 ${result.baseline.latencyMs.p50} ms, p99 ${result.baseline.latencyMs.p99} ms`,
  )
  await mkdir(new URL('./.out/', import.meta.url), { recursive: true })
  await writeFile(
    new URL('./.out/sse-fanout.json', import.meta.url),
    JSON.stringify({ options, ...result }, null, 2),
  )
  process.exit(0)
}
