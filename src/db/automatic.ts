// Automatic processing's write-once queue: requests (unique per record, file, checksum and type) and
// one resolution per request. A request waits while it has no resolution; nothing is ever updated.
import { Prisma } from './generated/client.js'
import { toBigIntId, type Db } from './rows.js'

/** First key of the two-key advisory lock space for automatic processing (see RECORD_LOCK_CLASS). */
export const AUTOMATIC_LOCK_CLASS = 0x43430002
/** Second keys within AUTOMATIC_LOCK_CLASS. */
export const AUTOMATIC_LOCKS = { slots: 1, sweep: 2 } as const

export type AutoRequestSource = 'event' | 'sync' | 'sweep'
export type AutoResolutionOutcome = 'started' | 'reused' | 'skipped'

export interface NewAutoRequest {
  recordId: string
  fileKey: string
  checksum: string
  workflowType: string
  mimetype: string
  size: number | null
  source: AutoRequestSource
}

export interface AutoRequestRow extends NewAutoRequest {
  id: string
  createdAt: Date
}

export interface AutoResolution {
  requestId: string
  outcome: AutoResolutionOutcome
  workflowId?: string | null
  reason?: string | null
}

type RequestRecord = Prisma.CompchemAutoRequestGetPayload<object>

function toRequestRow(row: RequestRecord): AutoRequestRow {
  return {
    id: row.id.toString(),
    recordId: row.recordId,
    fileKey: row.fileKey,
    checksum: row.checksum,
    workflowType: row.workflowType,
    mimetype: row.mimetype,
    size: row.size === null ? null : Number(row.size),
    source: row.source as AutoRequestSource,
    createdAt: row.createdAt,
  }
}

/**
 * Stores the requests that are new. ON CONFLICT DO NOTHING on the unique key waits for a concurrent
 * inserter of the same key and then skips it, so across replicas exactly one caller gets each row back.
 */
export async function insertAutoRequests(db: Db, requests: NewAutoRequest[]): Promise<AutoRequestRow[]> {
  if (!requests.length) return []
  const created = await db.compchemAutoRequest.createManyAndReturn({
    data: requests.map((request) => ({
      ...request,
      size: request.size === null ? null : BigInt(request.size),
    })),
    skipDuplicates: true,
  })
  return created.map(toRequestRow)
}

/** Writes the request's resolution; false when another writer resolved it first. */
export async function resolveAutoRequest(db: Db, resolution: AutoResolution): Promise<boolean> {
  const { count } = await db.compchemAutoResolution.createMany({
    data: {
      requestId: toBigIntId(resolution.requestId, 'requestId'),
      outcome: resolution.outcome,
      workflowId: resolution.workflowId ? toBigIntId(resolution.workflowId, 'workflowId') : null,
      reason: resolution.reason ?? null,
    },
    skipDuplicates: true,
  })
  return count === 1
}

/** Waiting requests, oldest first (the queue's order), optionally of one record and key. */
export async function waitingAutoRequests(
  db: Db,
  filter: { recordId?: string; fileKey?: string; limit?: number } = {},
): Promise<AutoRequestRow[]> {
  const rows = await db.$queryRaw<RequestRecord[]>`
    SELECT r.id, r.record_id AS "recordId", r.file_key AS "fileKey", r.checksum,
           r.workflow_type AS "workflowType", r.mimetype, r.size, r.source, r.created_at AS "createdAt"
      FROM compchem_auto_request r
     WHERE NOT EXISTS (SELECT 1 FROM compchem_auto_resolution s WHERE s.request_id = r.id)
       AND (${filter.recordId ?? null}::text IS NULL OR r.record_id = ${filter.recordId ?? null})
       AND (${filter.fileKey ?? null}::text IS NULL OR r.file_key = ${filter.fileKey ?? null})
     ORDER BY r.id
     LIMIT ${filter.limit ?? 1000}`
  return rows.map(toRequestRow)
}

/** Requests already stored for these (key, checksum) pairs of a record, as `key\0checksum\0type`. */
export async function knownAutoRequestKeys(db: Db, recordId: string): Promise<Set<string>> {
  const rows = await db.compchemAutoRequest.findMany({
    where: { recordId },
    select: { fileKey: true, checksum: true, workflowType: true },
  })
  return new Set(rows.map((row) => autoRequestIdentity(row.fileKey, row.checksum, row.workflowType)))
}

export function autoRequestIdentity(fileKey: string, checksum: string, workflowType: string): string {
  return `${fileKey}\u0000${checksum}\u0000${workflowType}`
}

export interface AutomaticRunCandidate {
  name: string
  recordId: string
  createdAt: Date
}

/**
 * Runs started from the queue that have no outcome row yet: the candidates for taking a slot. The
 * caller decides with Argo's state which of them still run.
 */
export async function unfinishedAutomaticRuns(db: Db): Promise<AutomaticRunCandidate[]> {
  return db.$queryRaw<AutomaticRunCandidate[]>`
    SELECT w.name, w.record_id AS "recordId", w.created_at AS "createdAt"
      FROM compchem_auto_resolution s
      JOIN compchem_workflow w ON w.id = s.workflow_id
     WHERE s.outcome = 'started'
       AND NOT EXISTS (SELECT 1 FROM compchem_workflow_outcome o WHERE o.workflow_id = w.id)`
}

/** Takes the transaction-scoped lock that serialises taking automatic slots across replicas. */
export async function lockAutomaticSlots(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUTOMATIC_LOCK_CLASS}::int4, ${AUTOMATIC_LOCKS.slots}::int4)`
}

export interface ReusableRunQuery {
  recordId: string
  workflowType: string
  templateDigest: string
  checksum: string
  parameters: Prisma.InputJsonObject
}

/**
 * The newest Succeeded single-file run of the record with the same type, template digest, file
 * content (checksum, under any key: the results are in the record already) and parameters, or null.
 * Never looks at other records.
 */
export async function findReusableRun(
  db: Db,
  query: ReusableRunQuery,
): Promise<{ id: string; name: string } | null> {
  const rows = await db.$queryRaw<Array<{ id: bigint; name: string }>>`
    SELECT w.id, w.name
      FROM compchem_workflow w
      JOIN compchem_workflow_file l ON l.workflow_id = w.id
      JOIN compchem_file f ON f.id = l.file_id
     WHERE w.record_id = ${query.recordId}
       AND w.workflow_type = ${query.workflowType}
       AND w.template_digest = ${query.templateDigest}
       AND w.parameters = ${JSON.stringify(query.parameters)}::jsonb
       AND f.checksum = ${query.checksum}
       AND (SELECT count(*) FROM compchem_workflow_file c WHERE c.workflow_id = w.id) = 1
       AND EXISTS (SELECT 1 FROM compchem_workflow_outcome o
                    WHERE o.workflow_id = w.id AND o.phase = 'Succeeded'
                      AND o.attempt = (SELECT max(attempt) FROM compchem_workflow_outcome m WHERE m.workflow_id = w.id))
     ORDER BY w.seq DESC
     LIMIT 1`
  const row = rows[0]
  return row ? { id: row.id.toString(), name: row.name } : null
}

/** Records with automatic requests since `since` (what a periodic sweep looks at again). */
export async function recentAutomaticRecords(db: Db, since: Date, limit = 1000): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ record_id: string }>>`
    SELECT record_id FROM compchem_auto_request
     WHERE created_at >= ${since}
     GROUP BY record_id
     ORDER BY max(id) DESC
     LIMIT ${limit}`
  return rows.map((row) => row.record_id)
}
