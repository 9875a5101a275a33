// Who is calling and what Invenio lets them do. Invenio decides everything; this module only asks it
// and remembers the answers briefly (longer for yes than for no), keyed by a hash of the token so
// the token itself is never kept as a key or logged. Invenio being down is not cached: it fails closed.
// Credentials the service issued itself (sessions, stream URLs) are checked against their binding and
// then read with the service's own Invenio credentials.
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import {
  NoAccessError,
  NotFoundError,
  SERVICE_CREDENTIALS,
  type InvenioClient,
  type InvenioCredentials,
  type InvenioRecord,
} from '../invenio/index.js'
import type { UserIdentity } from './identity.js'

/**
 * What the caller may see of a record: its draft (may start and steer runs), or only the published
 * record (may read runs and logs). `draftRefused` tells a draft that exists but is not theirs to
 * edit (true) from a record that has no draft at all (false).
 */
export type RecordAccess =
  | { kind: 'draft'; recordId: string; draft: InvenioRecord }
  | { kind: 'published'; recordId: string; record: InvenioRecord; draftRefused: boolean }

/** Invenio does not know this token as a logged-in user (Invenio treats a bad token as anonymous). */
export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError'
}

/** The record exists but Invenio will not show it to this caller. */
export class RecordAccessDeniedError extends Error {
  override readonly name = 'RecordAccessDeniedError'
  constructor(readonly recordId: string) {
    super(`access to record ${recordId} is denied`)
  }
}

/** Invenio knows no such record (or hides it as if it did not exist). */
export class UnknownRecordError extends Error {
  override readonly name = 'UnknownRecordError'
  constructor(readonly recordId: string) {
    super(`record ${recordId} is unknown`)
  }
}

export interface AccessCheckerOptions {
  invenio: InvenioClient
  /** How long a yes is remembered (default 30 s). */
  allowTtlMs?: number
  /** How long a no is remembered (default 5 s). */
  denyTtlMs?: number
  /** Most remembered answers per cache (default 10,000). */
  maxEntries?: number
  /**
   * Recognises credentials the service issued or holds itself (session tokens, signed stream URLs,
   * the service token): null for anything else. Their record access is read with the service's own
   * Invenio credentials, and only for the record they are bound to (undefined: any record).
   */
  delegated?: (token: string) => { recordId?: string } | null
}

type Answer<T> = { ok: true; value: T } | { ok: false; error: Error }

export class AccessChecker {
  private readonly invenio: InvenioClient
  private readonly allowTtlMs: number
  private readonly denyTtlMs: number
  private readonly users: LRUCache<string, Answer<Omit<UserIdentity, 'token'>>>
  private readonly records: LRUCache<string, Answer<RecordAccess>>
  private readonly delegated: NonNullable<AccessCheckerOptions['delegated']>

  constructor(options: AccessCheckerOptions) {
    this.invenio = options.invenio
    this.allowTtlMs = options.allowTtlMs ?? 30_000
    this.denyTtlMs = options.denyTtlMs ?? 5_000
    this.delegated = options.delegated ?? (() => null)
    const max = options.maxEntries ?? 10_000
    // lru-cache treats ttl 0 as "never expires": a zero TTL means "do not remember" here.
    this.users = new LRUCache({ max, ttl: Math.max(1, this.allowTtlMs) })
    this.records = new LRUCache({ max, ttl: Math.max(1, this.allowTtlMs) })
  }

  /** The user behind the token; UnknownUserError when Invenio sees an anonymous caller. */
  async checkUser(token: string): Promise<UserIdentity> {
    const identity = await this.remembered(this.users, tokenHash(token), async () => {
      try {
        const user = await this.invenio.checkUser(token)
        if (!user.id) throw new UnknownUserError('Invenio reported no user id for this token')
        return { kind: 'user' as const, userId: user.id, username: user.username }
      } catch (error) {
        // Invenio answers 403 (never 401) for a token it does not know.
        if (error instanceof NoAccessError) throw new UnknownUserError('Invenio does not know this token')
        throw error
      }
    })
    return { ...identity, token }
  }

  /**
   * What the token may see of the record: the draft when Invenio lets it read the draft, otherwise
   * the published record when there is one. RecordAccessDeniedError / UnknownRecordError otherwise.
   */
  async checkRecord(token: string, recordId: string): Promise<RecordAccess> {
    const delegated = this.delegated(token)
    if (delegated) {
      if (delegated.recordId !== undefined && delegated.recordId !== recordId)
        throw new RecordAccessDeniedError(recordId)
      const key = `service\u0000${recordId}`
      return this.remembered(this.records, key, () => this.askRecord(SERVICE_CREDENTIALS, recordId))
    }
    const key = `${tokenHash(token)}\u0000${recordId}`
    return this.remembered(this.records, key, () => this.askRecord(token, recordId))
  }

  /** Forgets every remembered answer (tests, key rotation). */
  clear(): void {
    this.users.clear()
    this.records.clear()
  }

  private async askRecord(token: InvenioCredentials, recordId: string): Promise<RecordAccess> {
    let draftRefused: boolean
    try {
      return { kind: 'draft', recordId, draft: await this.invenio.getDraft(recordId, token) }
    } catch (error) {
      if (!(error instanceof NoAccessError || error instanceof NotFoundError)) throw error
      draftRefused = error instanceof NoAccessError
    }
    try {
      const record = await this.invenio.getPublishedRecord(recordId, token)
      return { kind: 'published', recordId, record, draftRefused }
    } catch (error) {
      if (error instanceof NotFoundError)
        throw draftRefused ? new RecordAccessDeniedError(recordId) : new UnknownRecordError(recordId)
      if (error instanceof NoAccessError) throw new RecordAccessDeniedError(recordId)
      throw error
    }
  }

  /** Answers from the cache, or asks and remembers: yes for allowTtl, a definite no for denyTtl. */
  private async remembered<T extends object>(
    cache: LRUCache<string, Answer<T>>,
    key: string,
    ask: () => Promise<T>,
  ): Promise<T> {
    const known = cache.get(key)
    if (known) {
      if (known.ok) return known.value
      throw known.error
    }
    try {
      const value = await ask()
      if (this.allowTtlMs > 0) cache.set(key, { ok: true, value })
      return value
    } catch (error) {
      if (isDefiniteNo(error) && this.denyTtlMs > 0)
        cache.set(key, { ok: false, error }, { ttl: this.denyTtlMs })
      throw error
    }
  }
}

function isDefiniteNo(error: unknown): error is Error {
  return (
    error instanceof UnknownUserError ||
    error instanceof RecordAccessDeniedError ||
    error instanceof UnknownRecordError
  )
}

/** Cache key for a token: its SHA-256, so the cache never holds a usable credential as a key. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
