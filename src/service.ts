// The composition root: builds every part of the service from settings and wires them together.
// main.ts, the demo and the integration tests all start the service through here.
import { KubeConfig } from '@kubernetes/client-node'
import type { Express, Router } from 'express'
import type { Logger } from 'pino'
import { createKubeAccess, WorkflowInformer, type ArgoClient } from './argo/index.js'
import { CatalogStore, type Settings } from './config/index.js'
import { openDatabase, type Database } from './db/index.js'
import cors from 'cors'
import { createApp } from './http/app.js'
import { enforcePolicy } from './http/auth.js'
import { ServiceMetrics } from './http/metrics.js'
import { corsOptions } from './http/policy.js'
import { addFileProxyRoutes } from './http/routes/file-proxy.js'
import { addSessionRoutes } from './http/routes/sessions.js'
import { addStreamUrlRoutes } from './http/routes/stream-urls.js'
import type { HealthCheck } from './http/health.js'
import { addRecordFileRoutes } from './http/routes/record-files.js'
import { registerRunRoutes } from './http/routes/runs.js'
import { addStartRoutes } from './http/routes/start.js'
import { addWorkflowTypeRoutes } from './http/routes/workflow-types.js'
import { addEventRoutes } from './http/routes/events.js'
import { addLogRoutes } from './http/routes/logs.js'
import { addActionRoutes } from './http/routes/actions.js'
import { addInvenioEventRoutes } from './http/routes/invenio-events.js'
import { addSyncRoutes } from './http/routes/sync.js'
import { addUiRoutes } from './http/routes/ui.js'
import { startAutomatic } from './processing/automatic-service.js'
import { startServer, type RunningServer } from './http/server.js'
import { createInvenioClient, SERVICE_CREDENTIALS, type InvenioClient } from './invenio/index.js'
import { createLogger } from './log.js'
import { startLive } from './streams/live.js'
import { closeOpenStreams } from './streams/sse.js'

/** Everything a use case or a route may need; built once per process. */
export interface ServiceContext {
  settings: Settings
  logger: Logger
  db: Database
  catalog: CatalogStore
  argo: ArgoClient
  informer: WorkflowInformer
  invenio: InvenioClient
  /** This instance's Prometheus registry and series (GET /metrics). */
  metrics: ServiceMetrics
}

export interface ServiceOptions {
  settings: Settings
  logger?: Logger
  /** Cluster access; default: KUBECONFIG, then in-cluster config (client-node's loadFromDefault). */
  kubeConfig?: KubeConfig
  /** An open database to use instead of opening one from the settings. */
  database?: Database
  /** Validate every JSON response against the OpenAPI document (tests). */
  validateResponses?: boolean
}

export interface Service {
  context: ServiceContext
  app: Express
  close(): Promise<void>
}

/** Route modules: each adds its routes to the API router (see src/http/routes). */
const routeModules: Array<(router: Router, context: ServiceContext) => void> = [
  addWorkflowTypeRoutes,
  addRecordFileRoutes,
  addStartRoutes,
  registerRunRoutes,
  (router, context) => addActionRoutes(router, context),
  (router, context) => addEventRoutes(router, context),
  addLogRoutes,
  addSessionRoutes,
  addStreamUrlRoutes,
  addFileProxyRoutes,
  addInvenioEventRoutes,
  addSyncRoutes,
  addUiRoutes,
]

