// Prometheus metrics (GET /metrics). One registry per service instance, never prom-client's global
// default: tests run several services in one process and their series must not collide or mix.
// Gauges that mirror a component's own stats (informer, SSE hub) are read at scrape time.
import type { NextFunction, Request, Response, Router } from 'express'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What the metrics read at scrape time; each part optional so a partial service still scrapes. */
export interface MetricsSources {
  informer?: () => {
    relists: number
    restarts: number
    lagMs: number | null
    objects: number
    watching: boolean
  }
  sseClients?: () => number
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class ServiceMetrics {
  readonly registry = new Registry()
  private sources: MetricsSources = {}

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })
  readonly runsStarted = new Counter({
    name: 'fileprocessor_runs_started_total',
    help: 'Runs this replica started, by workflow type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  })
  readonly runsFinished = new Counter({
    name: 'fileprocessor_runs_finished_total',
    help: 'Run outcomes this replica recorded (won the insert), by workflow type and phase.',
    labelNames: ['type', 'phase'] as const,
    registers: [this.registry],
  })
  readonly notifications = new Counter({
    name: 'fileprocessor_notification_deliveries_total',
    help: 'Notification delivery tries, by channel and result (delivered, failed, or no_recipient: no address known).',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  })
  readonly dependencyDuration = new Histogram({
    name: 'fileprocessor_dependency_call_duration_seconds',
    help: 'Calls to Invenio and Kubernetes, by dependency and operation.',
    labelNames: ['dependency', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  })
  readonly dependencyErrors = new Counter({
    name: 'fileprocessor_dependency_call_errors_total',
    help: 'Failed calls to Invenio and Kubernetes, by dependency and operation.',
    labelNames: ['dependency', 'operation'] as const,
    registers: [this.registry],
  })

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const informer = () => this.sources.informer?.()
    new Gauge({
      name: 'fileprocessor_informer_relists',
      help: 'Full lists of Workflows the informer has done since start.',
      registers: [this.registry],
      collect() {
        const stats = informer()
        if (stats) this.set(stats.relists)
      },
    })
    new Gauge({
      name: 'fileprocessor_informer_restarts',
      help: 'Informer restarts after errors since start.',
      registers: [this.registry],
      collect() {
        const stats = informer()
        if (stats) this.set(stats.restarts)
      },
    })
    new Gauge({
      name: 'fileprocessor_informer_lag_seconds',
      help: 'Time since the Kubernetes API last told the informer anything (-1: never).',
      registers: [this.registry],
      collect() {
        const stats = informer()
        if (stats) this.set(stats.lagMs === null ? -1 : stats.lagMs / 1000)
      },
    })
    new Gauge({
      name: 'fileprocessor_informer_objects',
      help: 'Workflows in the informer cache.',
      registers: [this.registry],
      collect() {
        const stats = informer()
        if (stats) this.set(stats.objects)
      },
    })
    new Gauge({
      name: 'fileprocessor_informer_watching',
      help: '1 while the informer holds an open watch.',
      registers: [this.registry],
      collect() {
        const stats = informer()
        if (stats) this.set(stats.watching ? 1 : 0)
      },
    })
    const sseClients = () => this.sources.sseClients?.()
    new Gauge({
      name: 'fileprocessor_sse_clients',
      help: 'Open server-sent-event streams.',
      registers: [this.registry],
      collect() {
        const clients = sseClients()
        if (clients !== undefined) this.set(clients)
      },
    })
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry })
  }

  runStarted(type: string): void {
    this.runsStarted.inc({ type })
  }

  runFinished(type: string, phase: string): void {
    this.runsFinished.inc({ type, phase })
  }

  notificationTry(channel: string, delivered: boolean): void {
    this.notifications.inc({ channel, result: delivered ? 'delivered' : 'failed' })
  }

  notificationWithoutRecipient(channel: string): void {
    this.notifications.inc({ channel, result: 'no_recipient' })
  }

  /** Where scrape-time gauges read from (set once the parts exist). */
  readFrom(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources }
  }

  /** Times every response by its route template; a request no route took is `unmatched`. */
  httpMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const stop = this.httpDuration.startTimer()
      res.once('finish', () =>
        stop({ method: req.method, route: routeOf(req), status: String(res.statusCode) }),
      )
      next()
    }
  }

  /** GET /metrics in the Prometheus text format. */
  addRoute(router: Router): void {
    router.get('/metrics', async (_req, res) => {
      res.type(this.registry.contentType).send(await this.registry.metrics())
    })
  }

  /**
   * Wraps a client object so every method that returns a promise is timed and its failures counted.
   * Applied where the client is built, so the Invenio and Kubernetes modules stay untouched.
   */
  instrument<T extends object>(dependency: 'invenio' | 'kubernetes', client: T): T {
    const duration = this.dependencyDuration
    const errors = this.dependencyErrors
    return new Proxy(client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver)
        if (typeof value !== 'function' || typeof property !== 'string') return value
        return (...args: unknown[]) => {
          const started = process.hrtime.bigint()
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args)
          if (!(result instanceof Promise)) return result
          const labels = { dependency, operation: property }
          const observe = () => duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9)
          return result.then(
            (answer: unknown) => {
              observe()
              return answer
            },
            (error: unknown) => {
              observe()
              errors.inc(labels)
              throw error
            },
          )
        }
      },
    })
  }
}

/** The matched route as written (`/api/v1/records/:recordId/files`), never the raw path. */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path
  if (typeof route !== 'string') return 'unmatched'
  return `${req.baseUrl}${route}`
}
