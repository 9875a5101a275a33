// Shapes the client reads from Invenio (OARepo/NRP, InvenioRDM-style) and hands to the service.

/** Minimal pino-compatible logger; the client logs method, URL path and status, never a credential. */
export interface InvenioLogger {
  debug(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

/**
 * Whose credentials a request carries: a user's bearer token (string), the service's own token
 * (SERVICE_CREDENTIALS — for the file proxy and write-back) or nobody (null, also for an empty string).
 * Service credentials are an explicit choice so a missing user token can never turn into them.
 */
export const SERVICE_CREDENTIALS: unique symbol = Symbol('compchem.invenio.service-credentials')
export type InvenioCredentials = string | typeof SERVICE_CREDENTIALS | null

export interface InvenioLinks {
  [name: string]: string | undefined
}

/** A draft or a published record: only what the service uses is typed, the rest is kept as is. */
export interface InvenioRecord {
  id: string
  links: InvenioLinks
  is_draft?: boolean
  is_published?: boolean
  [field: string]: unknown
}

export type InvenioFileStatus = 'completed' | 'pending' | (string & {})

export interface InvenioFileEntry {
  key: string
  /** Only 'completed' files are uploaded and usable; 'pending' ones are still being written. */
  status: InvenioFileStatus
  checksum: string | null
  size: number | null
  mimetype: string | null
  links: InvenioLinks
  metadata: Record<string, unknown> | null
}

export type RecordResolution =
  { kind: 'draft'; draft: InvenioRecord } | { kind: 'published'; record: InvenioRecord }

/** A user as Invenio reports them (`/api/me`, `/api/users/{id}`); fields the answer lacks stay unset. */
export interface CheckedUser {
  /** The user's id when the endpoint reports one (as a string). */
  id?: string
  username?: string
  /** Only when Invenio shows it to the caller: the user themself, or a caller allowed to read emails. */
  email?: string
}

export interface FileContentResponse {
  /** 200 whole file, 206 partial content, 416 range not satisfiable (body empty). */
  status: 200 | 206 | 416
  headers: {
    contentType?: string
    contentLength?: string
    contentRange?: string
    acceptRanges?: string
    etag?: string
    lastModified?: string
  }
  /** The upstream body; cancel it when the caller goes away. */
  body: ReadableStream<Uint8Array>
}

export type UploadContent = Uint8Array | string | ReadableStream<Uint8Array>

/** Metadata marking files the service wrote back, so they never trigger automatic processing. */
export const GENERATED_FILE_METADATA_KEY = 'compchem:generated'

export function isCompletedFile(entry: InvenioFileEntry): boolean {
  return entry.status === 'completed'
}

export function isGeneratedFile(entry: InvenioFileEntry): boolean {
  return entry.metadata?.[GENERATED_FILE_METADATA_KEY] === true
}
