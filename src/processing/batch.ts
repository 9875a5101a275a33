// "Start all" (the original's batch): one single-file run per matching (file, type), one after
// the other through the same machinery as a manual start. A file matching several types gets a
// run for the first; the others are skipped because that run now holds the file.
import { UnavailableError } from '../argo/index.js'
import { isCompletedFile, isGeneratedFile, type InvenioRecord } from '../invenio/index.js'
import { fileTypesOf, type ProcessingContext } from './context.js'
import { FilesBusyError, InvalidParametersError, SubmissionFailedError, UnknownTypeError } from './errors.js'
import { planRun, startRun, type Caller } from './start-run.js'

export interface BatchRequest {
  recordId: string
  draft: InvenioRecord
  caller: Caller
  /** Default: every completed file of the draft the service did not write itself. */
  files?: readonly string[]
  /** Default: every type of the catalog. */
  types?: readonly string[]
}

export type SkipReason =
  'not-in-draft' | 'pending' | 'no-matching-type' | 'busy' | 'parameters-required' | 'cluster-unavailable'

export type BatchResult =
  | { type: string; outcome: 'started'; name: string; seq: number }
  | { type: string | null; outcome: 'skipped'; reason: SkipReason; message: string; heldBy?: string }
  | { type: string; outcome: 'failed'; reason: 'submission-failed'; message: string; name: string }

export interface BatchFileResult {
  key: string
  results: BatchResult[]
}

export async function startBatch(
  ctx: ProcessingContext,
  request: BatchRequest,
): Promise<{ files: BatchFileResult[] }> {
  const catalog = ctx.catalog.current()
  const known = catalog.types.map((type) => type.name)
  const unknown = (request.types ?? []).filter((name) => !known.includes(name))
  if (unknown.length) throw new UnknownTypeError(unknown, known)
  const wanted = request.types ? new Set(request.types) : undefined

  const entries = await ctx.invenio.listDraftFiles(request.draft, request.caller.token)
  const byKey = new Map(entries.map((entry) => [entry.key, entry]))
  const keys =
    request.files ??
    entries.filter((entry) => isCompletedFile(entry) && !isGeneratedFile(entry)).map((entry) => entry.key)

  const resolver = fileTypesOf(ctx)
  const heldHere = new Map<string, string>()
  let unavailable = false
  const files: BatchFileResult[] = []
  for (const key of keys) {
    const results: BatchResult[] = []
    files.push({ key, results })
    const entry = byKey.get(key)
    if (!entry || !isCompletedFile(entry)) {
      const reason = entry ? 'pending' : 'not-in-draft'
      const message = entry ? 'The file is still being uploaded.' : 'The draft has no such file.'
      results.push({ type: null, outcome: 'skipped', reason, message })
      continue
    }
    const types = (await resolver.typesFor(catalog, entry, request.caller.token)).filter(
      (type) => !wanted || wanted.has(type.name),
    )
    if (!types.length)
      results.push({
        type: null,
        outcome: 'skipped',
        reason: 'no-matching-type',
        message: 'No workflow type applies to this file.',
      })
    for (const type of types) {
      const holder = heldHere.get(key)
      if (holder) {
        results.push(busy(type.name, holder))
        continue
      }
      if (unavailable) {
        results.push({
          type: type.name,
          outcome: 'skipped',
          reason: 'cluster-unavailable',
          message: 'Not tried: the cluster was unavailable for an earlier run of this batch.',
        })
        continue
      }
      try {
        const plan = await planRun(
          ctx,
          {
            recordId: request.recordId,
            draft: request.draft,
            caller: request.caller,
            type: type.name,
            files: [key],
          },
          entries,
        )
        const run = await startRun(ctx, plan)
        heldHere.set(key, run.name)
        results.push({ type: type.name, outcome: 'started', name: run.name, seq: run.seq })
      } catch (error) {
        if (error instanceof FilesBusyError) {
          const holderName = error.busy[0]!.heldBy
          heldHere.set(key, holderName)
          results.push(busy(type.name, holderName))
        } else if (error instanceof InvalidParametersError) {
          results.push({
            type: type.name,
            outcome: 'skipped',
            reason: 'parameters-required',
            message: 'This type needs parameters: start it on its own.',
          })
        } else if (error instanceof SubmissionFailedError) {
          unavailable = error.cause instanceof UnavailableError
          results.push({
            type: type.name,
            outcome: 'failed',
            reason: 'submission-failed',
            message: error.message,
            name: error.runName,
          })
        } else throw error
      }
    }
  }
  return { files }
}

function busy(type: string, holder: string): BatchResult {
  return {
    type,
    outcome: 'skipped',
    reason: 'busy',
    message: `The file is held by run ${holder}, which has not ended.`,
    heldBy: holder,
  }
}
