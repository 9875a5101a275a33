// Runs and their input files: the per-record lock, inserting a run, and the queries use cases need.
import { Prisma, type PrismaClient } from './generated/client.js'
import { RUN_INCLUDE, toBigIntId, toRunRow, type Db, type InputJsonObject, type RunRow } from './rows.js'

/** First key of the two-key advisory lock space, so record locks never collide with other locks. */
export const RECORD_LOCK_CLASS = 0x43430001

export interface RecordLockOptions {
  /** How long the whole transaction, waiting for the lock included, may take (default 30 s). */
  timeoutMs?: number
  /** How long to wait for a connection to start the transaction (default 10 s). */
  maxWaitMs?: number
}

/**
 * Runs `fn` in an interactive transaction that first takes a transaction-scoped PostgreSQL advisory
 * lock on the record, so two replicas never check-then-insert for the same record at once. Inside
 * `fn` use only `tx`: a query on the outer client would wait forever on PGlite.
 */
export async function withRecordLock<T>(
  prisma: PrismaClient,
  recordId: string,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  opts: RecordLockOptions = {},
): Promise<T> {
  return prisma.$transaction(
    async (tx) => {
      // pg_advisory_xact_lock returns void, which $queryRaw cannot deserialize: use $executeRaw.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RECORD_LOCK_CLASS}::int4, hashtext(${recordId}))`
      return fn(tx)
    },
    { timeout: opts.timeoutMs ?? 30_000, maxWait: opts.maxWaitMs ?? 10_000 },
  )
}

/** Highest seq of any run of the record (all types), 0 when it has none. */
export async function maxSeq(db: Db, recordId: string): Promise<number> {
  const result = await db.compchemWorkflow.aggregate({ where: { recordId }, _max: { seq: true } })
  return result._max.seq ?? 0
}

export interface NewRunFile {
  key: string
  mimetype: string
  size?: number | null
  checksum: string
}

export interface NewRun {
  recordId: string
  workflowType: string
  seq: number
  name: string
  createdBy: string
  parameters?: InputJsonObject
  templateDigest?: string | null
  resubmittedFrom?: string | null
  files: NewRunFile[]
}

/**
 * Inserts a run, its input files and the links between them, all or nothing. A file already known
 * (same record, key and checksum) is reused, never updated. Given a transaction client it runs
 * inside the caller's transaction (e.g. withRecordLock); given the full client it opens its own.
 * A clash on (record, seq) or name throws a unique violation (see isUniqueViolation): retry with
 * the next seq.
 */
export async function insertRun(db: Db, run: NewRun): Promise<RunRow> {
  if ('$transaction' in db) return db.$transaction((tx) => insertRunIn(tx, run))
  return insertRunIn(db, run)
}

async function insertRunIn(tx: Prisma.TransactionClient, run: NewRun): Promise<RunRow> {
  const files = uniqueFiles(run.files)
  if (files.length) {
    // ON CONFLICT DO NOTHING: an existing row stays as it is (an upsert would try an UPDATE).
    await tx.compchemFile.createMany({
      data: files.map((file) => ({
        recordId: run.recordId,
        fileKey: file.key,
        mimetype: file.mimetype,
        size: file.size ?? null,
        checksum: file.checksum,
      })),
      skipDuplicates: true,
    })
  }
  const stored = files.length
    ? await tx.compchemFile.findMany({
        where: {
          recordId: run.recordId,
          OR: files.map((file) => ({ fileKey: file.key, checksum: file.checksum })),
        },
        select: { id: true, fileKey: true, checksum: true },
      })
    : []
  const idOf = new Map(stored.map((file) => [fileIdentity(file.fileKey, file.checksum), file.id]))

  const created = await tx.compchemWorkflow.create({
    data: {
      recordId: run.recordId,
      workflowType: run.workflowType,
      seq: run.seq,
      name: run.name,
      createdBy: run.createdBy,
      parameters: run.parameters ?? {},
      templateDigest: run.templateDigest ?? null,
      resubmittedFrom: run.resubmittedFrom ? toBigIntId(run.resubmittedFrom, 'resubmittedFrom') : null,
      files: {
        create: files.map((file, position) => ({
          fileId: idOf.get(fileIdentity(file.key, file.checksum))!,
          position,
        })),
      },
    },
    include: RUN_INCLUDE,
  })
  return toRunRow(created)
}

