// Small HTTP helpers shared by the API server's handlers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ApiError, badRequest } from './errors.js'

const MAX_BODY = 3 * 1024 * 1024

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
) {
  const text = JSON.stringify(body)
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headers,
  })
  res.end(text)
}

export function sendError(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {}
  const retryAfter = error.status.details?.retryAfterSeconds
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter)
  sendJson(res, error.status.code, error.status, headers)
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new ApiError(413, undefined, 'Request entity too large: limit is 3145728')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Parses a create/update body the way the real decoder reports failures. */
export function parseObjectBody(text: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    )
  }
  return parsed as Record<string, unknown>
}

export function flag(value: string | null): boolean {
  return value === 'true' || value === '1'
}
