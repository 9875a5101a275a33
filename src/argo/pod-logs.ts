import http from 'node:http'
import https from 'node:https'
import { finished, type Writable } from 'node:stream'
import type { KubeConfig } from '@kubernetes/client-node'
import { errorForStatus, LogsGoneError, LogsWaitingError, toKubeAccessError } from './errors.js'

// Raw request rather than client-node's Log: Log leaves its response stream without an error
// listener, so an abort or a dropped connection during follow crashes the process.

export interface PodLogOptions {
  container?: string
  follow?: boolean
  tailLines?: number
  sinceSeconds?: number
  timestamps?: boolean
  limitBytes?: number
}

export interface PodLogStream {
  /** Stops reading; `done` then resolves. */
  abort(): void
  /** Resolves when the log ends (or on abort); rejects with UnavailableError when the connection breaks. */
  done: Promise<void>
}

const MAX_ERROR_BODY = 64 * 1024
const WAITING = /waiting to start|ContainerCreating|PodInitializing|is waiting/i

function logUrl(server: string, namespace: string, podName: string, options: PodLogOptions): URL {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/log`
  const url = new URL(server.replace(/\/+$/, '') + path)
  url.searchParams.set('container', options.container ?? 'main')
  if (options.follow) url.searchParams.set('follow', 'true')
  if (options.timestamps) url.searchParams.set('timestamps', 'true')
  if (options.tailLines !== undefined) url.searchParams.set('tailLines', String(options.tailLines))
  if (options.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(options.sinceSeconds))
  if (options.limitBytes !== undefined) url.searchParams.set('limitBytes', String(options.limitBytes))
  return url
}

async function readSmallBody(response: http.IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of response) {
    if (body.length < MAX_ERROR_BODY) body += String(chunk)
  }
  return body
}

function logsError(statusCode: number, body: string, what: string, headers: http.IncomingHttpHeaders): Error {
  // A pod no node has taken yet: the API server answers 204 with nothing to stream (checked on a
  // real kube-apiserver, scripts/real-apiserver.sh).
  if (statusCode === 204) return new LogsWaitingError(`${what}: the pod is not scheduled yet`, statusCode)
  const error = errorForStatus(statusCode, body, what, headers as Record<string, string>)
  if (statusCode === 404) return new LogsGoneError(error.message, statusCode, error.reason)
  if (statusCode === 400 && WAITING.test(error.message)) {
    return new LogsWaitingError(error.message, statusCode, error.reason)
  }
  return error
}

function endQuietly(destination: Writable): void {
  if (!destination.destroyed && !destination.writableEnded) destination.end()
}

/**
 * Streams a container's log into `destination` (ended when the log ends). Resolves once the API
 * server has accepted the request, so "waiting" and "gone" come back as typed errors up front.
 */
export async function openPodLogStream(
  kubeConfig: KubeConfig,
  namespace: string,
  podName: string,
  options: PodLogOptions,
  destination: Writable,
  connectTimeoutMs: number,
): Promise<PodLogStream> {
  const what = `logs of pod ${podName}`
  const cluster = kubeConfig.getCurrentCluster()
  if (!cluster) throw new Error('the kubeconfig has no current cluster')
  const requestOptions: https.RequestOptions = {}
  await kubeConfig.applyToHTTPSOptions(requestOptions)
  const url = logUrl(cluster.server, namespace, podName, options)
  const transport = url.protocol === 'https:' ? https : http

  const request = transport.request(url, { ...requestOptions, method: 'GET' })
  // A late socket error (after abort, end or an error answer) must not become an uncaught exception.
  request.on('error', () => {})
  let aborted = false
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })),
      connectTimeoutMs,
    )
    request.once('response', (answer) => {
      clearTimeout(timer)
      resolve(answer)
    })
    request.once('error', (error) => {
      clearTimeout(timer)
      reject(toKubeAccessError(error, what))
    })
    request.end()
  })
  if (response.statusCode !== 200) {
    const body = await readSmallBody(response).catch(() => '')
    throw logsError(response.statusCode ?? 500, body, what, response.headers)
  }

  const done = new Promise<void>((resolve, reject) => {
    finished(response, (error) => {
      if (aborted || error) endQuietly(destination)
      if (!error || aborted) resolve()
      else reject(toKubeAccessError(error, `${what} (stream broken)`))
    })
  })
  const abort = () => {
    if (aborted) return
    aborted = true
    response.unpipe(destination)
    request.destroy()
  }
  // A consumer that goes away (say, a closed SSE connection) must not leave a follow open for ever.
  destination.once('close', abort)
  response.pipe(destination)
  return { abort, done }
}
