// The express application: request id and access log, security headers, body parsing, validation
// of every request against the OpenAPI document, routes, and problem+json errors.
//
// Adding an endpoint: describe it in openapi.yaml, write src/http/routes/<concern>.ts exporting
// `create<Concern>Router(deps): Router` (routing only: parse the validated request, call the use
// case, shape the answer), and register it through `mount`. By the time a handler runs its input
// matches the document, so handlers never re-validate shapes, only domain rules.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express, { Router, type Express, type Request, type RequestHandler, type Response } from 'express'
import * as OpenApiValidator from 'express-openapi-validator'
import helmet from 'helmet'
import { pinoHttp } from 'pino-http'
import type { Logger } from '../log.js'
import { redactSecretsInText } from '../log.js'
import { problemErrorHandler, type LoggedProblem } from './errors.js'
import type { HealthCheck } from './health.js'
import { loadOpenApiDocument, type OpenApiDocument } from './openapi.js'
import type { ServiceMetrics } from './metrics.js'
import { notFound } from './problem.js'
import { createDocsRouter } from './routes/docs.js'
import { createHealthRouter } from './routes/health.js'

export interface AppOptions {
  logger: Logger
  /** Largest accepted request body: bytes, or a string such as '100kb'. */
  bodyLimit: number | string
  healthChecks: readonly HealthCheck[]
  /** Validate every JSON response against the document (tests turn this on). */
  validateResponses?: boolean
  /**
   * Middleware that must see requests before body parsing and validation: CORS (it answers
   * preflight OPTIONS, which the document does not list) and rate limits.
   */
  preValidation?: RequestHandler[]
  /** Registers the routers of later concerns; runs after validation, before the 404 fallback. */
  mount?: (router: Router) => void
  version?: string
  /** The document to serve and validate against; defaults to openapi.yaml (tests may add paths). */
  openapi?: OpenApiDocument
  /** Timeout for health checks that set none of their own. */
  healthCheckTimeoutMs?: number
  /** HTTP latency by route and GET /metrics (src/http/metrics.ts). */
  metrics?: ServiceMetrics
}

export const REQUEST_ID_HEADER = 'X-Request-Id'
// Honoured only when short and plain, so a caller cannot inject log lines or huge values.
const SANE_REQUEST_ID = /^[A-Za-z0-9._~:@+=/-]{1,128}$/

export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

const isApiPath = (path: string) => path.startsWith('/api/')
// Probes and static assets: their successes are logged at debug only.
const isQuietPath = (url: string | undefined) =>
  !!url && (url.startsWith('/api/v1/health') || url.startsWith('/docs/'))

function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const id = requestIdFor(req.headers['x-request-id'])
      res.setHeader(REQUEST_ID_HEADER, id)
      return id
    },
    customLogLevel(req, res, error) {
      if (error || res.statusCode >= 500) return isQuietPath(req.url) ? 'warn' : 'error'
      if (res.statusCode >= 400) return 'info'
      return isQuietPath(req.url) ? 'debug' : 'info'
    },
    customSuccessObject(_req, res, fields: Record<string, unknown>) {
      const problem = (res as unknown as Response).locals?.problem as LoggedProblem | undefined
      return problem ? { ...fields, problem } : fields
    },
    // Only what helps to follow a request; headers (credentials, cookies) stay out of the log.
    serializers: {
      req: (req: {
        id: unknown
        method: string
        url: string
        remoteAddress?: string
        headers: Record<string, unknown>
      }) => ({
        id: req.id,
        method: req.method,
        url: redactSecretsInText(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  })
}

function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // Swagger UI sets style attributes at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
  })
}

export function createApp(opts: AppOptions): Express {
  const document = opts.openapi ?? loadOpenApiDocument()
  if (opts.version !== undefined) document.info = { ...document.info, version: opts.version }

  const app = express()
  app.disable('x-powered-by')

  app.use(requestLogger(opts.logger))
  if (opts.metrics) app.use(opts.metrics.httpMiddleware())
  app.use(securityHeaders())
  for (const middleware of opts.preValidation ?? []) app.use(middleware)
  app.use(
    express.json({
      limit: opts.bodyLimit,
      type: ['application/json', 'application/*+json'],
      // Signed requests (POST /api/v1/events/invenio) are checked over the bytes as they arrived.
      verify: (req, _res, buf) => {
        ;(req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf
      },
    }),
  )
  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(document) as Parameters<typeof OpenApiValidator.middleware>[0]['apiSpec'],
      validateRequests: true,
      validateResponses: opts.validateResponses ? { allErrors: true } : false,
      // Presence of credentials only; who the caller is and what they may do is decided by auth.
      validateSecurity: true,
      ignorePaths: (path: string) => !isApiPath(path),
    }),
  )

  app.use(
    createHealthRouter({
      checks: opts.healthChecks,
      version: opts.version,
      defaultTimeoutMs: opts.healthCheckTimeoutMs,
    }),
  )
  app.use(createDocsRouter({ document }))
  if (opts.metrics) {
    const metricsRouter = Router()
    opts.metrics.addRoute(metricsRouter)
    app.use(metricsRouter)
  }
  if (opts.mount) {
    const router = Router()
    opts.mount(router)
    app.use(router)
  }

  app.use((req: Request) => {
    throw notFound(`No route ${req.method} ${req.path}`)
  })
  app.use(problemErrorHandler)
  return app
}