export async function createService(options: ServiceOptions): Promise<Service> {
  const { settings } = options
  const logger = options.logger ?? createLogger({ level: settings.logLevel, name: 'compchem-fileprocessor' })
  const metrics = new ServiceMetrics()
  const closers: Array<() => Promise<void> | void> = []
  const close = async () => {
    for (const closer of closers.reverse()) await closer()
  }
  try {
    const catalog = new CatalogStore({
      path: settings.catalogFile,
      logger,
      watch: settings.catalogWatch,
      pollIntervalMs: settings.catalogPollSeconds * 1000,
    })
    await catalog.start()
    closers.push(() => catalog.stop())

    // A database handed in (tests sharing one embedded PGlite) stays open: its owner closes it.
    const db =
      options.database ??
      (await openDatabase({
        url: settings.databaseUrl,
        dataDir: settings.pgliteDataDir,
        migrate: settings.dbMigrateOnStart,
        logger,
      }))
    if (!options.database) closers.push(() => db.close())

    const kubeConfig = options.kubeConfig ?? defaultKubeConfig(settings)
    const argo = metrics.instrument(
      'kubernetes',
      createKubeAccess({ kubeConfig, namespace: settings.kubeNamespace, logger }),
    )
    const informer = new WorkflowInformer({ client: argo, logger })
    // Not awaited: the cluster being down must not stop the API from starting (it reports it instead).
    void informer
      .start()
      .catch((error: unknown) => logger.warn({ err: error }, 'workflow informer failed to start'))
    closers.push(() => informer.stop())

    const invenio = metrics.instrument(
      'invenio',
      createInvenioClient({
        baseUrl: settings.invenioUrl ?? 'http://invenio.invalid',
        recordUrlTemplate: settings.invenioRecordUrlTemplate,
        userCheckPath: settings.invenioUserCheckPath,
        serviceToken: settings.invenioServiceToken,
        timeoutMs: settings.invenioTimeoutSeconds * 1000,
        logger,
      }),
    )

    const context: ServiceContext = { settings, logger, db, catalog, argo, informer, invenio, metrics }
    // SSE hub, outcome recorder and notifier, fed by the informer (src/streams/live.ts).
    const live = startLive(context)
    closers.push(() => live.stop())
    metrics.readFrom({ informer: () => informer.stats(), sseClients: () => live.hub.stats().clients })
    // Upload events, the durable queue of automatic starts and the optional sync sweep.
    const automatic = startAutomatic(context)
    closers.push(() => automatic.stop())
    const app = createApp({
      logger,
      bodyLimit: settings.httpBodyLimit,
      healthChecks: healthChecks(context),
      // CORS first (it answers preflights), then who may call what (src/http/policy.ts).
      preValidation: [cors(corsOptions(settings.corsOrigins)), enforcePolicy(context)],
      validateResponses: options.validateResponses,
      metrics,
      mount: (router) => {
        for (const addRoutes of routeModules) addRoutes(router, context)
      },
    })
    return { context, app, close }
  } catch (error) {
    await close()
    throw error
  }
}

function defaultKubeConfig(settings: Settings): KubeConfig {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromDefault()
  if (settings.kubeContext) kubeConfig.setCurrentContext(settings.kubeContext)
  return kubeConfig
}

function healthChecks(context: ServiceContext): HealthCheck[] {
  return [
    { name: 'database', critical: true, check: () => context.db.ping() },
    {
      name: 'catalog',
      critical: true,
      check: async () => {
        const status = context.catalog.status()
        if (!status.ok) throw new Error(status.lastError ?? 'no valid catalog loaded')
        return {
          details: {
            source: status.source,
            loadedAt: status.loadedAt?.toISOString(),
            lastError: status.lastError,
          },
        }
      },
    },
    {
      name: 'kubernetes',
      critical: false,
      check: async () => {
        const result = await context.argo.ping()
        if (!result.ok) throw new Error(result.error ?? 'Kubernetes API unreachable')
      },
    },
    {
      name: 'informer',
      critical: false,
      check: async () => {
        const stats = context.informer.stats()
        if (!context.informer.synced()) throw new Error('workflow informer has not synced yet')
        if (!stats.watching) throw new Error('workflow informer is re-establishing its watch')
        return { details: { ...stats, lastSyncAt: stats.lastSyncAt?.toISOString() } }
      },
    },
    {
      name: 'invenio',
      critical: false,
      check: () => context.invenio.ping(SERVICE_CREDENTIALS),
    },
  ]
}

/** The last event of every open stream when this replica shuts down; EventSource reconnects. */
export const SHUTDOWN_EVENT = {
  event: 'shutdown',
  data: JSON.stringify({ reason: 'this replica is shutting down; reconnect with Last-Event-ID' }),
}

export interface RunningService extends Service {
  url: string
  server: RunningServer
}

/** Creates the service and serves it on settings.host:settings.port. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const service = await createService(options)
  const { settings } = service.context
  const server = await startServer(service.app, {
    host: settings.host,
    port: settings.port,
    requestTimeoutMs: settings.httpRequestTimeoutSeconds * 1000,
    headersTimeoutMs: settings.httpHeadersTimeoutSeconds * 1000,
    shutdownGraceMs: settings.shutdownGraceSeconds * 1000,
  })
  return {
    ...service,
    url: server.url,
    server,
    // Graceful: stop accepting, tell open streams to reconnect elsewhere, let requests in flight
    // (starts) finish within the grace period, then stop the parts.
    close: async () => {
      const serverClosed = server.close()
      closeOpenStreams(service.app, SHUTDOWN_EVENT)
      await serverClosed
      await service.close()
    },
  }
}
