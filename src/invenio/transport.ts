// HTTP plumbing for the Invenio client: same-origin link checks (no SSRF), credentials, timeouts,
// redirects handled by hand and Invenio statuses mapped to typed errors. Stateless.
import { InvenioError, NoAccessError, NotFoundError, RefusedError, UnavailableError } from './errors.js'
import { SERVICE_CREDENTIALS, type InvenioCredentials, type InvenioLogger } from './types.js'

export interface TransportOptions {
  baseUrl: string
  serviceToken?: string
  timeoutMs: number
  logger: InvenioLogger
  /** Origins a file download may be redirected to (object storage); credentials are never sent there. */
  redirectOrigins?: readonly string[]
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  credentials: InvenioCredentials
  headers?: Record<string, string>
  body?: string | Uint8Array | ReadableStream<Uint8Array>
  /**
   * 'whole' (default): the caller reads the body within the timeout; 'headers': only the wait for
   * headers is limited; 'none': only spec.signal limits the request (streamed uploads).
   */
  timeout?: 'whole' | 'headers' | 'none'
  signal?: AbortSignal
}

export interface TransportResponse {
  response: Response
  /** Call once the body has been consumed (or abandoned) to release the timeout. */
  done: () => void
}

const MAX_REDIRECTS = 5
const DEFAULT_RETRY_AFTER_SECONDS = 5
const ERROR_BODY_LIMIT = 4096

export class InvenioTransport {
  readonly baseUrl: string
  readonly origin: string
  private readonly redirectOrigins: ReadonlySet<string>

