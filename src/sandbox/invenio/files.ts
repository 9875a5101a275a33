import {
  InvenioError,
  type Identity,
  type InvenioStore,
  type StoredFile,
  type StoredRecord,
} from './store.js'
import type { WebhookSender } from './webhook.js'
import type { WebhookEvent } from './types.js'

// The InvenioRDM upload flow (init → content → commit) and file deletion, shared by the REST API and
// FakeInvenio.uploadFile, so both notify the service the same way.

/** Metadata key a writer sets on init to mark a file as produced by the compchem service. */
export const GENERATED_METADATA_KEY = 'compchem:generated'

export interface InitEntry {
  key: string
  metadata: Record<string, unknown> | null
}

export class FileFlow {
  constructor(
    private readonly store: InvenioStore,
    private readonly webhook: WebhookSender,
  ) {}

  /** Validates the body of `POST …/draft/files` (a list of `{key, metadata?}`). */
  static parseInit(body: unknown): InitEntry[] {
    if (!Array.isArray(body) || body.length === 0)
      throw validationError('Expected a non-empty list of files.')
    return body.map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) throw validationError('Each file must be an object.')
      const { key, metadata } = entry as { key?: unknown; metadata?: unknown }
      if (typeof key !== 'string' || key.length === 0)
        throw validationError('Missing data for required field.')
      if (
        metadata !== undefined &&
        metadata !== null &&
        (typeof metadata !== 'object' || Array.isArray(metadata))
      )
        throw validationError('Not a valid mapping type.')
      return { key, metadata: (metadata as Record<string, unknown> | null | undefined) ?? null }
    })
  }

  init(record: StoredRecord, identity: Identity, entries: InitEntry[]): StoredFile[] {
    const keys = new Set<string>()
    for (const { key } of entries) {
      if (keys.has(key) || record.files.has(key))
        throw new InvenioError(400, `File with key ${key} already exists.`)
      keys.add(key)
    }
    return entries.map(({ key, metadata }) => {
      const file = this.store.initFile(record, key, metadata)
      file.uploadedByService = identity.kind === 'service'
      return file
    })
  }

  setContent(file: StoredFile, content: Buffer): void {
    if (file.status === 'completed')
      throw new InvenioError(400, `File with key ${file.key} is already committed.`)
    file.content = content
    file.updated = new Date()
  }

  commit(record: StoredRecord, file: StoredFile): void {
    if (file.status === 'completed') return
    this.store.commitFile(record, file)
    this.webhook.send(this.event('file.committed', record, file))
  }

  delete(record: StoredRecord, key: string): void {
    const file = this.store.deleteFile(record, key)
    this.webhook.send(this.event('file.deleted', record, file))
  }

  private event(type: WebhookEvent['type'], record: StoredRecord, file: StoredFile): WebhookEvent {
    const generated = file.uploadedByService && file.metadata?.[GENERATED_METADATA_KEY] === true
    return {
      type,
      recordId: record.id,
      key: file.key,
      checksum: file.checksum,
      mimetype: file.mimetype,
      size: file.size,
      ...(generated ? { generatedByService: true } : {}),
    }
  }
}

function validationError(message: string): InvenioError {
  return new InvenioError(400, `A validation error occurred. ${message}`)
}
