// Starting a run by hand (DESIGN.md "Runs, names and the lock rule"): check the request against the
// catalog and the draft, then — under the record's advisory lock — the lock rule, the next seq and
// the rows, all in one transaction; only after COMMIT is the Workflow created. A creation that fails
// for good leaves an Error outcome, which releases the files at once.
import { AlreadyExistsError, runName } from '../argo/index.js'
import { findType, parametersValidator, type WorkflowType } from '../config/index.js'
import {
  findRunByName,
  insertOutcome,
  insertRun,
  isUniqueViolation,
  maxSeq,
  runsHoldingFiles,
  withRecordLock,
  type InputJsonObject,
  type RunRow,
} from '../db/index.js'
import { type InvenioCredentials, type InvenioFileEntry, type InvenioRecord } from '../invenio/index.js'
import type { Prisma } from '../db/generated/client.js'
import { fileTypesOf, nowOf, type ProcessingContext } from './context.js'
import {
  FilesBusyError,
  InvalidParametersError,
  SubmissionFailedError,
  TooManyFilesError,
  UnknownTypeError,
  UnusableFilesError,
  type BusyFile,
  type UnusableFile,
} from './errors.js'
import { mimetypeOf } from './file-types.js'
import { checkLock, type ApiServerAnswer, type LockCandidate } from './lock.js'
import { reusableRun, templateDigestOf } from './reuse.js'
import { maxSeqOfRecordInArgo } from './seq.js'
import { submitRun } from './submit.js'

/** Who starts the run: the Invenio user id (stored as created_by) and their token (to read the draft). */
export interface Caller {
  userId: string
  /** The user's own token, or the service's credentials for sessions and Invenio itself. */
  token: InvenioCredentials
}

export interface StartRequest {
  recordId: string
  draft: InvenioRecord
  caller: Caller
  type: string
  files: readonly string[]
  parameters?: Record<string, unknown>
  /** Answer with an earlier Succeeded run of the same file, type, templates and parameters, if any. */
  useCache?: boolean
}

/** A start request checked against the catalog and the draft: what the run will be. */
export interface RunPlan {
  recordId: string
  type: WorkflowType
  files: InvenioFileEntry[]
  parameters: Record<string, unknown>
  createdBy: string
  useCache?: boolean
}

/** How automatic processing (src/processing/queue.ts) takes part in a start. */
export interface StartOptions {
  /** The digest already computed by the caller; default: read the type's WorkflowTemplates. */
  templateDigest?: string | null
  /** Runs inside the reservation transaction after the run row is inserted; throwing rolls it back. */
  withinReservation?: (tx: Prisma.TransactionClient, run: RunRow) => Promise<void>
  /** Id of the run this one repeats (resubmit, src/processing/actions-run.ts). */
  resubmittedFrom?: string
}

export interface StartedRun {
  recordId: string
  name: string
  seq: number
  type: string
  files: string[]
  createdAt: Date
  /** True when an earlier Succeeded run is answered instead of a new one (useCache). */
  reused?: boolean
}

/** How many times a start goes round on a name clash or an unseen holder before giving up. */
const MAX_ATTEMPTS = 5
/** How long a start may wait for the database (its connection and the record's lock). */
const LOCK_WAIT_MS = 60_000

/**
 * Checks a start request, in this order: the type exists, the file count fits maxFiles, the
 * parameters match the type's schema, every file is a completed file of the draft and the type
 * applies to it. `draftFiles` lets a caller that has listed the draft already skip listing it again.
 */
export async function planRun(
  ctx: ProcessingContext,
  request: StartRequest,
  draftFiles?: InvenioFileEntry[],
): Promise<RunPlan> {
  const catalog = ctx.catalog.current()
  const type = findType(catalog, request.type)
  if (!type)
    throw new UnknownTypeError(
      [request.type],
      catalog.types.map((known) => known.name),
    )
  if (request.files.length > type.maxFiles)
    throw new TooManyFilesError(type.name, request.files.length, type.maxFiles)
  const parameters = request.parameters ?? {}
  const validate = parametersValidator(type)
  if (!validate(structuredClone(parameters)))
    throw new InvalidParametersError(type.name, validate.errors ?? [])

  const entries = draftFiles ?? (await ctx.invenio.listDraftFiles(request.draft, request.caller.token))
  const byKey = new Map(entries.map((entry) => [entry.key, entry]))
  const unusable: UnusableFile[] = []
  const files: InvenioFileEntry[] = []
  for (const key of request.files) {
    const entry = byKey.get(key)
    if (!entry) unusable.push({ key, reason: 'not-in-draft' })
    else if (entry.status !== 'completed') unusable.push({ key, reason: 'pending' })
    else files.push(entry)
  }
  const resolver = fileTypesOf(ctx)
  for (const entry of files) {
    const types = await resolver.typesFor(catalog, entry, request.caller.token)
    if (!types.some((candidate) => candidate.name === type.name))
      unusable.push({ key: entry.key, reason: 'type-mismatch' })
  }
  if (unusable.length) throw new UnusableFilesError(type.name, unusable)
  return {
    recordId: request.recordId,
    type,
    files,
    parameters,
    createdBy: request.caller.userId,
    ...(request.useCache ? { useCache: true } : {}),
  }
}

