// What the processes of bench/sse-fanout say to each other over IPC. The benchmark process is the
// service; the sandbox cluster and the SSE clients each run in a child process of their own, as in
// a real deployment, and reach the service only over HTTP. IPC carries measurements and commands.
import { fork, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { WorkflowEventData } from '../src/streams/index.js'

/**
 * A visible state of a run, as clients see it in a workflow event: its name and what the hub
 * publishes a change of (phase, progress, message, each step's phase, times and result).
 */
export function stateKey(data: WorkflowEventData): string {
  const visible = JSON.stringify([
    data.phase,
    data.progress,
    data.message,
    data.steps.map((step) => [step.name, step.phase, step.startedAt, step.finishedAt, step.result?.status]),
  ])
  return `${data.name}|${createHash('sha1').update(visible).digest('base64url')}`
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now()

/** [state key, when] pairs. */
export type Stamps = Array<[string, number]>

export interface LoopDelay {
  p50: number
  p99: number
}

/** What a process went through while runs changed state. */
export interface ProcessLoad {
  /** How long its event loop was held up. */
  loopDelayMs: LoopDelay
  /** CPU time it used (user + system) over `wallSeconds`. */
  cpuSeconds: number
  wallSeconds: number
}

export type ClusterRequest =
  | { kind: 'watches' }
  | { kind: 'drive'; records: string[]; runs: number; prefix: string }
  | { kind: 'writes' }

export type ClusterReply =
  | { kind: 'ready'; kubeconfig: string }
  | { kind: 'watches'; count: number }
  | { kind: 'driven'; load: ProcessLoad }
  | { kind: 'writes'; items: Stamps }

export type ClientsRequest =
  | { kind: 'open'; baseUrl: string; records: string[]; count: number; offset: number }
  | { kind: 'measure' }
  | { kind: 'count' }
  | { kind: 'stop' }

export type ClientsReply =
  | { kind: 'open'; opened: number }
  | { kind: 'count'; received: number }
  | { kind: 'arrivals'; items: Stamps; load: ProcessLoad | null; failed: number }

/** A child process running one of bench/sse-fanout-*.ts through the tsx loader, spoken to over IPC. */
export class BenchChild<Request extends { kind: string }, Reply extends { kind: string }> {
  private readonly child: ChildProcess
  private readonly exited: Promise<void>

  constructor(module: string) {
    this.child = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
  }

  /** Waits for the next reply of `kind` (a child replies to its requests in order). */
  next<K extends Reply['kind']>(kind: K): Promise<Extract<Reply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: Reply) => {
        if (message.kind !== kind) return
        cleanup()
        resolve(message as Extract<Reply, { kind: K }>)
      }
      const onExit = (code: number | null) => {
        cleanup()
        reject(new Error(`bench child exited (code ${code}) before replying ${kind}`))
      }
      const cleanup = () => {
        this.child.off('message', onMessage)
        this.child.off('exit', onExit)
      }
      this.child.on('message', onMessage)
      this.child.once('exit', onExit)
    })
  }

  /** A request that gets no reply. */
  send(message: Request): void {
    this.child.send(message)
  }

  request<K extends Reply['kind']>(message: Request, kind: K): Promise<Extract<Reply, { kind: K }>> {
    const reply = this.next(kind)
    this.child.send(message)
    return reply
  }

  /** Ends the child (it may be mid-run): SIGTERM, then waits for it to go. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    await this.exited
  }
}

/** Inside a child: handles requests from the benchmark process; replies go back over IPC. */
export function serveRequests<Request, Reply>(handle: (request: Request) => Promise<Reply | void>): void {
  process.on('message', (message: Request) => {
    handle(message).then(
      (reply) => reply && process.send!(reply),
      (error: unknown) => {
        process.stderr.write(`bench child failed: ${String((error as Error)?.stack ?? error)}\n`)
        process.exit(1)
      },
    )
  })
  // The benchmark going away (or ending the child) ends the child.
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
}

/** Starts watching this process's event-loop delay and CPU time; the returned function reads them. */
export function watchProcessLoad(): () => ProcessLoad {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  const cpu = process.cpuUsage()
  const started = performance.now()
  return () => {
    histogram.disable()
    const used = process.cpuUsage(cpu)
    return {
      loopDelayMs: { p50: round(histogram.percentile(50) / 1e6), p99: round(histogram.percentile(99) / 1e6) },
      cpuSeconds: round((used.user + used.system) / 1e6),
      wallSeconds: round((performance.now() - started) / 1000),
    }
  }
}

export function round(value: number): number {
  return Math.round(value * 10) / 10
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