  constructor(private readonly options: TransportOptions) {
    const base = new URL(options.baseUrl)
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`Invenio base URL must be http(s): ${base.protocol}`)
    }
    this.baseUrl = base.href.replace(/\/+$/, '')
    this.origin = base.origin
    this.redirectOrigins = new Set((options.redirectOrigins ?? []).map((origin) => new URL(origin).origin))
  }

  /**
   * Resolves a URL Invenio handed out (a `links` entry) and refuses it unless it has the configured
   * Invenio's origin: the service never follows links elsewhere with a credential.
   */
  followLink(link: unknown, what: string): URL {
    if (typeof link !== 'string' || link === '')
      throw new RefusedError(`Invenio response has no ${what} link`)
    let url: URL
    try {
      url = new URL(link, this.baseUrl + '/')
    } catch (error) {
      throw new RefusedError(`Invenio ${what} link is not a URL`, undefined, { cause: error })
    }
    if (url.origin !== this.origin) {
      throw new RefusedError(`Invenio ${what} link points to another origin (${url.origin}); refused`)
    }
    return url
  }

  async request(startUrl: URL, spec: RequestSpec): Promise<TransportResponse> {
    const timeoutController = new AbortController()
    const timer =
      spec.timeout === 'none'
        ? undefined
        : setTimeout(
            () => timeoutController.abort(new DOMException('Invenio did not answer in time', 'TimeoutError')),
            this.options.timeoutMs,
          )
    const signal = spec.signal
      ? AbortSignal.any([timeoutController.signal, spec.signal])
      : timeoutController.signal
    const done = () => clearTimeout(timer)
    let url = startUrl
    let withCredentials = true
    try {
      for (let hop = 0; ; hop++) {
        const started = Date.now()
        const response = await fetch(url, {
          method: spec.method,
          headers: this.headers(spec, withCredentials),
          body: spec.body,
          redirect: 'manual',
          signal,
          ...(spec.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit)
        this.options.logger.debug(
          { method: spec.method, url: redactedUrl(url), status: response.status, ms: Date.now() - started },
          'invenio request',
        )
        const location = response.headers.get('location')
        if (!isRedirect(response.status) || location === null) {
          if (spec.timeout === 'headers') done()
          return { response, done }
        }
        await response.body?.cancel()
        if (spec.method !== 'GET' || hop >= MAX_REDIRECTS) {
          throw new RefusedError(`Invenio redirected ${spec.method} ${redactedUrl(url)}`, response.status)
        }
        url = new URL(location, url)
        if (url.origin === this.origin) continue
        if (!this.redirectOrigins.has(url.origin)) {
          throw new RefusedError(
            `Invenio redirected to another origin (${url.origin}); refused`,
            response.status,
          )
        }
        withCredentials = false
      }
    } catch (error) {
      done()
      throw this.translateFailure(error, url, spec.signal)
    }
  }

  /** GET/POST returning JSON; non-2xx statuses become typed errors. */
  async json(url: URL, spec: RequestSpec): Promise<unknown> {
    const { response, done } = await this.request(url, { ...spec, timeout: spec.timeout ?? 'whole' })
    try {
      await throwForStatus(response, url)
      const text = await response.text()
      try {
        return text === '' ? null : JSON.parse(text)
      } catch (error) {
        throw new RefusedError(`Invenio answered ${redactedUrl(url)} with invalid JSON`, response.status, {
          cause: error,
        })
      }
    } catch (error) {
      throw this.translateFailure(error, url, spec.signal)
    } finally {
      done()
    }
  }

  translateFailure(error: unknown, url: URL, callerSignal?: AbortSignal): unknown {
    if (error instanceof InvenioError) return error
    if (callerSignal?.aborted && error === callerSignal.reason) return error
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    const message = timedOut ? 'timed out' : 'unreachable'
    this.options.logger.warn({ url: redactedUrl(url), reason: describe(error) }, `invenio ${message}`)
    return new UnavailableError(`Invenio ${message}`, DEFAULT_RETRY_AFTER_SECONDS, undefined, {
      cause: error,
    })
  }

  private headers(spec: RequestSpec, withCredentials: boolean): Headers {
    const headers = new Headers({ accept: 'application/json', ...spec.headers })
    const token = withCredentials ? this.tokenFor(spec.credentials) : undefined
    if (token) headers.set('authorization', `Bearer ${token}`)
    return headers
  }

  private tokenFor(credentials: InvenioCredentials): string | undefined {
    if (credentials === SERVICE_CREDENTIALS) return this.options.serviceToken || undefined
    return credentials || undefined
  }
}

/** Maps a non-2xx Invenio answer to the error the service reports (DESIGN.md "Errors and input"). */
export async function throwForStatus(response: Response, url: URL): Promise<void> {
  const status = response.status
  if (status >= 200 && status < 300) return
  const detail = await errorMessage(response)
  const where = `${redactedUrl(url)}: ${status}${detail ? ` ${detail}` : ''}`
  if (status === 401 || status === 403) throw new NoAccessError(`Invenio denied access to ${where}`, status)
  if (status === 404 || status === 410) throw new NotFoundError(`Invenio does not know ${where}`, status)
  if (status === 408 || status === 429 || status >= 500) {
    throw new UnavailableError(`Invenio unavailable at ${where}`, retryAfterSeconds(response), status)
  }
  throw new RefusedError(`Invenio refused ${where}`, status)
}

async function errorMessage(response: Response): Promise<string | undefined> {
  try {
    const text = (await response.text()).slice(0, ERROR_BODY_LIMIT)
    const body: unknown = JSON.parse(text)
    if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
      return (body as { message: string }).message
    }
  } catch {
    // not JSON: the status says enough
  }
  return undefined
}

function retryAfterSeconds(response: Response): number {
  const header = response.headers.get('retry-after')
  if (header === null) return DEFAULT_RETRY_AFTER_SECONDS
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000
  if (!Number.isFinite(seconds)) return DEFAULT_RETRY_AFTER_SECONDS
  return Math.min(300, Math.max(1, Math.ceil(seconds)))
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

/** URL for logs and messages: no query string (signed storage URLs carry credentials there). */
export function redactedUrl(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as { cause?: { code?: unknown } }).cause
  return typeof cause?.code === 'string' ? `${error.name}: ${cause.code}` : `${error.name}: ${error.message}`
}
