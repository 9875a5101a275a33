// A small client for the Argo Server's workflow API (server/workflow/workflow_server.go through
// grpc-gateway), for the two things the Kubernetes API cannot do on its own: retrying failed steps in
// place and resuming a run that waits on a suspend template (both rewrite node status, which only
// the Argo Server does for us). Optional: without ARGO_SERVER_URL the service has no such client.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Logger } from 'pino'
import { errorForStatus, UnavailableError } from './errors.js'
import type { Workflow } from './types.js'

export interface ArgoServerClientOptions {
  /** Base URL, e.g. https://argo-server.argo:2746 */
  url: string
  namespace: string
  /** Bearer token (ARGO_SERVER_TOKEN); never logged. */
  token?: string
  /** Accept a self-signed certificate (ARGO_SERVER_INSECURE_SKIP_VERIFY). */
  insecureSkipVerify?: boolean
  logger: Logger
  /** Bound on each call (default 15 s). */
  timeoutMs?: number
}

export interface RetryRequest {
  /** Also restart succeeded nodes matched by nodeFieldSelector (Argo's option). */
  restartSuccessful?: boolean
  nodeFieldSelector?: string
}

const MAX_BODY_BYTES = 8 * 1024 * 1024

export class ArgoServerClient {
  private readonly base: URL
  private readonly timeoutMs: number

  constructor(private readonly options: ArgoServerClientOptions) {
    this.base = new URL(options.url)
    this.timeoutMs = options.timeoutMs ?? 15_000
  }

  /** Retries the failed steps of a Failed/Error workflow in place; the Argo Server answers with it. */
  retry(name: string, body: RetryRequest = {}): Promise<Workflow> {
    return this.put(name, 'retry', { ...body, name, namespace: this.options.namespace })
  }

  /** Clears spec.suspend and completes every waiting suspend node. */
  resume(name: string): Promise<Workflow> {
    return this.put(name, 'resume', { name, namespace: this.options.namespace })
  }

  private put(name: string, verb: string, body: Record<string, unknown>): Promise<Workflow> {
    const path = `/api/v1/workflows/${encodeURIComponent(this.options.namespace)}/${encodeURIComponent(name)}/${verb}`
    return this.send('PUT', path, body, `argo server ${verb} ${name}`)
  }

  private send(method: string, path: string, body: unknown, what: string): Promise<Workflow> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.base.href.endsWith('/') ? this.base : `${this.base.href}/`,
    )
    const payload = Buffer.from(JSON.stringify(body))
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': payload.length,
    }
    // `argo auth token` prints the token with its scheme; accept it either way.
    const token = this.options.token?.replace(/^Bearer\s+/i, '')
    if (token) headers.authorization = `Bearer ${token}`
    const secure = url.protocol === 'https:'
    const send = secure ? httpsRequest : httpRequest
    return new Promise<Workflow>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          headers,
          timeout: this.timeoutMs,
          ...(secure ? { rejectUnauthorized: !this.options.insecureSkipVerify } : {}),
        },
        (res) => {
          readBody(res)
            .then((text) => {
              const status = res.statusCode ?? 0
              const parsed = parseJson(text)
              if (status >= 200 && status < 300) return resolve(parsed as Workflow)
              // The Argo Server's errors are {code, message}: the same mapping as the API server's.
              const error = errorForStatus(status, parsed ?? {}, what, res.headers as Record<string, string>)
              this.options.logger.debug({ status, err: error }, 'argo server call failed')
              reject(error)
            })
            .catch((error: unknown) => reject(new UnavailableError(`${what}: ${(error as Error).message}`)))
        },
      )
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', (error) => reject(new UnavailableError(`${what}: ${error.message}`)))
      req.end(payload)
    })
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new Error('answer too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

/** The client for the configured Argo Server, or undefined when none is configured. */
export function createArgoServerClient(
  settings: { argoServerUrl?: string; argoServerToken?: string; argoServerInsecureSkipVerify: boolean },
  namespace: string,
  logger: Logger,
): ArgoServerClient | undefined {
  if (!settings.argoServerUrl) return undefined
  return new ArgoServerClient({
    url: settings.argoServerUrl,
    namespace,
    token: settings.argoServerToken,
    insecureSkipVerify: settings.argoServerInsecureSkipVerify,
    logger,
  })
}
