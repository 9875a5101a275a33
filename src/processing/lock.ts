// The lock rule (DESIGN.md "Runs, names and the lock rule"): a file is in at most one run that has
// not ended. This module is the decision only — pure, given the candidate runs from the database,
// what the informer has cached and, for runs it has not seen for a while, the API server's answer.
import { isTerminal, phaseOf, type Workflow } from '../argo/index.js'
import type { BusyFile } from './errors.js'

/** A run that reads some of the requested files and has no outcome row (runsHoldingFiles). */
export interface LockCandidate {
  name: string
  createdAt: Date
  fileKeys: readonly string[]
}

/** What the API server said about a run looked up by name: null when it has no such Workflow. */
export type ApiServerAnswer = Workflow | null

export type HoldDecision =
  | { kind: 'holds'; phase: string }
  | { kind: 'free' }
  /** Not seen by the informer and past the grace period: ask the API server by name. */
  | { kind: 'ask-api-server' }

export interface LockState {
  /** The informer's copy of the run's Workflow, if it has one. */
  cached: Workflow | undefined
  /** The API server's answer, when it was asked. */
  answer?: ApiServerAnswer
}

/**
 * Does this run (without an outcome row) hold its files now? A Workflow Argo shows holds them until
 * terminal. One Argo has not shown holds them while younger than the grace period (it is Pending:
 * the informer — on this replica or another — may simply not have seen it yet); older, the API
 * server decides: still there and not terminal holds them, gone (NotFound) or terminal does not.
 */
export function decideHold(
  candidate: Pick<LockCandidate, 'createdAt'>,
  state: LockState,
  now: Date,
  graceSeconds: number,
): HoldDecision {
  if (state.cached) return holdsWhileRunning(state.cached)
  if (now.getTime() - candidate.createdAt.getTime() < graceSeconds * 1000)
    return { kind: 'holds', phase: 'Pending' }
  if (state.answer === undefined) return { kind: 'ask-api-server' }
  if (state.answer === null) return { kind: 'free' }
  return holdsWhileRunning(state.answer)
}

function holdsWhileRunning(workflow: Workflow): HoldDecision {
  const phase = phaseOf(workflow)
  return isTerminal(phase) ? { kind: 'free' } : { kind: 'holds', phase }
}

export interface LockCheck {
  /** Requested files held by a run, each with its (oldest) holder. */
  busy: BusyFile[]
  /** Runs to look up on the API server before the check can be decided. */
  ask: string[]
}

/** Which of `requestedKeys` are busy, given the candidate runs and what is known of each. */
export function checkLock(
  requestedKeys: readonly string[],
  candidates: readonly LockCandidate[],
  stateOf: (name: string) => LockState,
  now: Date,
  graceSeconds: number,
): LockCheck {
  const requested = new Set(requestedKeys)
  const holderOf = new Map<string, { name: string; phase: string }>()
  const ask: string[] = []
  for (const candidate of candidates) {
    const decision = decideHold(candidate, stateOf(candidate.name), now, graceSeconds)
    if (decision.kind === 'ask-api-server') ask.push(candidate.name)
    if (decision.kind !== 'holds') continue
    for (const key of candidate.fileKeys) {
      if (requested.has(key) && !holderOf.has(key))
        holderOf.set(key, { name: candidate.name, phase: decision.phase })
    }
  }
  const busy = requestedKeys
    .filter((key) => holderOf.has(key))
    .map((key) => ({ key, heldBy: holderOf.get(key)!.name, phase: holderOf.get(key)!.phase }))
  return { busy, ask }
}
