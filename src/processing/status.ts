// The status join as use cases (DESIGN.md "Data"): a record's runs, newest first, and one run in
// detail, each with its live status from the informer cache, Pending/NotFound for runs Argo has not
// shown, and the stored outcome once Argo has forgotten the run. run-status.ts holds the decision.
import type { ArgoClient, Workflow, WorkflowInformer } from '../argo/index.js'
import type { Settings } from '../config/index.js'
import { findRunByName, listRuns, type Database, type RunRow } from '../db/index.js'
import { allowedActions, type RunAction } from './actions.js'
import { argoLookupFor } from './argo-lookup.js'
import {
  decideRunStatus,
  latestOutcome,
  type ArgoAnswer,
  type RunPhase,
  type RunStatus,
} from './run-status.js'
import { runDetail, runSummary, type RunDetail, type RunSummary } from './run-view.js'

export * from './run-status.js'
export * from './run-view.js'
export type { StepView, StepResultView } from './steps.js'
export { InvalidCursorError } from '../db/index.js'

/** What the status join needs of the service (ServiceContext has all of it). */
export interface StatusContext {
  /** argoServerUrl: whether retry in place is among a run's allowed actions. */
  settings: Pick<Settings, 'pendingGraceSeconds'> & Partial<Pick<Settings, 'argoServerUrl'>>
  db: Pick<Database, 'prisma'>
  informer: Pick<WorkflowInformer, 'get'>
  argo: Pick<ArgoClient, 'getWorkflow'>
  /** The clock for the grace period (tests); default the system clock. */
  now?: () => Date
}

export interface JoinedStatus {
  status: RunStatus
  /** The Workflow the status came from, when Argo has it (cached or just fetched). */
  workflow?: Workflow
}

/** How many runs without a cached Workflow are looked up at once. */
const LOOKUP_CONCURRENCY = 8

/**
 * Joins each row with Argo's state, in order. Rows past the grace period that the informer has
 * not shown are looked up by name (answers cached briefly, see argo-lookup.ts); once the API server
 * turns out unreachable, the remaining lookups of this call are not attempted.
 */
export async function resolveRunStatuses(ctx: StatusContext, rows: RunRow[]): Promise<JoinedStatus[]> {
  const now = ctx.now?.() ?? new Date()
  const grace = ctx.settings.pendingGraceSeconds
  const joined: Array<JoinedStatus | undefined> = []
  const toAsk: number[] = []
  rows.forEach((row, index) => {
    const cached = ctx.informer.get(row.name)
    const decision = decideRunStatus(row, cached, latestOutcome(row), now, grace)
    if (decision.kind === 'status') joined[index] = { status: decision.status, workflow: cached }
    else toAsk.push(index)
  })

  const lookup = argoLookupFor(ctx.argo)
  let failure: ArgoAnswer | undefined
  for (let start = 0; start < toAsk.length; start += LOOKUP_CONCURRENCY) {
    const batch = toAsk.slice(start, start + LOOKUP_CONCURRENCY)
    const answers = await Promise.all(
      batch.map((index) => (failure ? Promise.resolve(failure) : lookup.ask(rows[index]!.name))),
    )
    batch.forEach((index, position) => {
      const answer = answers[position]!
      if (answer.kind === 'failed') failure ??= answer
      const row = rows[index]!
      const decision = decideRunStatus(row, undefined, latestOutcome(row), now, grace, answer)
      // With an answer the decision is always a status.
      if (decision.kind === 'status')
        joined[index] = {
          status: decision.status,
          workflow: answer.kind === 'found' ? answer.workflow : undefined,
        }
    })
  }
  return joined.map((entry) => entry!)
}

export interface ListRecordRunsQuery {
  /** Only runs in one of these phases (applied after the join). */
  phase?: RunPhase | readonly RunPhase[]
  type?: string
  /** Only runs that read the file with this key. */
  file?: string
  /** Page size, 1..1000. */
  limit: number
  /** nextCursor of the previous page. */
  cursor?: string
}