/** The runs' candidates for holding these files, as the lock decision sees them. */
function lockCandidates(rows: RunRow[]): LockCandidate[] {
  return rows.map((row) => ({
    name: row.name,
    createdAt: row.createdAt,
    fileKeys: row.files.map((file) => file.fileKey),
  }))
}

/** Thrown inside the transaction when a holder must be looked up first (never with the lock held). */
class NeedsApiServerError extends Error {
  constructor(readonly names: string[]) {
    super(`look up ${names.join(', ')} on the API server first`)
  }
}

async function askApiServer(
  ctx: ProcessingContext,
  names: string[],
  answers: Map<string, ApiServerAnswer>,
): Promise<void> {
  const found = await Promise.all(names.map((name) => ctx.argo.getWorkflow(name)))
  names.forEach((name, index) => answers.set(name, found[index] ?? null))
}

/** The lock check (without the lock: for dry runs and views) — asks the API server when needed. */
export async function busyFiles(
  ctx: ProcessingContext,
  recordId: string,
  keys: readonly string[],
): Promise<BusyFile[]> {
  const rows = await runsHoldingFiles(ctx.db.prisma, recordId, [...keys])
  const answers = new Map<string, ApiServerAnswer>()
  const decide = () =>
    checkLock(
      keys,
      lockCandidates(rows),
      (name) => ({ cached: ctx.informer.get(name), answer: answers.get(name) }),
      nowOf(ctx),
      ctx.settings.pendingGraceSeconds,
    )
  const first = decide()
  if (first.ask.length === 0) return first.busy
  await askApiServer(ctx, first.ask, answers)
  return decide().busy
}

/**
 * In one transaction under the record's advisory lock: the lock rule, the next seq and the run's
 * rows. Only the transaction client is used inside; Kubernetes is never called while it is open.
 */
async function reserveRun(
  ctx: ProcessingContext,
  plan: RunPlan,
  argoFloor: number,
  answers: Map<string, ApiServerAnswer>,
  options: StartOptions & { templateDigest: string | null },
): Promise<RunRow> {
  const keys = plan.files.map((file) => file.key)
  return withRecordLock(
    ctx.db.prisma,
    plan.recordId,
    async (tx) => {
      const holders = await runsHoldingFiles(tx, plan.recordId, keys)
      const check = checkLock(
        keys,
        lockCandidates(holders),
        (name) => ({ cached: ctx.informer.get(name), answer: answers.get(name) }),
        nowOf(ctx),
        ctx.settings.pendingGraceSeconds,
      )
      if (check.ask.length) throw new NeedsApiServerError(check.ask)
      if (check.busy.length) throw new FilesBusyError(check.busy)
      const seq = Math.max(await maxSeq(tx, plan.recordId), argoFloor) + 1
      const run = await insertRun(tx, {
        recordId: plan.recordId,
        workflowType: plan.type.name,
        seq,
        name: runName(plan.type.name, plan.recordId, seq),
        createdBy: plan.createdBy,
        parameters: plan.parameters as InputJsonObject,
        templateDigest: options.templateDigest,
        resubmittedFrom: options.resubmittedFrom ?? null,
        files: plan.files.map((file) => ({
          key: file.key,
          mimetype: mimetypeOf(file),
          size: file.size,
          checksum: file.checksum ?? '',
        })),
      })
      await options.withinReservation?.(tx, run)
      return run
    },
    // Starts on one record queue here (and, on the embedded PGlite, every transaction does): a
    // burst of starts waits its turn rather than failing.
    { maxWaitMs: LOCK_WAIT_MS, timeoutMs: LOCK_WAIT_MS },
  )
}

/** Writes the Error outcome that releases the files of a run that never made it into the cluster. */
async function releaseRun(ctx: ProcessingContext, run: RunRow, reason: unknown): Promise<void> {
  const message = `The Workflow could not be created: ${reason instanceof Error ? reason.message : String(reason)}`
  try {
    await insertOutcome(ctx.db.prisma, {
      workflowId: run.id,
      attempt: 1,
      phase: 'Error',
      finishedAt: nowOf(ctx),
      message: message.slice(0, 2000),
    })
  } catch (error) {
    // The run then holds its files only until the grace period ends and the API server says 404.
    ctx.logger.error({ err: error, run: run.name }, 'could not record the Error outcome of a failed start')
  }
}

