// Why an action on a run was refused, in the domain's words; src/http/routes/actions.ts maps them.
import type { RunAction } from './actions.js'
import type { RunPhase } from './run-status.js'

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError'
  constructor(readonly run: string) {
    super(`No run ${run}.`)
  }
}

/** The action makes no sense in the run's current phase (409 with the phase and what is allowed). */
export class ActionNotAllowedError extends Error {
  override readonly name = 'ActionNotAllowedError'
  constructor(
    readonly run: string,
    readonly action: RunAction,
    readonly phase: RunPhase,
    readonly allowedActions: RunAction[],
    reason: string,
  ) {
    super(
      `Cannot ${action} run ${run}: ${reason}. Allowed now: ${allowedActions.length ? allowedActions.join(', ') : 'nothing'}.`,
    )
  }
}

/** Retry in place needs the Argo Server; the caller may ask for a resubmit instead. */
export class RetryNeedsArgoServerError extends ActionNotAllowedError {
  constructor(run: string, phase: RunPhase, allowedActions: RunAction[]) {
    super(
      run,
      'retry',
      phase,
      allowedActions,
      'retrying failed steps in place needs the Argo Server, which this service is not configured with ' +
        '(ARGO_SERVER_URL). Resubmit the run instead (a new run with the same files and parameters), or send ' +
        '{"fallback": "resubmit"} with the retry',
    )
  }
}
