// Outcomes: one row each time a run reaches a terminal phase, keyed by (run, attempt), written once.
import { Prisma } from './generated/client.js'
import { toBigIntId, toOutcomeRow, type Db, type InputJsonObject, type OutcomeRow } from './rows.js'

export interface NewOutcome {
  workflowId: string
  attempt: number
  phase: string
  startedAt?: Date | null
  finishedAt?: Date | null
  message?: string | null
  results?: InputJsonObject
}

export interface OutcomeInsert {
  /** The stored row: the new one, or the one another writer stored first. */
  outcome: OutcomeRow
  /** True only for the single caller whose row was stored: it alone sends notifications. */
  inserted: boolean
}

/**
 * Stores the outcome unless one exists for (workflowId, attempt). Concurrent callers (several
 * replicas seeing the same Workflow end) all get the same, first row back and exactly one of them
 * gets `inserted: true`; the first row is never overwritten.
 */
export async function insertOutcome(db: Db, outcome: NewOutcome): Promise<OutcomeInsert> {
  const workflowId = toBigIntId(outcome.workflowId, 'workflowId')
  // ON CONFLICT DO NOTHING waits for a concurrent inserter and then skips, so only one row wins.
  const created = await db.compchemWorkflowOutcome.createManyAndReturn({
    data: {
      workflowId,
      attempt: outcome.attempt,
      phase: outcome.phase,
      startedAt: outcome.startedAt ?? null,
      finishedAt: outcome.finishedAt ?? null,
      message: outcome.message ?? null,
      results: outcome.results ?? {},
    },
    skipDuplicates: true,
  })
  if (created[0]) return { outcome: toOutcomeRow(created[0]), inserted: true }
  const first = await db.compchemWorkflowOutcome.findUniqueOrThrow({
    where: { workflowId_attempt: { workflowId, attempt: outcome.attempt } },
  })
  return { outcome: toOutcomeRow(first), inserted: false }
}

export interface FileOutcome {
  fileKey: string
  runId: string
  runName: string
  workflowType: string
  seq: number
  outcome: OutcomeRow
}

interface FileOutcomeRow {
  file_key: string
  run_id: bigint
  run_name: string
  workflow_type: string
  seq: number
  attempt: number
  phase: string
  started_at: Date | null
  finished_at: Date | null
  message: string | null
  results: Prisma.JsonValue
  created_at: Date
}

/**
 * For each file key of the record, the latest outcome of a run that read it: the newest run (highest
 * seq) that has an outcome, and its latest attempt. Keys without any ended run are absent.
 */
export async function latestOutcomeByFile(
  db: Db,
  recordId: string,
  opts: { fileKeys?: string[]; workflowType?: string } = {},
): Promise<Map<string, FileOutcome>> {
  if (opts.fileKeys && !opts.fileKeys.length) return new Map()
  const byKeys = opts.fileKeys ? Prisma.sql`AND f.file_key IN (${Prisma.join(opts.fileKeys)})` : Prisma.empty
  const byType = opts.workflowType ? Prisma.sql`AND w.workflow_type = ${opts.workflowType}` : Prisma.empty
  const rows = await db.$queryRaw<FileOutcomeRow[]>`
    SELECT DISTINCT ON (f.file_key)
           f.file_key, w.id AS run_id, w.name AS run_name, w.workflow_type, w.seq,
           o.attempt, o.phase, o.started_at, o.finished_at, o.message, o.results, o.created_at
      FROM compchem_file f
      JOIN compchem_workflow_file l ON l.file_id = f.id
      JOIN compchem_workflow w ON w.id = l.workflow_id
      JOIN compchem_workflow_outcome o ON o.workflow_id = w.id
     WHERE f.record_id = ${recordId} ${byKeys} ${byType}
     ORDER BY f.file_key, w.seq DESC, o.attempt DESC`
  return new Map(
    rows.map((row) => [
      row.file_key,
      {
        fileKey: row.file_key,
        runId: row.run_id.toString(),
        runName: row.run_name,
        workflowType: row.workflow_type,
        seq: row.seq,
        outcome: {
          workflowId: row.run_id.toString(),
          attempt: row.attempt,
          phase: row.phase,
          startedAt: row.started_at,
          finishedAt: row.finished_at,
          message: row.message,
          results: row.results,
          createdAt: row.created_at,
        },
      },
    ]),
  )
}
