// bench/sse-fanout: 2,000 SSE clients over 50 records while runs change state (issue 6).
// Hub: one informer (one upstream watch) fanned out by src/streams. Baseline: one informer, so one
// upstream watch, per client — what the Argo Server does per UI tab. Reports delivery latency
// (store write → client receipt) p50/p99, memory and upstream watches, and the ratios.
// Three processes, as in a deployment: this one is the service (informers, hub, HTTP); the sandbox
// cluster with the workload driving runs (bench/sse-fanout-cluster.ts) and the SSE clients
// (bench/sse-fanout-clients.ts) are child processes reaching it over HTTP only. Timestamps and the
// watch count come back over IPC, outside the measured window.
// Run: npx tsx bench/sse-fanout.bench.ts [--clients 2000] [--records 50] [--runs 100]
//   [--baseline-clients N] [--client-processes 1] [--hub-only (print, write no result)]
// Targets (issue 6): hub p99 < 250 ms; upstream watches 1 vs one per client.
import os from 'node:os'
import { writeBenchResult } from './report.js'
import {
  BenchChild,
  percentile,
  round,
  type ClientsReply,
  type ClientsRequest,
  type ClusterReply,
  type ClusterRequest,
  type Stamps,
  watchProcessLoad,
} from './sse-fanout-protocol.js'
import { report, type FanoutResult, type FanoutRun, type Options } from './sse-fanout-report.js'
import { startBaselineService, startHubService } from './sse-fanout-service.js'

type Cluster = BenchChild<ClusterRequest, ClusterReply>
type Clients = BenchChild<ClientsRequest, ClientsReply>

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

