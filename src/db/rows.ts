// Row shapes the repositories return. Ids are BIGINT in the database and strings here, everywhere:
// they survive JSON (HTTP, SSE, logs) unchanged and compare with ===. File sizes are numbers.
import type { Prisma, PrismaClient } from './generated/client.js'

/** The full client or the client of an interactive transaction: every repository accepts either. */
export type Db = PrismaClient | Prisma.TransactionClient

export type JsonValue = Prisma.JsonValue
export type JsonObject = Prisma.JsonObject
export type InputJsonObject = Prisma.InputJsonObject

export interface FileRow {
  id: string
  recordId: string
  fileKey: string
  mimetype: string
  size: number | null
  checksum: string
  createdAt: Date
}

export interface OutcomeRow {
  workflowId: string
  attempt: number
  phase: string
  startedAt: Date | null
  finishedAt: Date | null
  message: string | null
  results: JsonValue
  createdAt: Date
}

export interface RunRow {
  id: string
  recordId: string
  workflowType: string
  seq: number
  name: string
  createdBy: string
  parameters: JsonValue
  templateDigest: string | null
  resubmittedFrom: string | null
  createdAt: Date
  /** Input files, in the order they were given to insertRun. */
  files: FileRow[]
  /** Outcomes by attempt, oldest first; empty while the run has never ended. */
  outcomes: OutcomeRow[]
}

type FileModel = Prisma.CompchemFileGetPayload<object>
type OutcomeModel = Prisma.CompchemWorkflowOutcomeGetPayload<object>
export type RunModel = Prisma.CompchemWorkflowGetPayload<{ include: typeof RUN_INCLUDE }>

/** What a RunRow is read with: its files in link order and its outcomes by attempt. */
export const RUN_INCLUDE = {
  files: { include: { file: true }, orderBy: { position: 'asc' } },
  outcomes: { orderBy: { attempt: 'asc' } },
} as const satisfies Prisma.CompchemWorkflowInclude

export function toFileRow(file: FileModel): FileRow {
  return {
    id: file.id.toString(),
    recordId: file.recordId,
    fileKey: file.fileKey,
    mimetype: file.mimetype,
    size: file.size === null ? null : Number(file.size),
    checksum: file.checksum,
    createdAt: file.createdAt,
  }
}

export function toOutcomeRow(outcome: OutcomeModel): OutcomeRow {
  return {
    workflowId: outcome.workflowId.toString(),
    attempt: outcome.attempt,
    phase: outcome.phase,
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    message: outcome.message,
    results: outcome.results,
    createdAt: outcome.createdAt,
  }
}

export function toRunRow(run: RunModel): RunRow {
  return {
    id: run.id.toString(),
    recordId: run.recordId,
    workflowType: run.workflowType,
    seq: run.seq,
    name: run.name,
    createdBy: run.createdBy,
    parameters: run.parameters,
    templateDigest: run.templateDigest,
    resubmittedFrom: run.resubmittedFrom === null ? null : run.resubmittedFrom.toString(),
    createdAt: run.createdAt,
    files: run.files.map((link) => toFileRow(link.file)),
    outcomes: run.outcomes.map(toOutcomeRow),
  }
}

/** Parses an id given as a string (as the repositories hand them out); throws on anything else. */
export function toBigIntId(id: string, what = 'id'): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(id))
    throw new RangeError(`${what} must be a positive integer string, got '${id}'`)
  return BigInt(id)
}
