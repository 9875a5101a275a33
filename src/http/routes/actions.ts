// POST /api/v1/workflows/{name}/{action}: stop, terminate, suspend, resume, retry, resubmit
// (openapi.yaml, "runs: acting"). Steering a run needs what starting one does: Invenio letting the
// caller edit the run's record draft. Routing only: the use case is src/processing/actions-run.ts.
import type { Request, Response, Router } from 'express'
import {
  accessCheckerFor,
  RecordAccessDeniedError,
  UnknownRecordError,
  type AuthDependencies,
} from '../../auth/index.js'
import { createArgoServerClient, type ArgoServerClient } from '../../argo/index.js'
import { findRunByName } from '../../db/index.js'
import type { InvenioRecord } from '../../invenio/index.js'
import { isRunAction } from '../../processing/actions.js'
import {
  ActionNotAllowedError,
  RetryNeedsArgoServerError,
  RunNotFoundError,
} from '../../processing/actions-errors.js'
import { performAction, type ActionContext, type ActionOutcome } from '../../processing/actions-run.js'
import { callerOf, requireUser } from '../auth.js'
import { conflict, forbidden, notFound } from '../problem.js'
import { processingProblem } from './start-problems.js'
import { runPath, startedView } from './start.js'

export type ActionRoutesContext = Omit<ActionContext, 'argoServer'> &
  AuthDependencies & {
    settings: ActionContext['settings'] & {
      argoServerUrl?: string
      argoServerToken?: string
      argoServerInsecureSkipVerify: boolean
    }
  }

interface ActionBody {
  fallback?: 'resubmit'
}

export function addActionRoutes(
  router: Router,
  context: ActionRoutesContext,
  argoServer: Pick<ArgoServerClient, 'retry' | 'resume'> | undefined = createArgoServerClient(
    context.settings,
    context.settings.kubeNamespace,
    context.logger,
  ),
): void {
  const actions: ActionContext = { ...context, argoServer }

  router.post(
    '/api/v1/workflows/:name/:action',
    requireUser(context),
    async (req: Request, res: Response) => {
      const name = String(req.params.name)
      const action = req.params.action
      if (!isRunAction(action)) throw notFound(`No action ${String(action)}.`)
      const row = await findRunByName(context.db.prisma, name)
      if (!row) throw notFound(`No run ${name}.`, { name })
      const identity = callerOf(res)
      const draft = await steeringDraft(context, identity.token, row.recordId)
      const body = (req.body ?? {}) as ActionBody
      const outcome = await asActionProblem(() =>
        performAction(actions, {
          name,
          action,
          caller: { userId: identity.userId, token: identity.credentials },
          draft,
          fallback: body.fallback,
        }),
      )
      if (outcome.resubmitted) res.status(201).location(runPath(outcome.resubmitted.name))
      else res.status(202)
      res.json(actionView(outcome))
    },
  )
}

/** The record's draft, when the caller may steer the record's runs: 403, 404, or 409 without a draft. */
async function steeringDraft(
  context: AuthDependencies,
  token: string,
  recordId: string,
): Promise<InvenioRecord> {
  try {
    const access = await accessCheckerFor(context).checkRecord(token, recordId)
    if (access.kind === 'draft') return access.draft
    if (access.draftRefused)
      throw forbidden(`You may read record ${recordId} but not edit its draft.`, { recordId })
    throw conflict(`Record ${recordId} has no draft; steering runs needs one.`, { recordId })
  } catch (error) {
    if (error instanceof RecordAccessDeniedError)
      throw forbidden(`You may not access record ${recordId}.`, { recordId })
    if (error instanceof UnknownRecordError) throw notFound(`No record ${recordId}.`, { recordId })
    throw error
  }
}

async function asActionProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof RunNotFoundError) throw notFound(error.message, { name: error.run })
    if (error instanceof ActionNotAllowedError) {
      const extensions: Record<string, unknown> = {
        run: error.run,
        action: error.action,
        phase: error.phase,
        allowedActions: error.allowedActions,
      }
      if (error instanceof RetryNeedsArgoServerError) extensions.resubmit = `${runPath(error.run)}/resubmit`
      throw conflict(error.message, extensions)
    }
    throw processingProblem(error) ?? error
  }
}

function actionView(outcome: ActionOutcome) {
  return {
    name: outcome.name,
    action: outcome.action,
    requestedAction: outcome.requested,
    result: outcome.result,
    phase: outcome.phase,
    ...(outcome.attempt !== undefined ? { attempt: outcome.attempt } : {}),
    ...(outcome.resubmitted ? { resubmitted: startedView(outcome.resubmitted) } : {}),
    links: { run: runPath(outcome.name) },
  }
}
