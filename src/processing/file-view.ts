// A record's files as the deposit form shows them: each with the types that apply, the run that
// holds it now (lock rule) and the latest outcome of a run that read it.
import { waitingAutoRequests } from '../db/automatic.js'
import { latestOutcomeByFile, type FileOutcome } from '../db/index.js'
import {
  isCompletedFile,
  isGeneratedFile,
  type InvenioCredentials,
  type InvenioFileEntry,
  type InvenioRecord,
} from '../invenio/index.js'
import { fileTypesOf, type ProcessingContext } from './context.js'
import { mimetypeOf } from './file-types.js'
import { busyFiles } from './start-run.js'

export interface LastOutcomeView {
  run: string
  type: string
  seq: number
  attempt: number
  phase: string
  startedAt: string | null
  finishedAt: string | null
  message: string | null
}

export interface RecordFileView {
  key: string
  mimetype: string
  size: number | null
  checksum: string | null
  /** 'completed' files can be processed; 'pending' ones are still being uploaded. */
  status: string
  /** Written back by the service; never processed automatically. */
  generated: boolean
  types: string[]
  lockedBy: string | null
  /** Automatic processing of the file waits in the queue for a free slot. */
  queued: boolean
  lastOutcome: LastOutcomeView | null
}

const MATCH_CONCURRENCY = 8

export async function listRecordFiles(
  ctx: ProcessingContext,
  recordId: string,
  record: InvenioRecord,
  token: InvenioCredentials,
): Promise<RecordFileView[]> {
  const entries = await ctx.invenio.listDraftFiles(record, token)
  const keys = entries.map((entry) => entry.key)
  const [types, busy, outcomes, waiting] = await Promise.all([
    typesOfEach(ctx, entries, token),
    busyFiles(ctx, recordId, keys),
    latestOutcomeByFile(ctx.db.prisma, recordId, { fileKeys: keys }),
    waitingAutoRequests(ctx.db.prisma, { recordId }),
  ])
  const queued = new Set(waiting.map((request) => `${request.fileKey}\u0000${request.checksum}`))
  const holderOf = new Map(busy.map((file) => [file.key, file.heldBy]))
  return entries.map((entry, index) => ({
    key: entry.key,
    mimetype: mimetypeOf(entry),
    size: entry.size,
    checksum: entry.checksum,
    status: entry.status,
    generated: isGeneratedFile(entry),
    types: types[index]!,
    lockedBy: holderOf.get(entry.key) ?? null,
    queued: queued.has(`${entry.key}\u0000${entry.checksum ?? ''}`),
    lastOutcome: outcomeView(outcomes.get(entry.key)),
  }))
}

async function typesOfEach(ctx: ProcessingContext, entries: InvenioFileEntry[], token: InvenioCredentials) {
  const catalog = ctx.catalog.current()
  const resolver = fileTypesOf(ctx)
  const names: string[][] = []
  for (let start = 0; start < entries.length; start += MATCH_CONCURRENCY) {
    const chunk = entries.slice(start, start + MATCH_CONCURRENCY)
    const found = await Promise.all(
      chunk.map(async (entry) =>
        isCompletedFile(entry)
          ? (await resolver.typesFor(catalog, entry, token)).map((type) => type.name)
          : [],
      ),
    )
    names.push(...found)
  }
  return names
}

function outcomeView(found: FileOutcome | undefined): LastOutcomeView | null {
  if (!found) return null
  return {
    run: found.runName,
    type: found.workflowType,
    seq: found.seq,
    attempt: found.outcome.attempt,
    phase: found.outcome.phase,
    startedAt: found.outcome.startedAt?.toISOString() ?? null,
    finishedAt: found.outcome.finishedAt?.toISOString() ?? null,
    message: found.outcome.message,
  }
}
