// Signed stream URLs: EventSource cannot send an Authorization header, so a caller that may read a
// record gets a short-lived URL whose `sig` query parameter carries record, scope, expiry and key
// id, signed with HMAC-SHA256. Keys rotate: all configured keys verify, the first one signs.
// Value: `v1.<base64url JSON {r, s, exp}>.<kid>.<HMAC over "v1.<payload>.<kid>">`.
import {
  CredentialScopeError,
  decodeJson,
  encodeJson,
  hmac,
  InvalidCredentialError,
  sameMac,
  type SigningKey,
} from './signing.js'

export const STREAM_URL_PARAM = 'sig'

/** `events` (a record's event stream) or `logs:<run name>` (one run's logs). */
export type StreamScope = 'events' | `logs:${string}`

export interface StreamGrant {
  recordId: string
  scope: StreamScope
  expiresAt: Date
}

export interface StreamUrlSignerOptions {
  /** The first signs; every one verifies. */
  keys: readonly SigningKey[]
  ttlSeconds: number
  now?: () => number
}

export function isStreamScope(scope: string): scope is StreamScope {
  return scope === 'events' || /^logs:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(scope)
}

export class StreamUrlSigner {
  constructor(private readonly options: StreamUrlSignerOptions) {
    if (!options.keys.length) throw new TypeError('a stream URL signer needs at least one key')
  }

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }

  /** The `sig` value granting `scope` of the record until the returned expiry. */
  sign(recordId: string, scope: StreamScope): { sig: string; expiresAt: Date } {
    const { kid, key } = this.options.keys[0]!
    const exp = Math.floor(this.now() / 1000) + this.options.ttlSeconds
    const signed = `v1.${encodeJson({ r: recordId, s: scope, exp })}.${kid}`
    return { sig: `${signed}.${hmac(key, signed)}`, expiresAt: new Date(exp * 1000) }
  }

  /** The grant of a genuine, unexpired signature; InvalidCredentialError otherwise. */
  verify(sig: string): StreamGrant {
    const parts = sig.split('.')
    if (parts.length !== 4 || parts[0] !== 'v1')
      throw new InvalidCredentialError('the stream URL is malformed')
    const [, payload, kid, mac] = parts as [string, string, string, string]
    const key = this.options.keys.find((candidate) => candidate.kid === kid)
    if (!key || !sameMac(hmac(key.key, `v1.${payload}.${kid}`), mac))
      throw new InvalidCredentialError('the stream URL signature is not genuine')
    const claims = decodeJson(payload) as { r?: unknown; s?: unknown; exp?: unknown } | undefined
    if (
      !claims ||
      typeof claims.r !== 'string' ||
      typeof claims.s !== 'string' ||
      !isStreamScope(claims.s) ||
      typeof claims.exp !== 'number'
    )
      throw new InvalidCredentialError('the stream URL is malformed')
    if (claims.exp * 1000 <= this.now()) throw new InvalidCredentialError('the stream URL has expired')
    return { recordId: claims.r, scope: claims.s, expiresAt: new Date(claims.exp * 1000) }
  }

  /** verify, then check the grant covers this record and scope (CredentialScopeError when not). */
  authorize(sig: string, recordId: string, scope: StreamScope): StreamGrant {
    const grant = this.verify(sig)
    if (grant.recordId !== recordId)
      throw new CredentialScopeError(`the stream URL was signed for another record`)
    if (grant.scope !== scope) throw new CredentialScopeError(`the stream URL was signed for another stream`)
    return grant
  }
}
