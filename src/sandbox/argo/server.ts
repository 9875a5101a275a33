// The slice of the Argo Server's HTTP API the service uses (server/workflow/workflow_server.go via
// grpc-gateway): get, retry, resume, suspend, stop and terminate, with its JSON error bodies.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ObjectStore } from '../types.js'
import {
  ArgoServerError,
  resumeWorkflow,
  retryWorkflow,
  shutdownWorkflow,
  suspendWorkflow,
  type RetryOptions,
} from './lifecycle.js'
import { readNodes } from './nodes-codec.js'
import type { Workflow } from './model.js'

export interface ArgoServerHandlerOptions {
  store: ObjectStore
  /** Bearer token required on every request; none means the server runs with auth mode "server". */
  token?: string
  now?: () => Date
}

export type ArgoServerHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

const ROUTE = /^\/api\/v1\/workflows\/([^/]+)\/([^/]+)(?:\/(retry|resume|suspend|stop|terminate))?\/?$/

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function sendError(res: ServerResponse, error: ArgoServerError): void {
  send(res, error.httpStatus, { code: error.grpcCode, message: error.message })
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (!text) return {}
  const parsed: unknown = JSON.parse(text)
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
}

/** Argo Server answers with the Workflow as stored, nodes decoded. */
function present(workflow: Workflow): Workflow {
  if (!workflow.status?.compressedNodes) return workflow
  const copy = structuredClone(workflow)
  copy.status!.nodes = readNodes(workflow.status)
  delete copy.status!.compressedNodes
  return copy
}

export function createArgoServerHandler(options: ArgoServerHandlerOptions): ArgoServerHandler {
  const now = options.now ?? (() => new Date())
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://argo-server')
    const match = ROUTE.exec(url.pathname)
    if (!match) {
      if (next) return next()
      return send(res, 404, { code: 5, message: 'Not Found' })
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, {
        code: 16,
        message: 'token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/',
      })
    }
    const namespace = decodeURIComponent(match[1]!)
    const name = decodeURIComponent(match[2]!)
    const action = match[3]
    const expected = action ? 'PUT' : 'GET'
    if (req.method !== expected) return send(res, 405, { code: 12, message: 'Method Not Allowed' })
    void (async () => {
      try {
        const body = action ? await readJson(req) : {}
        let result: Workflow
        switch (action) {
          case undefined: {
            const wf = options.store.get('workflows', namespace, name) as Workflow | undefined
            if (!wf) throw new ArgoServerError(5, 404, `workflows.argoproj.io "${name}" not found`)
            result = wf
            break
          }
          case 'retry': {
            const retry: RetryOptions = { now: now() }
            if (body.restartSuccessful === true) retry.restartSuccessful = true
            if (typeof body.nodeFieldSelector === 'string') retry.nodeFieldSelector = body.nodeFieldSelector
            result = retryWorkflow(options.store, namespace, name, retry)
            break
          }
          case 'resume':
            result = resumeWorkflow(options.store, namespace, name, now())
            break
          case 'suspend':
            result = suspendWorkflow(options.store, namespace, name)
            break
          default:
            result = shutdownWorkflow(
              options.store,
              namespace,
              name,
              action === 'stop' ? 'Stop' : 'Terminate',
            )
        }
        send(res, 200, present(result))
      } catch (error) {
        if (error instanceof ArgoServerError) return sendError(res, error)
        if (error instanceof SyntaxError) return send(res, 400, { code: 3, message: error.message })
        send(res, 500, { code: 13, message: (error as Error).message })
      }
    })()
  }
}
