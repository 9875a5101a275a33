// The runs list as the record event stream keeps it: a `snapshot` replaces it, `workflow` events
// update or add one run, `completed` events record how a run ended. Pure, so it is unit tested.
import type { CompletedEvent, RunSummary } from './api-types.js'

export interface RunEntry extends RunSummary {
  /** How the run's latest attempt ended (from a `completed` event); cleared when it runs again. */
  outcome?: { status: string; attempt: number }
}

export interface RunsState {
  runs: RunEntry[]
  /** False until the first snapshot (or list) arrived. */
  loaded: boolean
}

export type RecordEvent =
  | { event: 'snapshot'; data: { runs: RunSummary[] } }
  | { event: 'workflow'; data: RunSummary }
  | { event: 'completed'; data: CompletedEvent }

export const EMPTY_RUNS: RunsState = { runs: [], loaded: false }

const LIVE_PHASES = new Set(['Pending', 'Running'])

/** Newest first: by seq, then by creation time. */
function newestFirst(a: RunEntry, b: RunEntry): number {
  if (a.seq !== null && b.seq !== null && a.seq !== b.seq) return b.seq - a.seq
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '')
}

/** Parses an SSE event's name and data into a RecordEvent; null for events the widget ignores. */
export function parseRecordEvent(name: string, data: string): RecordEvent | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return null
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  if (name === 'snapshot' && Array.isArray((parsed as { runs?: unknown }).runs))
    return { event: 'snapshot', data: parsed as { runs: RunSummary[] } }
  if (
    (name === 'workflow' || name === 'completed') &&
    typeof (parsed as { name?: unknown }).name === 'string'
  )
    return { event: name, data: parsed } as RecordEvent
  return null
}

export function reduceRuns(state: RunsState, event: RecordEvent): RunsState {
  switch (event.event) {
    case 'snapshot': {
      const previous = new Map(state.runs.map((run) => [run.name, run]))
      const runs = event.data.runs.map((run) => {
        const outcome = previous.get(run.name)?.outcome
        return LIVE_PHASES.has(run.phase) || !outcome ? { ...run } : { ...run, outcome }
      })
      return { runs: runs.sort(newestFirst), loaded: true }
    }
    case 'workflow': {
      const update = event.data
      const existing = state.runs.find((run) => run.name === update.name)
      const merged: RunEntry = existing
        ? { ...existing, ...withoutNulls(update), phase: update.phase }
        : { ...update, steps: update.steps ?? [] }
      // A run that runs again (retry in place) has no outcome for its new attempt yet.
      if (LIVE_PHASES.has(merged.phase)) delete merged.outcome
      const runs = existing
        ? state.runs.map((run) => (run.name === update.name ? merged : run))
        : [...state.runs, merged].sort(newestFirst)
      return { ...state, runs }
    }
    case 'completed': {
      const done = event.data
      const runs = state.runs.map((run) =>
        run.name === done.name
          ? {
              ...run,
              phase: done.phase,
              finishedAt: done.finishedAt ?? run.finishedAt,
              message: done.message ?? run.message,
              outcome: { status: done.status, attempt: done.attempt },
            }
          : run,
      )
      return { ...state, runs }
    }
  }
}

/** `workflow` events know less than the list (seq may be null, no createdAt): keep what we had. */
function withoutNulls(update: RunSummary): Partial<RunSummary> {
  const kept: Partial<RunSummary> = { ...update }
  if (update.seq === null) delete kept.seq
  if (update.createdAt === undefined) delete kept.createdAt
  return kept
}