/**
 * Starts the planned run: FilesBusyError when the lock rule refuses, SubmissionFailedError when
 * the cluster refused or was unreachable (the run then has an Error outcome).
 */
export async function startRun(
  ctx: ProcessingContext,
  plan: RunPlan,
  options: StartOptions = {},
): Promise<StartedRun> {
  const digest =
    options.templateDigest !== undefined ? options.templateDigest : await templateDigestOf(ctx, plan.type)
  if (plan.useCache && plan.files.length === 1) {
    const reused = await reuseFor(ctx, plan, digest)
    if (reused) return reused
  }
  let argoFloor = await maxSeqOfRecordInArgo(ctx, plan.recordId)
  const answers = new Map<string, ApiServerAnswer>()
  for (let attempt = 1; ; attempt++) {
    let run: RunRow
    try {
      run = await reserveRun(ctx, plan, argoFloor, answers, { ...options, templateDigest: digest })
    } catch (error) {
      if (error instanceof NeedsApiServerError && attempt < MAX_ATTEMPTS) {
        await askApiServer(ctx, error.names, answers)
        continue
      }
      if (isUniqueViolation(error) && attempt < MAX_ATTEMPTS) continue
      throw error
    }
    try {
      await submitRun(ctx, run, plan.type)
    } catch (error) {
      await releaseRun(ctx, run, error)
      if (error instanceof AlreadyExistsError && attempt < MAX_ATTEMPTS) {
        // A Workflow the database does not know holds this name: count past it.
        argoFloor = Math.max(argoFloor, run.seq)
        continue
      }
      throw new SubmissionFailedError(run.name, error)
    }
    ctx.logger.info({ run: run.name, record: run.recordId, files: run.files.length }, 'run started')
    ctx.metrics?.runStarted(run.workflowType)
    return {
      recordId: run.recordId,
      name: run.name,
      seq: run.seq,
      type: run.workflowType,
      files: run.files.map((file) => file.fileKey),
      createdAt: run.createdAt,
    }
  }
}

async function reuseFor(
  ctx: ProcessingContext,
  plan: RunPlan,
  digest: string | null,
): Promise<StartedRun | null> {
  const file = plan.files[0]!
  const found = await reusableRun(ctx, {
    recordId: plan.recordId,
    type: plan.type,
    templateDigest: digest,
    fileKey: file.key,
    checksum: file.checksum,
    parameters: plan.parameters,
  })
  if (!found) return null
  const run = await findRunByName(ctx.db.prisma, found.name)
  if (!run) return null
  return {
    recordId: run.recordId,
    name: run.name,
    seq: run.seq,
    type: run.workflowType,
    files: run.files.map((entry) => entry.fileKey),
    createdAt: run.createdAt,
    reused: true,
  }
}

export interface StartWarning {
  code: 'file-busy' | 'files-locked-together'
  message: string
  files: string[]
  /** For file-busy: the run holding the files, and its phase. */
  heldBy?: string
  phase?: string
}

export interface DryRunResult {
  wouldStart: {
    type: string
    files: string[]
    parameters: Record<string, unknown>
    name: string
    seq: number
  }
  warnings: StartWarning[]
}

/** What starting the plan would do, without doing it: the run it would be and what stands in the way. */
export async function dryRunStart(ctx: ProcessingContext, plan: RunPlan): Promise<DryRunResult> {
  const keys = plan.files.map((file) => file.key)
  const [busy, inDatabase, inArgo] = await Promise.all([
    busyFiles(ctx, plan.recordId, keys),
    maxSeq(ctx.db.prisma, plan.recordId),
    maxSeqOfRecordInArgo(ctx, plan.recordId),
  ])
  const warnings: StartWarning[] = []
  const byHolder = new Map<string, BusyFile[]>()
  for (const file of busy) byHolder.set(file.heldBy, [...(byHolder.get(file.heldBy) ?? []), file])
  for (const [holder, files] of byHolder) {
    const phase = files[0]!.phase
    warnings.push({
      code: 'file-busy',
      message: `${files.map((file) => JSON.stringify(file.key)).join(', ')} ${files.length > 1 ? 'are' : 'is'} held by run ${holder} (${phase}); starting now would be refused.`,
      files: files.map((file) => file.key),
      heldBy: holder,
      phase,
    })
  }
  if (keys.length > 1)
    warnings.push({
      code: 'files-locked-together',
      message: `These ${keys.length} files go into one run: none of them can be used by another run until it ends.`,
      files: keys,
    })
  const seq = Math.max(inDatabase, inArgo) + 1
  return {
    wouldStart: {
      type: plan.type.name,
      files: keys,
      parameters: plan.parameters,
      name: runName(plan.type.name, plan.recordId, seq),
      seq,
    },
    warnings,
  }
}
