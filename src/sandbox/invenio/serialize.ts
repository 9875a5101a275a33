import type { InvenioStore, StoredFile, StoredRecord } from './store.js'

// JSON shapes as an OARepo/NRP (InvenioRDM) repository answers them. Every link is an absolute URL
// to this server; keys are percent-encoded as one path segment ('/' becomes %2F), as Invenio does.

export class Urls {
  constructor(
    readonly base: string,
    readonly model: string,
  ) {}

  record(id: string): string {
    return `${this.base}/api/${this.model}/${encodeURIComponent(id)}`
  }
  draft(id: string): string {
    return `${this.record(id)}/draft`
  }
  draftFiles(id: string): string {
    return `${this.draft(id)}/files`
  }
  draftFile(id: string, key: string): string {
    return `${this.draftFiles(id)}/${encodeURIComponent(key)}`
  }
  recordFiles(id: string): string {
    return `${this.record(id)}/files`
  }
  recordFile(id: string, key: string): string {
    return `${this.recordFiles(id)}/${encodeURIComponent(key)}`
  }
  depositHtml(id: string): string {
    return `${this.base}/${this.model}/uploads/${encodeURIComponent(id)}`
  }
  recordHtml(id: string): string {
    return `${this.base}/records/${encodeURIComponent(id)}`
  }
}

/** Invenio's timestamp style: microseconds and an explicit +00:00 offset. */
export function invenioTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00')
}

export function serializeRecord(
  store: InvenioStore,
  urls: Urls,
  record: StoredRecord,
  asDraft: boolean,
): object {
  const owner = store.userById(record.ownerId)
  const completed = [...record.files.values()].filter((file) => file.status === 'completed')
  const expires = new Date(record.created.getTime() + 365 * 24 * 3600 * 1000)
  const links: Record<string, string> = asDraft
    ? {
        self: urls.draft(record.id),
        self_html: urls.depositHtml(record.id),
        files: urls.draftFiles(record.id),
        record: urls.record(record.id),
        publish: `${urls.draft(record.id)}/actions/publish`,
      }
    : {
        self: urls.record(record.id),
        self_html: urls.recordHtml(record.id),
        files: urls.recordFiles(record.id),
        record: urls.record(record.id),
        ...(record.hasDraft ? { draft: urls.draft(record.id) } : {}),
      }
  return {
    id: record.id,
    created: invenioTime(record.created),
    updated: invenioTime(record.updated),
    revision_id: record.revision,
    is_published: !asDraft,
    is_draft: asDraft,
    expires_at: invenioTime(expires).replace(/\+00:00$/, ''),
    metadata: {
      title: record.title,
      creators: [
        { person_or_org: { type: 'personal', family_name: owner?.name ?? 'Unknown', given_name: 'Demo' } },
      ],
    },
    files: {
      enabled: true,
      count: record.files.size,
      total_bytes: completed.reduce((sum, file) => sum + (file.size ?? 0), 0),
    },
    parent: { id: record.parentId, access: { owned_by: { user: record.ownerId } } },
    access: { record: 'public', files: 'restricted' },
    links,
  }
}

export function serializeFileEntry(
  urls: Urls,
  record: StoredRecord,
  file: StoredFile,
  asDraft: boolean,
): object {
  const self = asDraft ? urls.draftFile(record.id, file.key) : urls.recordFile(record.id, file.key)
  return {
    key: file.key,
    created: invenioTime(file.created),
    updated: invenioTime(file.updated),
    status: file.status,
    metadata: file.metadata,
    checksum: file.checksum,
    size: file.size,
    mimetype: file.mimetype,
    storage_class: 'L',
    // Invenio only has a file object (and its ids) once the upload is committed.
    ...(file.status === 'completed'
      ? { file_id: file.fileId, version_id: file.versionId, bucket_id: record.bucketId }
      : {}),
    links: asDraft
      ? { self, content: `${self}/content`, commit: `${self}/commit` }
      : { self, content: `${self}/content` },
  }
}

export function serializeFiles(
  urls: Urls,
  record: StoredRecord,
  files: StoredFile[],
  asDraft: boolean,
): object {
  return {
    enabled: true,
    default_preview: null,
    order: [],
    entries: files.map((file) => serializeFileEntry(urls, record, file, asDraft)),
    links: { self: asDraft ? urls.draftFiles(record.id) : urls.recordFiles(record.id) },
  }
}
