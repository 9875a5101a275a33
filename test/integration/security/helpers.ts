// Shared bits of the security tests: the stack served over real HTTP (streams need fetch and an
// abort), a started run, its token from the sandbox Secret, sessions and stream URLs.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTestStack, SERVICE_TOKEN, type TestStack, type TestStackOptions } from '../../helpers/stack.js'

export interface SecurityStack extends TestStack {
  baseUrl: string
  call(method: string, path: string, init?: CallInit): Promise<CallResult>
}

export interface CallInit {
  token?: string
  body?: unknown
  rawBody?: Buffer | string
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Headers
  body: unknown
  text: string
}

export async function startSecurityStack(options: TestStackOptions = {}): Promise<SecurityStack> {
  const stack = await startTestStack(options)
  const server: Server = createServer(stack.service.app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const call = async (method: string, path: string, init: CallInit = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...init.headers }
    if (init.token) headers.authorization = `Bearer ${init.token}`
    let body: string | Uint8Array<ArrayBuffer> | undefined
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.body)
    } else if (init.rawBody !== undefined) {
      headers['content-type'] ??= 'application/octet-stream'
      body = typeof init.rawBody === 'string' ? init.rawBody : new Uint8Array(init.rawBody)
    }
    const abort = new AbortController()
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body,
      signal: abort.signal,
      redirect: 'manual',
    })
    // Streams never end on their own: read only what a non-stream answer holds.
    let text = ''
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) abort.abort()
    else text = await response.text()
    let parsed: unknown = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = text
    }
    return { status: response.status, headers: response.headers, body: parsed, text }
  }
  return {
    ...stack,
    baseUrl,
    call,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await stack.close()
    },
  }
}

export { SERVICE_TOKEN }

export async function startRun(
  stack: SecurityStack,
  type = 'gaussian-log',
  files = ['water-dimer.log'],
): Promise<string> {
  const response = await stack.call('POST', `/api/v1/records/${stack.recordId}/workflows`, {
    token: stack.tokens.alice,
    body: { type, files },
  })
  if (response.status !== 201) throw new Error(`start failed: ${response.status} ${response.text}`)
  return (response.body as { name: string }).name
}

/** The run token, as the pods get it: from the Secret the service created for the run. */
export function runTokenOf(stack: TestStack, runName: string): string {
  const secret = stack.cluster.store.get('secrets', 'default', `${runName}-run-token`) as
    { data?: Record<string, string> } | undefined
  const encoded = secret?.data?.token
  if (!encoded) throw new Error(`no run token Secret for ${runName}`)
  return Buffer.from(encoded, 'base64').toString('utf8')
}

export async function mintSession(stack: SecurityStack, user: string, recordId: string): Promise<string> {
  const response = await stack.call('POST', '/api/v1/sessions', {
    token: SERVICE_TOKEN,
    body: { user, recordId },
  })
  if (response.status !== 201) throw new Error(`session failed: ${response.status} ${response.text}`)
  return (response.body as { token: string }).token
}

/** A stream URL's path and query (relative to the service), minted with the given token. */
export async function mintStreamPath(
  stack: SecurityStack,
  token: string,
  recordId: string,
  scope: string,
): Promise<string> {
  const response = await stack.call('POST', `/api/v1/records/${encodeURIComponent(recordId)}/stream-urls`, {
    token,
    body: { scope },
  })
  if (response.status !== 201) throw new Error(`stream URL failed: ${response.status} ${response.text}`)
  const url = new URL((response.body as { url: string }).url)
  return url.pathname + url.search
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
