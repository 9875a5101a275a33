import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mimetypeFor } from './mimetypes.js'
import type { FileStatus, NewFile, NewRecord, StoredFileView, User } from './types.js'

// In-memory state of the fake Invenio: users with tokens, records with a draft and/or a published
// version, and the draft's files. Permissions follow InvenioRDM: owner and users the draft is shared
// with may read and write it, curators read every draft, the service token reads any draft and writes
// results; a published record is readable by anyone.

export interface StoredFile {
  key: string
  status: FileStatus
  mimetype: string
  content: Buffer | undefined
  checksum: string | null
  size: number | null
  metadata: Record<string, unknown> | null
  created: Date
  updated: Date
  fileId: string
  versionId: string
  /** Written through the service token: only such files may carry the generated mark. */
  uploadedByService: boolean
}

export interface StoredRecord {
  id: string
  parentId: string
  ownerId: string
  sharedWith: Set<string>
  hasDraft: boolean
  published: boolean
  title: string
  created: Date
  updated: Date
  revision: number
  bucketId: string
  files: Map<string, StoredFile>
}

export type Identity = { kind: 'anonymous' } | { kind: 'service' } | { kind: 'user'; user: User }

export class InvenioError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export const permissionDenied = (): InvenioError => new InvenioError(403, 'Permission denied.')
export const unknownRecord = (): InvenioError =>
  new InvenioError(404, 'The persistent identifier does not exist.')

export class InvenioStore {
  private readonly users = new Map<string, User>()
  private readonly records = new Map<string, StoredRecord>()
  private nextUserId = 1

  constructor(private readonly serviceToken: string | undefined) {}

  addUser(input: { name: string; email?: string; token?: string; curator?: boolean }): User {
    if (this.userByName(input.name)) throw new Error(`user ${input.name} exists already`)
    const token = input.token ?? randomBytes(24).toString('base64url')
    if (this.userByToken(token) || token === this.serviceToken) throw new Error('token already in use')
    const user: User = {
      id: String(this.nextUserId++),
      name: input.name,
      email: input.email ?? `${input.name}@example.org`,
      token,
      curator: input.curator ?? false,
    }
    this.users.set(user.id, user)
    return user
  }

  userByName(name: string): User | undefined {
    return [...this.users.values()].find((user) => user.name === name)
  }

  listUsers(): User[] {
    return [...this.users.values()]
  }

  userById(id: string): User | undefined {
    return this.users.get(id)
  }

  private userByToken(token: string): User | undefined {
    return [...this.users.values()].find((user) => user.token === token)
  }

  resolveUser(user: string | User): User {
    const found = typeof user === 'string' ? this.userByName(user) : this.users.get(user.id)
    if (!found) throw new Error(`unknown user ${typeof user === 'string' ? user : user.name}`)
    return found
  }

  /** Invenio treats a missing or unknown token as an anonymous request, never as an error. */
  identify(authorization: string | undefined): Identity {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
    const token = match?.[1]
    if (!token) return { kind: 'anonymous' }
    if (this.serviceToken && token === this.serviceToken) return { kind: 'service' }
    const user = this.userByToken(token)
    return user ? { kind: 'user', user } : { kind: 'anonymous' }
  }

  addRecord(input: NewRecord): StoredRecord {
    const owner = this.resolveUser(input.owner)
    const id = input.id ?? newPid()
    if (this.records.has(id)) throw new Error(`record ${id} exists already`)
    const now = new Date()
    const record: StoredRecord = {
      id,
      parentId: newPid(),
      ownerId: owner.id,
      sharedWith: new Set((input.sharedWith ?? []).map((name) => this.resolveUser(name).id)),
      hasDraft: input.draft ?? true,
      published: input.published ?? false,
      title: input.title ?? `Record ${id}`,
      created: now,
      updated: now,
      revision: 1,
      bucketId: randomUUID(),
      files: new Map(),
    }
    if (!record.hasDraft && !record.published)
      throw new Error('a record needs a draft or a published version')
    for (const file of input.files ?? []) this.putFile(record, file)
    this.records.set(id, record)
    return record
  }

