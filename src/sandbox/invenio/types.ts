// Public shapes of the fake OARepo/NRP Invenio used by tests and `npm run demo`.

export interface FakeInvenioLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface WebhookOptions {
  url: string
  secret: string
}

export interface FakeInvenioOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string
  /** Port; default 0 (any free port). */
  port?: number
  /** NRP metadata model: record paths are /api/<modelPrefix>/<id>. Default 'experiments'. */
  modelPrefix?: string
  /** Called (signed) after every committed or deleted draft file. */
  webhook?: WebhookOptions
  /** Token of the compchem service: reads any draft, writes results back. */
  serviceToken?: string
  /** Base URL of the compchem service: the record page embeds its widget and the session views call it. */
  serviceUrl?: string
  logger?: FakeInvenioLogger
}

export interface User {
  /** Invenio user id (a number as a string, as in `parent.access.owned_by.user`). */
  id: string
  name: string
  email: string
  token: string
  curator: boolean
}

export type FileStatus = 'completed' | 'pending'

export interface NewFile {
  key: string
  /** Defaults to the mimetype Invenio derives from the extension. */
  mimetype?: string
  content: Buffer | string
  status?: FileStatus
  metadata?: Record<string, unknown> | null
}

export interface NewRecord {
  id?: string
  /** User name (or the User) owning the record. */
  owner: string | User
  /** Whether the record has a draft; default true. */
  draft?: boolean
  /** Whether a published version exists; default false. */
  published?: boolean
  title?: string
  files?: NewFile[]
  /** User names the draft is shared with (read and write). */
  sharedWith?: string[]
}

export interface RecordLinks {
  draft: string
  record: string
  files: string
  html: string
}

export interface RecordInfo {
  id: string
  owner: string
  links: RecordLinks
}

export interface StoredFileView {
  key: string
  status: FileStatus
  mimetype: string
  checksum: string | null
  size: number | null
  metadata: Record<string, unknown> | null
  content: Buffer | undefined
}

export type FailureMode = 'down' | 'slow' | 'error500'

export interface RequestLogEntry {
  method: string
  /** Raw path as sent (percent-encoding kept), without the query string. */
  path: string
  /** User name, 'service' for the service token, null for anonymous (incl. a bad token). */
  user: string | null
}

export interface WebhookDelivery {
  type: WebhookEventType
  recordId: string
  key: string
  /** HTTP status of the last attempt, or undefined when it never got an answer. */
  status: number | undefined
  error?: string
  attempts: number
}

export type WebhookEventType = 'file.committed' | 'file.deleted'

export interface WebhookEvent {
  type: WebhookEventType
  recordId: string
  key: string
  checksum: string | null
  mimetype: string
  size: number | null
  generatedByService?: boolean
}

export interface FakeInvenio {
  url: string
  modelPrefix: string
  close(): Promise<void>
  addUser(user: { name: string; email?: string; token?: string; curator?: boolean }): User
  addRecord(record: NewRecord): RecordInfo
  /** Uploads through the same init → content → commit flow as the REST API, webhook included. */
  uploadFile(
    recordId: string,
    user: string | User,
    key: string,
    content: Buffer | string,
    mimetype?: string,
  ): Promise<StoredFileView>
  /** Publishes the record; `keepDraft` leaves an editable draft next to it. */
  publish(recordId: string, keepDraft?: boolean): void
  getFile(recordId: string, key: string): StoredFileView | undefined
  setFailure(mode: FailureMode | null, options?: { delayMs?: number }): void
  /** Whether `GET /api/users/{id}` shows the email to the service token (default true), as when the
   * service's account has, or lacks, the permission to read users' emails. */
  showEmailsToService(shown: boolean): void
  /** Every request received, in order, for assertions. */
  requests: RequestLogEntry[]
  webhookDeliveries: WebhookDelivery[]
  /** Resolves once every webhook call started so far has finished (delivered or given up). */
  flushWebhooks(): Promise<void>
}
