// GET /api/v1/records/{recordId}/events: the record's event stream (openapi.yaml, "streams").
// Routing only: the stream itself is src/streams/record-stream.ts, fed by the hub.
import type { Request, RequestHandler, Response, Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import type { Settings } from '../../config/index.js'
import type { Logger } from '../../log.js'
import type { StatusContext } from '../../processing/status.js'
import { liveOf, recordSnapshot, serveRecordStream } from '../../streams/index.js'
import { requireRecordAccess } from '../auth.js'

export type EventRoutesContext = StatusContext &
  AuthDependencies & {
    logger: Logger
    settings: Pick<Settings, 'sseHeartbeatSeconds' | 'pendingGraceSeconds'>
  }

/**
 * One way a stream request may prove access. Browsers' EventSource cannot send an Authorization
 * header, so signed stream URLs (Increment 4) register here: the first credential present on the
 * request decides; the bearer token is the fallback.
 */
export interface StreamCredential {
  present(req: Request): boolean
  authorize: RequestHandler
}

export function streamAccess(
  context: AuthDependencies,
  credentials: readonly StreamCredential[] = [],
): RequestHandler {
  const bearer = requireRecordAccess(context, { needDraft: false })
  return (req, res, next) => {
    const credential = credentials.find((candidate) => candidate.present(req))
    return (credential?.authorize ?? bearer)(req, res, next)
  }
}

/** Last-Event-ID as EventSource sends it on its own reconnects, or `lastEventId` in a fresh URL. */
export function lastEventIdOf(req: Request): string | undefined {
  const header = req.get('last-event-id')
  if (header) return header
  const query = req.query.lastEventId
  return typeof query === 'string' && query !== '' ? query : undefined
}

export function addEventRoutes(
  router: Router,
  context: EventRoutesContext,
  credentials: readonly StreamCredential[] = [],
): void {
  router.get(
    '/api/v1/records/:recordId/events',
    streamAccess(context, credentials),
    async (req: Request, res: Response) => {
      const recordId = String(req.params.recordId)
      await serveRecordStream(res, recordId, lastEventIdOf(req), {
        hub: liveOf(context).hub,
        snapshot: (id) => recordSnapshot(context, id),
        logger: context.logger,
        sse: { heartbeatMs: context.settings.sseHeartbeatSeconds * 1000 },
      })
    },
  )
}