  record(id: string): StoredRecord {
    const record = this.records.get(id)
    if (!record) throw unknownRecord()
    return record
  }

  findRecord(id: string): StoredRecord | undefined {
    return this.records.get(id)
  }

  /** The draft, when it exists and `identity` may read it (403 otherwise, 404 when unknown). */
  readableDraft(identity: Identity, id: string): StoredRecord {
    const record = this.record(id)
    if (!record.hasDraft) throw unknownRecord()
    if (!this.canReadDraft(identity, record)) throw permissionDenied()
    return record
  }

  writableDraft(identity: Identity, id: string): StoredRecord {
    const record = this.readableDraft(identity, id)
    if (!this.canWriteDraft(identity, record)) throw permissionDenied()
    return record
  }

  publishedRecord(id: string): StoredRecord {
    const record = this.record(id)
    if (!record.published) throw unknownRecord()
    return record
  }

  canReadDraft(identity: Identity, record: StoredRecord): boolean {
    if (identity.kind === 'service') return true
    if (identity.kind === 'anonymous') return false
    return identity.user.curator || this.isOwnerOrShared(identity.user, record)
  }

  canWriteDraft(identity: Identity, record: StoredRecord): boolean {
    if (identity.kind === 'service') return true
    return identity.kind === 'user' && this.isOwnerOrShared(identity.user, record)
  }

  private isOwnerOrShared(user: User, record: StoredRecord): boolean {
    return record.ownerId === user.id || record.sharedWith.has(user.id)
  }

  /** Adds a file as seeded data: completed (content known) unless told pending. */
  putFile(record: StoredRecord, file: NewFile): StoredFile {
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content
    const status = file.status ?? 'completed'
    const stored = this.initFile(record, file.key, file.metadata ?? null, file.mimetype)
    stored.content = content
    if (status === 'completed') this.commitFile(record, stored)
    return stored
  }

  initFile(
    record: StoredRecord,
    key: string,
    metadata: Record<string, unknown> | null,
    mimetype?: string,
  ): StoredFile {
    if (record.files.has(key)) throw new InvenioError(400, `File with key ${key} already exists.`)
    const now = new Date()
    const file: StoredFile = {
      key,
      status: 'pending',
      mimetype: mimetype ?? mimetypeFor(key),
      content: undefined,
      checksum: null,
      size: null,
      metadata,
      created: now,
      updated: now,
      fileId: randomUUID(),
      versionId: randomUUID(),
      uploadedByService: false,
    }
    record.files.set(key, file)
    this.touch(record)
    return file
  }

  commitFile(record: StoredRecord, file: StoredFile): void {
    if (!file.content) throw new InvenioError(400, `File ${file.key} has no content to commit.`)
    file.status = 'completed'
    file.size = file.content.length
    file.checksum = 'md5:' + createHash('md5').update(file.content).digest('hex')
    file.updated = new Date()
    this.touch(record)
  }

  file(record: StoredRecord, key: string): StoredFile {
    const file = record.files.get(key)
    if (!file) throw new InvenioError(404, `File with key ${key} not found.`)
    return file
  }

  deleteFile(record: StoredRecord, key: string): StoredFile {
    const file = this.file(record, key)
    record.files.delete(key)
    this.touch(record)
    return file
  }

  private touch(record: StoredRecord): void {
    record.updated = new Date()
    record.revision += 1
  }
}

export function fileView(file: StoredFile): StoredFileView {
  return {
    key: file.key,
    status: file.status,
    mimetype: file.mimetype,
    checksum: file.checksum,
    size: file.size,
    metadata: file.metadata,
    content: file.content,
  }
}

/** InvenioRDM-style persistent id: two groups of five lowercase base32 characters. */
function newPid(): string {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'
  const chars = [...randomBytes(10)].map((byte) => alphabet[byte % 32])
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`
}