function fileIdentity(key: string, checksum: string): string {
  return JSON.stringify([key, checksum])
}

/** The same file given twice is linked once (the link's primary key is (run, file)). */
function uniqueFiles(files: NewRunFile[]): NewRunFile[] {
  const seen = new Set<string>()
  return files.filter((file) => {
    const identity = fileIdentity(file.key, file.checksum)
    if (seen.has(identity)) return false
    seen.add(identity)
    return true
  })
}

export async function findRunByName(db: Db, name: string): Promise<RunRow | null> {
  const run = await db.compchemWorkflow.findUnique({ where: { name }, include: RUN_INCLUDE })
  return run ? toRunRow(run) : null
}

export async function findRunById(db: Db, id: string): Promise<RunRow | null> {
  const run = await db.compchemWorkflow.findUnique({ where: { id: toBigIntId(id) }, include: RUN_INCLUDE })
  return run ? toRunRow(run) : null
}

export interface ListRunsOptions {
  /** Only runs of this workflow type. */
  type?: string
  /** Only runs that read the file with this key (any checksum). */
  file?: string
  /** Page size, 1..1000. */
  limit: number
  /** nextCursor of the previous page. */
  cursor?: string
}

export interface RunPage {
  runs: RunRow[]
  /** Opaque; pass it back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null
}

/** A cursor that is not one this module produced; callers answer 400. */
export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`invalid cursor '${cursor}'`)
    this.name = 'InvalidCursorError'
  }
}

/** A record's runs, newest (highest seq) first, one page at a time. */
export async function listRuns(db: Db, recordId: string, opts: ListRunsOptions): Promise<RunPage> {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 1000) {
    throw new RangeError(`limit must be an integer from 1 to 1000, got ${opts.limit}`)
  }
  const beforeSeq = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor)
  const rows = await db.compchemWorkflow.findMany({
    where: {
      recordId,
      workflowType: opts.type,
      seq: beforeSeq === undefined ? undefined : { lt: beforeSeq },
      files: opts.file === undefined ? undefined : { some: { file: { fileKey: opts.file } } },
    },
    orderBy: { seq: 'desc' },
    take: opts.limit + 1,
    include: RUN_INCLUDE,
  })
  const page = rows.slice(0, opts.limit)
  const last = page.at(-1)
  return {
    runs: page.map(toRunRow),
    nextCursor: rows.length > opts.limit && last ? encodeCursor(last.seq) : null,
  }
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ before: seq })).toString('base64url')
}

function decodeCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const before = (parsed as { before?: unknown } | null)?.before
    if (typeof before === 'number' && Number.isInteger(before) && before > 0) return before
  } catch {
    // fall through
  }
  throw new InvalidCursorError(cursor)
}

/**
 * Runs of the record that read any of `fileKeys` and have no outcome row yet: the candidates for
 * holding those files. The caller decides with Argo's state (and the Pending grace period) which
 * of them really are busy. A run retried in place after an outcome is among them again (it has an
 * accepted retry action): Argo's state decides whether that attempt still runs.
 */
export async function runsHoldingFiles(db: Db, recordId: string, fileKeys: string[]): Promise<RunRow[]> {
  if (!fileKeys.length) return []
  const rows = await db.compchemWorkflow.findMany({
    where: {
      recordId,
      OR: [{ outcomes: { none: {} } }, { actions: { some: { action: 'retry', result: 'accepted' } } }],
      files: { some: { file: { fileKey: { in: fileKeys } } } },
    },
    orderBy: { seq: 'asc' },
    include: RUN_INCLUDE,
  })
  return rows.map(toRunRow)
}

/** True for PostgreSQL's unique violation (23505) as Prisma reports it. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false
  return error.code === 'P2002' || (error.meta as { code?: unknown } | undefined)?.code === '23505'
}
