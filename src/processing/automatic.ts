// Automatic processing (issue 9): a file committed to a draft is matched against the catalog's
// automatic types, and one request per (record, file, checksum, type) goes into the durable queue
// (src/processing/queue.ts), which starts single-file runs as slots free. The unique key on the
// requests is what makes a start happen at most once, however often an event is delivered.
import type { Settings } from '../config/index.js'
import {
  autoRequestIdentity,
  insertAutoRequests,
  knownAutoRequestKeys,
  resolveAutoRequest,
  waitingAutoRequests,
  type AutoRequestSource,
} from '../db/automatic.js'
import type { Database } from '../db/index.js'
import {
  isCompletedFile,
  isGeneratedFile,
  NoAccessError,
  NotFoundError,
  type InvenioFileEntry,
  type InvenioRecord,
} from '../invenio/index.js'
import type { WorkflowInformer } from '../argo/index.js'
import { fileTypesOf, type ProcessingContext } from './context.js'
import { mimetypeOf } from './file-types.js'

/** What automatic processing needs of the service (ServiceContext provides all of it). */
export interface AutomaticContext extends Omit<ProcessingContext, 'settings' | 'db' | 'informer'> {
  settings: ProcessingContext['settings'] &
    Pick<
      Settings,
      | 'invenioServiceToken'
      | 'invenioWebhookSecrets'
      | 'automaticMaxRunning'
      | 'automaticMaxRunningPerRecord'
      | 'syncSweepSeconds'
    >
  db: Pick<Database, 'prisma' | 'url' | 'embedded'>
  informer: Pick<WorkflowInformer, 'get' | 'byRecord' | 'synced' | 'on'>
}

export interface InvenioEvent {
  type: 'file.committed' | 'file.deleted'
  recordId: string
  key: string
  checksum?: string | null
  mimetype?: string | null
  size?: number | null
  generatedByService?: boolean
}

export type EventReason =
  | 'queued'
  | 'already-handled'
  | 'generated-file'
  | 'unknown-record'
  | 'file-not-in-draft'
  | 'file-pending'
  | 'no-automatic-type'
  | 'file-deleted'

export interface QueuedRequest {
  id: string
  type: string
}

export interface EventAnswer {
  /** 'queued': new requests wait for a slot; 'ignored': nothing to do, and the reason why. */
  status: 'queued' | 'ignored' | 'cancelled'
  reason: EventReason
  recordId: string
  key: string
  /** The automatic types that apply to the file. */
  types: string[]
  /** Requests this event added to the queue. */
  queued: QueuedRequest[]
  /** For file.deleted: waiting requests of the file that will not start. */
  cancelled?: number
}

/** Automatic processing reads Invenio with the service's own token. */
export class AutomaticNotConfiguredError extends Error {
  constructor() {
    super('automatic processing needs INVENIO_SERVICE_TOKEN to read drafts')
    this.name = 'AutomaticNotConfiguredError'
  }
}

export function serviceTokenOf(ctx: Pick<AutomaticContext, 'settings'>): string {
  const token = ctx.settings.invenioServiceToken
  if (!token) throw new AutomaticNotConfiguredError()
  return token
}

export interface EnqueueResult {
  types: string[]
  queued: QueuedRequest[]
}

/**
 * Queues the file's automatic types that have no request yet. `known` (from knownAutoRequestKeys)
 * lets a caller going through many files of one record skip the insert for those already queued.
 */
export async function enqueueFile(
  ctx: AutomaticContext,
  recordId: string,
  entry: InvenioFileEntry,
  source: AutoRequestSource,
  token: string,
  known?: Set<string>,
): Promise<EnqueueResult> {
  const catalog = ctx.catalog.current()
  const types = (await fileTypesOf(ctx).typesFor(catalog, entry, token)).filter((type) => type.automatic)
  const checksum = entry.checksum ?? ''
  const fresh = types.filter((type) => !known?.has(autoRequestIdentity(entry.key, checksum, type.name)))
  const inserted = await insertAutoRequests(
    ctx.db.prisma,
    fresh.map((type) => ({
      recordId,
      fileKey: entry.key,
      checksum,
      workflowType: type.name,
      mimetype: mimetypeOf(entry),
      size: entry.size,
      source,
    })),
  )
  return {
    types: types.map((type) => type.name),
    queued: inserted.map((row) => ({ id: row.id, type: row.workflowType })),
  }
}

/** The draft of a record as the service sees it, or null when Invenio knows no such draft. */
export async function serviceDraft(
  ctx: AutomaticContext,
  recordId: string,
): Promise<{ draft: InvenioRecord; files: InvenioFileEntry[] } | null> {
  const token = serviceTokenOf(ctx)
  try {
    const draft = await ctx.invenio.getDraft(recordId, token)
    return { draft, files: await ctx.invenio.listDraftFiles(draft, token) }
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NoAccessError) return null
    throw error
  }
}

/** Handles one verified event; `onQueued` is told when there is something new for the queue. */
export async function handleInvenioEvent(
  ctx: AutomaticContext,
  event: InvenioEvent,
  onQueued: () => void,
): Promise<EventAnswer> {
  const answer = (status: EventAnswer['status'], reason: EventReason, extra: Partial<EventAnswer> = {}) => ({
    status,
    reason,
    recordId: event.recordId,
    key: event.key,
    types: [],
    queued: [],
    ...extra,
  })
  if (event.type === 'file.deleted') {
    const cancelled = await cancelWaiting(ctx, event.recordId, event.key, event.checksum ?? null)
    return answer(cancelled ? 'cancelled' : 'ignored', 'file-deleted', { cancelled })
  }
  // The event's own mark is enough to drop the service's results without asking Invenio.
  if (event.generatedByService) return answer('ignored', 'generated-file')
  const token = serviceTokenOf(ctx)
  const found = await serviceDraft(ctx, event.recordId)
  if (!found) return answer('ignored', 'unknown-record')
  // The listing is the truth: an event may be late, and its checksum that of an older upload.
  const entry = found.files.find((file) => file.key === event.key)
  if (!entry) return answer('ignored', 'file-not-in-draft')
  if (!isCompletedFile(entry)) return answer('ignored', 'file-pending')
  if (isGeneratedFile(entry)) return answer('ignored', 'generated-file')
  const result = await enqueueFile(ctx, event.recordId, entry, 'event', token)
  if (!result.types.length) return answer('ignored', 'no-automatic-type')
  if (!result.queued.length) return answer('ignored', 'already-handled', { types: result.types })
  onQueued()
  return answer('queued', 'queued', result)
}

/** Waiting requests of a deleted file will not start (a null checksum cancels every version). */
export async function cancelWaiting(
  ctx: Pick<AutomaticContext, 'db'>,
  recordId: string,
  key: string,
  checksum: string | null,
): Promise<number> {
  const waiting = await waitingAutoRequests(ctx.db.prisma, { recordId, fileKey: key })
  let cancelled = 0
  for (const request of waiting) {
    if (checksum !== null && request.checksum !== checksum) continue
    const resolved = await resolveAutoRequest(ctx.db.prisma, {
      requestId: request.id,
      outcome: 'skipped',
      reason: 'file-deleted',
    })
    if (resolved) cancelled++
  }
  return cancelled
}

export { knownAutoRequestKeys }
