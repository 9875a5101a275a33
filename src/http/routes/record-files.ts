// GET /api/v1/records/{recordId}/files: the draft's files with types, holder and latest outcome.
import type { Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import type { ProcessingContext } from '../../processing/context.js'
import { listRecordFiles } from '../../processing/file-view.js'
import { callerOf, recordAccessOf, requireRecordAccess } from '../auth.js'

export function addRecordFileRoutes(router: Router, ctx: ProcessingContext & AuthDependencies): void {
  router.get(
    '/api/v1/records/:recordId/files',
    requireRecordAccess(ctx, { needDraft: false }),
    async (_req, res) => {
      const access = recordAccessOf(res)
      const record = access.kind === 'draft' ? access.draft : access.record
      const files = await listRecordFiles(ctx, access.recordId, record, callerOf(res).credentials)
      res.json({ recordId: access.recordId, files })
    },
  )
}
