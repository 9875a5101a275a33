// The sandbox cluster's Kubernetes API server: plain HTTP on loopback, speaking enough of the real
// API (discovery, Argo's custom resources, pods, pods/log, secrets, watches, Status errors, RBAC)
// that @kubernetes/client-node works against it unchanged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify } from 'yaml'
import type { PodLogStore, ResourceName } from '../types.js'
import { discovery } from './discovery.js'
import { ApiError, internalError, isApiError, methodNotAllowed } from './errors.js'
import { FaultInjector } from './faults.js'
import {
  handleCreate,
  handleDelete,
  handleGet,
  handleList,
  handlePatch,
  handleUpdate,
  type HandlerContext,
  type ResourceRequest,
} from './handlers.js'
import { flag, readBody, sendError, sendJson } from './http.js'
import { servePodLog } from './podlogs.js'
import { authenticate, authorize, type RbacTable } from './rbac.js'
import { RESOURCES, type ResourceInfo } from './resources.js'
import { MINIMAL_SCHEMA, type StructuralSchema } from './schema.js'
import { parseFieldSelector, parseLabelSelector } from './selectors.js'
import type { MemoryStore } from './store.js'
import { serveWatch } from './watch.js'
import { handleFaultAdmin } from './admin.js'

export interface KubeApiLogger {
  debug?: (object: object, message: string) => void
  warn?: (object: object, message: string) => void
  error?: (object: object, message: string) => void
}

export interface KubeApiServerOptions {
  store: MemoryStore
  logs: PodLogStore
  host?: string
  port?: number
  /** token → user and rules; without a table every request is allowed. */
  tokens?: RbacTable
  /** 'minimal' (default, as Argo installs) or the full openAPIV3Schema of each CRD. */
  crdSchemas?: 'minimal' | { workflows: object; workflowtemplates: object }
  logger?: KubeApiLogger
  /** How often watches with allowWatchBookmarks get a BOOKMARK (default 5 s). */
  bookmarkIntervalMs?: number
}

export interface KubeApiServer {
  url: string
  close(): Promise<void>
  faults: FaultInjector
  /** A kubeconfig (YAML text) pointing at this server, with a bearer token when given. */
  kubeconfig(token?: string): string
}

interface Target extends ResourceRequest {
  subresource?: string
  verb: string
}

function schemasFor(
  option: KubeApiServerOptions['crdSchemas'],
): Partial<Record<ResourceName, StructuralSchema>> {
  if (!option || option === 'minimal') {
    // The template CRDs declare no status: a status sent with a template is pruned.
    const { status: _status, ...templateProperties } = MINIMAL_SCHEMA.properties ?? {}
    const templates = { ...MINIMAL_SCHEMA, properties: templateProperties }
    return { workflows: MINIMAL_SCHEMA, workflowtemplates: templates, clusterworkflowtemplates: templates }
  }
  return {
    workflows: option.workflows as StructuralSchema,
    workflowtemplates: option.workflowtemplates as StructuralSchema,
    clusterworkflowtemplates: option.workflowtemplates as StructuralSchema,
  }
}

function resolveTarget(method: string, url: URL): Target | undefined {
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
  let rest: string[]
  let group: string
  if (segments[0] === 'api' && segments[1] === 'v1') {
    rest = segments.slice(2)
    group = ''
  } else if (segments[0] === 'apis' && segments[1] === 'argoproj.io' && segments[2] === 'v1alpha1') {
    rest = segments.slice(3)
    group = 'argoproj.io'
  } else return undefined
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  if (rest.length < 1 || rest.length > 3) return undefined
  const info = RESOURCES[rest[0] as ResourceName] as ResourceInfo | undefined
  if (!info || info.group !== group) return undefined
  const [, name, subresource] = rest
  if (info.namespaced ? name !== undefined && namespace === undefined : namespace !== undefined)
    return undefined
  if (subresource !== undefined && !(info.resource === 'pods' && subresource === 'log')) return undefined
  const query = url.searchParams
  const verb = verbOf(method, name, subresource, flag(query.get('watch')))
  return { info, namespace, name, subresource, query, verb }
}