const recordIds = (count: number) => Array.from({ length: count }, (_, i) => `bench-rec-${i}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function progress(message: string): void {
  process.stderr.write(`${message}\n`)
}

/** Opens `count` clients spread over the records, in `processes` child processes. */
async function openClients(url: string, count: number, records: string[], processes: number) {
  const children: Clients[] = []
  let offset = 0
  let opened = 0
  for (let index = 0; index < processes; index++) {
    const share = Math.floor(count / processes) + (index < count % processes ? 1 : 0)
    const child = new BenchChild<ClientsRequest, ClientsReply>('./sse-fanout-clients.ts')
    children.push(child)
    const reply = await child.request({ kind: 'open', baseUrl: url, records, count: share, offset }, 'open')
    opened += reply.opened
    offset += share
  }
  if (opened !== count) throw new Error(`only ${opened} of ${count} SSE clients connected`)
  return children
}

async function received(clients: Clients[]): Promise<number> {
  const counts = await Promise.all(clients.map((child) => child.request({ kind: 'count' }, 'count')))
  return counts.reduce((sum, reply) => sum + reply.received, 0)
}

/** Waits until arrivals stopped growing for 3 s (at most 2 min): every client has what it will get. */
async function settle(clients: Clients[]): Promise<void> {
  const deadline = Date.now() + 120_000
  let last = -1
  let stillSince = Date.now()
  while (Date.now() < deadline) {
    const count = await received(clients)
    if (count !== last) [last, stillSince] = [count, Date.now()]
    else if (Date.now() - stillSince >= 3_000) return
    await sleep(250)
  }
}

/** Client i watches records[i % records.length]; run i belongs to records[i % records.length]. */
function expectedDeliveries(writes: Stamps, records: string[], clients: number): number {
  const perRecord = (index: number) =>
    Math.floor(clients / records.length) + (index % records.length < clients % records.length ? 1 : 0)
  let expected = 0
  for (const [key] of writes) {
    const run = Number(key.slice(0, key.indexOf('|')).split('-').at(-1))
    expected += perRecord(run % records.length)
  }
  return expected
}

async function measure(mode: 'hub' | 'baseline', clients: number, options: Options): Promise<FanoutResult> {
  const records = recordIds(options.records)
  const cluster: Cluster = new BenchChild('./sse-fanout-cluster.ts')
  const closers: Array<() => Promise<void>> = [() => cluster.close()]
  try {
    const { kubeconfig } = await cluster.next('ready')
    const service = await (mode === 'hub' ? startHubService : startBaselineService)(kubeconfig)
    closers.push(() => service.close())
    progress(`${mode}: opening ${clients} clients`)
    const clientProcesses = await openClients(service.url, clients, records, options.clientProcesses)
    closers.push(...clientProcesses.map((child) => () => child.close()))
    // Baseline informers list and watch before runs start; wait until every watch is open.
    const watchCount = async () => (await cluster.request({ kind: 'watches' }, 'watches')).count
    let watches = await watchCount()
    const deadline = Date.now() + 60_000
    while (mode === 'baseline' && watches < clients && Date.now() < deadline) {
      await sleep(100)
      watches = await watchCount()
    }
    progress(`${mode}: ${watches} upstream watches; running ${options.runs} runs`)
    const loadAtStart = os.loadavg()
    const serviceLoad = watchProcessLoad()
    for (const child of clientProcesses) child.send({ kind: 'measure' })
    const prefix = `${mode}-run`
    const driven = await cluster.request({ kind: 'drive', records, runs: options.runs, prefix }, 'driven')
    await settle(clientProcesses)
    const load = { service: serviceLoad(), cluster: driven.load }
    const memory = process.memoryUsage()
    const loadAtEnd = os.loadavg()
    // Asked only now, as the cluster works out which states it wrote when asked.
    const writes = (await cluster.request({ kind: 'writes' }, 'writes')).items
    const written = new Map(writes.filter(([key]) => key.startsWith(`${prefix}-`)))
    const expected = expectedDeliveries([...written], records, clients)
    const stopped = await Promise.all(
      clientProcesses.map((child) => child.request({ kind: 'stop' }, 'arrivals')),
    )

    const latencies: number[] = []
    const fanout: number[] = []
    let arrivals = 0
    for (const reply of stopped)
      for (const [key, at] of reply.items) {
        arrivals++
        const writtenAt = written.get(key)
        if (writtenAt !== undefined) latencies.push(at - writtenAt)
        const heard = service.informed.get(key)
        if (heard !== undefined) fanout.push(at - heard)
      }
    latencies.sort((a, b) => a - b)
    fanout.sort((a, b) => a - b)
    return {
      mode,
      clients,
      upstreamWatches: watches,
      deliveries: { expected, received: arrivals },
      events: latencies.length,
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? NaN),
      },
      fanoutMs: {
        p50: round(percentile(fanout, 50)),
        p99: round(percentile(fanout, 99)),
        samples: fanout.length,
      },
      load: { ...load, clients: stopped.map((reply) => reply.load!) },
      heapUsedMb: round(memory.heapUsed / 2 ** 20),
      rssMb: round(memory.rss / 2 ** 20),
      loadAverage: { start: loadAtStart, end: loadAtEnd },
    }
  } finally {
    for (const close of closers.reverse()) await close()
  }
}

export async function run(options: Options): Promise<FanoutRun> {
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
  // 2,000 baseline informers against one API server occasionally see a reset socket outside any
  // request (client-node's watch); count it rather than lose the whole run.
  let resets = 0
  process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error
    resets++
  })
  const options: Options = {
    clients: option('clients', 2000),
    records: option('records', 50),
    runs: option('runs', 100),
    baselineClients: option('baseline-clients', option('clients', 2000)),
    clientProcesses: option('client-processes', 1),
  }
  if (process.argv.includes('--hub-only')) {
    // For profiling the service (--cpu-prof): the hub's run alone, printed, no result written.
    console.log(JSON.stringify(await measure('hub', options.clients, options), null, 2))
    process.exit(0)
  }
  const result = await run(options)
  const summary = report(options, result)
  for (const figure of summary.figures)
    console.log(
      `${figure.metric}: ${figure.value} ${figure.unit} (baseline ${figure.baseline}, ratio ${figure.ratio})`,
    )
  if (resets) summary.notes!.push(`${resets} stray connection reset(s) were ignored during the run.`)
  await writeBenchResult(summary)
  process.exit(0)
}
