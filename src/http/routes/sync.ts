// POST /api/v1/records/{recordId}/sync: list the draft again and queue what automatic processing has
// missed. Callers: the service token (Invenio itself) or a user who may edit the draft.
import { timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, Response, Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import { AutomaticNotConfiguredError, type AutomaticContext } from '../../processing/automatic.js'
import { automaticOf } from '../../processing/automatic-service.js'
import { syncRecord } from '../../processing/sync.js'
import { bearerToken, callerOf, draftOf, requireRecordAccess } from '../auth.js'
import { notFound, serviceUnavailable } from '../problem.js'

function isServiceToken(token: string, serviceToken: string | undefined): boolean {
  if (!serviceToken) return false
  const given = Buffer.from(token)
  const expected = Buffer.from(serviceToken)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export function addSyncRoutes(router: Router, ctx: AutomaticContext & AuthDependencies): void {
  const needDraft = requireRecordAccess(ctx, { needDraft: true })
  // The service token reads the draft itself; anyone else goes through the record access check.
  const serviceOrDraftAccess = (req: Request, res: Response, next: NextFunction) => {
    if (isServiceToken(bearerToken(req), ctx.settings.invenioServiceToken)) {
      res.locals.serviceCaller = true
      return next()
    }
    return needDraft(req, res, next)
  }

  router.post('/api/v1/records/:recordId/sync', serviceOrDraftAccess, async (req, res) => {
    const recordId = req.params.recordId as string
    try {
      let listing
      if (!res.locals.serviceCaller) {
        const draft = draftOf(res)
        listing = { draft, files: await ctx.invenio.listDraftFiles(draft, callerOf(res).credentials) }
      }
      const result = await syncRecord(ctx, recordId, listing)
      if (!result) throw notFound(`No draft of record ${recordId}.`, { recordId })
      if (result.queued.length) automaticOf(ctx).queue.kick()
      res.status(200).json(result)
    } catch (error) {
      if (error instanceof AutomaticNotConfiguredError) throw serviceUnavailable(error.message, 60)
      throw error
    }
  })
}