export interface RunList {
  items: RunSummary[]
  /** Pass back as `cursor` for the next page; null when no rows are left. */
  nextCursor: string | null
}

/** Most database rows one request examines when a phase filter is given. */
export const PHASE_SCAN_BUDGET = 1000
// Rows read per database query while filling a phase-filtered page, so rare phases need few queries.
const PHASE_SCAN_CHUNK = 100

/**
 * A record's runs, newest (highest seq) first. Type and file filters are applied by the database.
 * Phases are not stored, so a phase filter is applied after the join, and the page is filled by
 * reading further rows until it holds `limit` runs, the rows run out, or PHASE_SCAN_BUDGET rows have
 * been examined. The cursor always continues over database rows right after the last row examined
 * for the page, so no run is skipped or repeated; a phase-filtered page may therefore hold fewer
 * than `limit` runs (even none) while nextCursor is set: keep following it. Invalid cursor:
 * InvalidCursorError.
 */
export async function listRecordRuns(
  ctx: StatusContext,
  recordId: string,
  query: ListRecordRunsQuery,
): Promise<RunList> {
  const filters = { type: query.type, file: query.file }
  const phases = phaseSet(query.phase)
  if (!phases) {
    const page = await listRuns(ctx.db.prisma, recordId, {
      ...filters,
      limit: query.limit,
      cursor: query.cursor,
    })
    const statuses = await resolveRunStatuses(ctx, page.runs)
    return {
      items: page.runs.map((row, i) => runSummary(row, statuses[i]!.status)),
      nextCursor: page.nextCursor,
    }
  }

  const items: RunSummary[] = []
  let cursor = query.cursor
  let scanned = 0
  for (;;) {
    const chunk = Math.min(
      Math.max(query.limit - items.length, PHASE_SCAN_CHUNK),
      PHASE_SCAN_BUDGET - scanned,
    )
    const page = await listRuns(ctx.db.prisma, recordId, { ...filters, limit: chunk, cursor })
    const statuses = await resolveRunStatuses(ctx, page.runs)
    scanned += page.runs.length
    for (const [index, row] of page.runs.entries()) {
      const status = statuses[index]!.status
      if (!phases.has(status.phase)) continue
      items.push(runSummary(row, status))
      if (items.length < query.limit) continue
      if (index === page.runs.length - 1) return { items, nextCursor: page.nextCursor }
      // The page filled up inside this chunk: continue right after this row, not after the chunk.
      const upToRow = await listRuns(ctx.db.prisma, recordId, { ...filters, limit: index + 1, cursor })
      return { items, nextCursor: upToRow.nextCursor }
    }
    if (!page.nextCursor || scanned >= PHASE_SCAN_BUDGET) return { items, nextCursor: page.nextCursor }
    cursor = page.nextCursor
  }
}

function phaseSet(phase: ListRecordRunsQuery['phase']): ReadonlySet<RunPhase> | undefined {
  if (phase === undefined) return undefined
  const phases = typeof phase === 'string' ? [phase] : phase
  return phases.length ? new Set(phases) : undefined
}

/** A run's detail with the actions that make sense now (src/processing/actions.ts). */
export type RunDetailWithActions = RunDetail & { allowedActions: RunAction[] }

/** One run with its files, parameters, status, steps, latest outcome and allowed actions; null when unknown. */
export async function getRun(ctx: StatusContext, name: string): Promise<RunDetailWithActions | null> {
  const row = await findRunByName(ctx.db.prisma, name)
  if (!row) return null
  const [joined] = await resolveRunStatuses(ctx, [row])
  const detail = runDetail(row, joined!.status, joined!.workflow, latestOutcome(row))
  const capabilities = { argoServer: Boolean(ctx.settings.argoServerUrl) }
  return { ...detail, allowedActions: allowedActions(detail.phase, joined!.workflow, capabilities) }
}

/** The run's database row only (e.g. to check access to its record before reading its status). */
export function findRun(ctx: Pick<StatusContext, 'db'>, name: string): Promise<RunRow | null> {
  return findRunByName(ctx.db.prisma, name)
}
