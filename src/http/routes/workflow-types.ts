// GET /api/v1/workflow-types and POST /api/v1/workflows/available: the catalog and matching by
// key and mimetype. Any Invenio user may call them.
import type { Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import { availableTypes, workflowTypesView } from '../../processing/available.js'
import type { ProcessingContext } from '../../processing/context.js'
import { requireUser } from '../auth.js'

export function addWorkflowTypeRoutes(router: Router, ctx: ProcessingContext & AuthDependencies): void {
  router.get('/api/v1/workflow-types', requireUser(ctx), (_req, res) => {
    res.json({ items: workflowTypesView(ctx.catalog.current()) })
  })

  router.post('/api/v1/workflows/available', requireUser(ctx), (req, res) => {
    const { files } = req.body as { files: Array<{ key: string; mimetype: string }> }
    res.json({ files: availableTypes(ctx.catalog.current(), files) })
  })
}