function verbOf(
  method: string,
  name: string | undefined,
  subresource: string | undefined,
  watch: boolean,
): string {
  if (subresource) return method === 'GET' ? 'get' : ''
  switch (method) {
    case 'GET':
      return name ? 'get' : watch ? 'watch' : 'list'
    case 'POST':
      return name ? '' : 'create'
    case 'PUT':
      return name ? 'update' : ''
    case 'PATCH':
      return name ? 'patch' : ''
    case 'DELETE':
      return name ? 'delete' : 'deletecollection'
    default:
      return ''
  }
}

const NOT_FOUND = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})

export async function startKubeApiServer(options: KubeApiServerOptions): Promise<KubeApiServer> {
  const { store, logs } = options
  const faults = new FaultInjector()
  faults.onExpire(() => store.compact())
  const ctx: HandlerContext = { store, schemas: schemasFor(options.crdSchemas) }
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 5000
  const sockets = new Set<Socket>()
  let serverAddress = ''
  // Logs go with their pod, however the pod was deleted (API, garbage collection, controller).
  const unsubscribe = store.subscribe((event) => {
    if (event.resource === 'pods' && event.type === 'DELETED') {
      logs.remove(event.object.metadata.namespace ?? 'default', event.object.metadata.name as string)
    }
  })

  async function serveApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (faults.delayMs > 0) await sleep(faults.delayMs)
    const subject = authenticate(options.tokens, req.headers.authorization)
    const method = req.method ?? 'GET'
    const found = discovery(url.pathname, serverAddress)
    const target = found === undefined ? resolveTarget(method, url) : undefined
    const injected = faults.takeFailure(method, url.pathname, target?.verb ?? method.toLowerCase())
    if (injected) throw injected
    if (found !== undefined) {
      if (method !== 'GET') throw methodNotAllowed()
      return sendJson(res, 200, found)
    }
    if (!target) throw NOT_FOUND()
    if (!target.verb || target.verb === 'deletecollection') throw methodNotAllowed()
    authorize(subject, {
      group: target.info.group,
      resource: target.info.resource,
      subresource: target.subresource,
      verb: target.verb,
      namespace: target.namespace,
      name: target.name,
    })
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? await readBody(req) : ''
    switch (target.verb) {
      case 'get':
        if (target.subresource === 'log') {
          return servePodLog(res, {
            store,
            logs,
            namespace: target.namespace as string,
            pod: target.name as string,
            query: target.query,
            now: () => new Date(),
          })
        }
        return handleGet(ctx, target, res)
      case 'list':
        return handleList(ctx, target, res)
      case 'watch':
        return serveWatch(res, {
          store,
          faults,
          info: target.info,
          namespace: target.namespace,
          matches: combine(target),
          query: target.query,
          bookmarkIntervalMs,
        })
      case 'create':
        return handleCreate(ctx, target, body, res)
      case 'update':
        return handleUpdate(ctx, target, body, res)
      case 'patch':
        return handlePatch(ctx, target, req.headers['content-type'] ?? '', body, res)
      case 'delete':
        return handleDelete(ctx, target, body, res)
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox')
    const work = url.pathname.startsWith('/sandbox/faults')
      ? handleFaultAdmin(req, res, url, faults)
      : serveApi(req, res, url)
    work.catch((error: unknown) => {
      const apiError = isApiError(error) ? error : internalError((error as Error)?.message ?? String(error))
      if (!isApiError(error)) options.logger?.error?.({ err: error, path: url.pathname }, 'sandbox API error')
      if (res.headersSent) res.destroy()
      else sendError(res, apiError)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  serverAddress = `${host}:${address.port}`
  const url = `http://${serverAddress}`

  return {
    url,
    faults,
    kubeconfig: (token?: string) => kubeconfigYaml(url, token),
    close: async () => {
      unsubscribe()
      faults.dropWatches()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function combine(target: Target) {
  const labels = parseLabelSelector(target.query.get('labelSelector') ?? undefined)
  const fields = parseFieldSelector(target.info.resource, target.query.get('fieldSelector') ?? undefined)
  return (object: Parameters<typeof labels>[0]) => labels(object) && fields(object)
}

export function kubeconfigYaml(server: string, token?: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain HTTP unless TLS verification is explicitly off.
    clusters: [{ name: 'sandbox', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'sandbox', user: token ? { token } : {} }],
    contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace: 'default' } }],
    'current-context': 'sandbox',
    preferences: {},
  })
}
