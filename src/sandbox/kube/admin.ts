// Admin endpoints of the sandbox API server (not part of the Kubernetes API):
//   GET    /sandbox/faults               current faults and the number of open watches
//   DELETE /sandbox/faults               clear injected errors and delays
//   POST   /sandbox/faults/errors        {"status":500|503|429,"count":N,"path"?:"…","verb"?:"list","retryAfterSeconds"?:S}
//   POST   /sandbox/faults/delay         {"ms":N}  (0 turns it off)
//   POST   /sandbox/faults/drop-watches  close every open watch connection now → {"dropped":N}
//   POST   /sandbox/faults/expire        compact the watch history: known resourceVersions now get 410
import type { IncomingMessage, ServerResponse } from 'node:http'
import { badRequest, methodNotAllowed } from './errors.js'
import type { FailureRule, FaultInjector } from './faults.js'
import { readBody, sendJson } from './http.js'

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req)
  if (!text.trim()) return {}
  try {
    const parsed = JSON.parse(text) as unknown
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>
  } catch {
    // fall through to the error below
  }
  throw badRequest('the body must be a JSON object')
}

export async function handleFaultAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  faults: FaultInjector,
): Promise<void> {
  const action = url.pathname.replace(/^\/sandbox\/faults\/?/, '')
  const method = req.method ?? 'GET'
  if (action === '' && method === 'GET') return sendJson(res, 200, faults.state())
  if (action === '' && method === 'DELETE') {
    faults.clear()
    return sendJson(res, 200, faults.state())
  }
  if (method !== 'POST') throw methodNotAllowed()
  const body = await jsonBody(req)
  switch (action) {
    case 'errors': {
      const status = Number(body.status)
      const count = Number(body.count ?? 1)
      if (![500, 503, 429].includes(status) || !Number.isInteger(count) || count < 1) {
        throw badRequest('status must be 500, 503 or 429 and count a positive integer')
      }
      const rule: FailureRule = { status: status as FailureRule['status'], count }
      if (typeof body.path === 'string') rule.path = body.path
      if (typeof body.verb === 'string') rule.verb = body.verb
      if (body.retryAfterSeconds !== undefined) rule.retryAfterSeconds = Number(body.retryAfterSeconds)
      faults.failNext(rule)
      return sendJson(res, 200, faults.state())
    }
    case 'delay':
      faults.delayResponses(Number(body.ms ?? 0))
      return sendJson(res, 200, faults.state())
    case 'drop-watches':
      return sendJson(res, 200, { dropped: faults.dropWatches() })
    case 'expire':
      faults.expireResourceVersions()
      return sendJson(res, 200, faults.state())
    default:
      return sendJson(res, 404, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'unknown fault action',
        reason: 'NotFound',
        code: 404,
      })
  }
}
