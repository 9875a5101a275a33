// Reading runs: a record's runs with their live status, and one run in detail (openapi.yaml, "runs").
// Routing only: the status join is src/processing/status.ts.
import type { Request, Response, Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import {
  findRun,
  getRun,
  InvalidCursorError,
  listRecordRuns,
  type RunPhase,
  type StatusContext,
} from '../../processing/status.js'
import { callerOf, checkRecordAccess, requireRecordAccess, requireUser } from '../auth.js'
import { badRequest, notFound } from '../problem.js'

export type RunRoutesContext = StatusContext & AuthDependencies

export const DEFAULT_PAGE_SIZE = 50

export function registerRunRoutes(router: Router, context: RunRoutesContext): void {
  router.get(
    '/api/v1/records/:recordId/workflows',
    requireRecordAccess(context, { needDraft: false }),
    async (req: Request, res: Response) => {
      try {
        const list = await listRecordRuns(context, String(req.params.recordId), {
          phase: listOf(req.query.phase) as RunPhase[] | undefined,
          type: firstOf(req.query.type),
          file: firstOf(req.query.file),
          limit: Number(firstOf(req.query.limit) ?? DEFAULT_PAGE_SIZE),
          cursor: firstOf(req.query.cursor),
        })
        res.json(list)
      } catch (error) {
        if (error instanceof InvalidCursorError)
          throw badRequest('The cursor is not one this service handed out; start again without it.')
        throw error
      }
    },
  )

  // No record in the path: find the run, then check access to its record (read access suffices,
  // so runs of a published record without a draft stay readable).
  router.get('/api/v1/workflows/:name', requireUser(context), async (req: Request, res: Response) => {
    const name = String(req.params.name)
    const row = await findRun(context, name)
    if (!row) throw notFound(`No run ${name}.`, { name })
    await checkRecordAccess(context, callerOf(res).token, row.recordId)
    const detail = await getRun(context, name)
    if (!detail) throw notFound(`No run ${name}.`, { name })
    res.json(detail)
  })
}

// The validator has checked shapes (and may have coerced numbers); a repeated parameter is an array.
function firstOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return firstOf(value[0])
  if (typeof value === 'number') return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}

function listOf(value: unknown): string[] | undefined {
  if (value === undefined) return undefined
  const values = (Array.isArray(value) ? value : [value]).flatMap((item) =>
    typeof item === 'string' ? item.split(',') : [],
  )
  const phases = values.map((item) => item.trim()).filter(Boolean)
  return phases.length ? phases : undefined
}
