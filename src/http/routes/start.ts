// POST /api/v1/records/{recordId}/workflows (start one run, or a dry run) and
// POST /api/v1/records/{recordId}/workflows/batch (one single-file run per matching file and type).
import type { Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import { startBatch } from '../../processing/batch.js'
import type { ProcessingContext } from '../../processing/context.js'
import { dryRunStart, planRun, startRun, type Caller, type StartedRun } from '../../processing/start-run.js'
import { callerOf, draftOf, requireRecordAccess } from '../auth.js'
import { asProblem } from './start-problems.js'

interface StartBody {
  type: string
  files: string[]
  parameters?: Record<string, unknown>
  dryRun?: boolean
  useCache?: boolean
}

interface BatchBody {
  files?: string[]
  types?: string[]
}

export function addStartRoutes(router: Router, ctx: ProcessingContext & AuthDependencies): void {
  const needDraft = requireRecordAccess(ctx, { needDraft: true })

  router.post('/api/v1/records/:recordId/workflows', needDraft, async (req, res) => {
    const body = req.body as StartBody
    const recordId = req.params.recordId as string
    const caller = callerOfRequest(res)
    const request = { recordId, draft: draftOf(res), caller, ...body }
    const plan = await asProblem(() => planRun(ctx, request))
    if (body.dryRun) {
      res.status(200).json(await asProblem(() => dryRunStart(ctx, plan)))
      return
    }
    const run = await asProblem(() => startRun(ctx, plan))
    // useCache answered with an earlier run: nothing was created.
    res
      .status(run.reused ? 200 : 201)
      .location(runPath(run.name))
      .json({ ...startedView(run), ...(run.reused ? { reused: run.name } : {}) })
  })

  router.post('/api/v1/records/:recordId/workflows/batch', needDraft, async (req, res) => {
    const body = req.body as BatchBody
    const recordId = req.params.recordId as string
    const result = await asProblem(() =>
      startBatch(ctx, { recordId, draft: draftOf(res), caller: callerOfRequest(res), ...body }),
    )
    res.status(200).json({ recordId, ...result })
  })
}

function callerOfRequest(res: Parameters<typeof callerOf>[0]): Caller {
  const identity = callerOf(res)
  return { userId: identity.userId, token: identity.credentials }
}

export function runPath(name: string): string {
  return `/api/v1/workflows/${encodeURIComponent(name)}`
}

/** A started run as the API shows it (start, batch, resubmit). */
export function startedView(run: StartedRun) {
  return {
    name: run.name,
    seq: run.seq,
    type: run.type,
    recordId: run.recordId,
    files: run.files,
    createdAt: run.createdAt.toISOString(),
    links: {
      self: runPath(run.name),
      record: `/api/v1/records/${encodeURIComponent(run.recordId)}/workflows`,
    },
  }
}
