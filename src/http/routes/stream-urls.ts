// POST /api/v1/records/{recordId}/stream-urls: a signed URL for an EventSource, which cannot send an
// Authorization header. Whoever may read the record (policy.ts) may mint one for its events or for
// the logs of one of its runs.
import type { Request, Response, Router } from 'express'
import { authFor, isStreamScope, STREAM_URL_PARAM, type AuthDependencies } from '../../auth/index.js'
import type { Settings } from '../../config/index.js'
import type { Database } from '../../db/index.js'
import { findRunByName } from '../../db/runs.js'
import { badRequest, notFound } from '../problem.js'

export type StreamUrlRoutesContext = AuthDependencies & {
  db: Pick<Database, 'prisma'>
  settings: Pick<Settings, 'publicUrl'>
}

export function addStreamUrlRoutes(router: Router, context: StreamUrlRoutesContext): void {
  router.post('/api/v1/records/:recordId/stream-urls', async (req: Request, res: Response) => {
    const recordId = String(req.params.recordId)
    const scope = String((req.body as { scope: string }).scope)
    if (!isStreamScope(scope)) throw badRequest('scope must be "events" or "logs:<run name>".')
    let path = `/api/v1/records/${encodeURIComponent(recordId)}/events`
    if (scope !== 'events') {
      const name = scope.slice('logs:'.length)
      const run = await findRunByName(context.db.prisma, name)
      if (!run || run.recordId !== recordId)
        throw notFound(`Record ${recordId} has no run ${name}.`, { name })
      path = `/api/v1/workflows/${encodeURIComponent(name)}/logs`
    }
    const { sig, expiresAt } = authFor(context).streamUrls.sign(recordId, scope)
    const url = `${context.settings.publicUrl}${path}?${STREAM_URL_PARAM}=${encodeURIComponent(sig)}`
    res.status(201).setHeader('Cache-Control', 'no-store')
    res.json({ url, scope, recordId, expiresAt: expiresAt.toISOString() })
  })
}
