// Deposit-form session tokens: Invenio, having checked that its logged-in user may edit a record,
// asks for one with the service token (POST /api/v1/sessions). The browser then holds this token
// and never an Invenio token. Format: `cfs1.<base64url JSON {u, r, exp}>.<HMAC>`.
import { decodeJson, encodeJson, hmac, InvalidCredentialError, sameMac } from './signing.js'

export const SESSION_TOKEN_PREFIX = 'cfs1.'

export interface SessionClaims {
  userId: string
  recordId: string
  expiresAt: Date
}

export interface SessionTokensOptions {
  key: Buffer
  ttlSeconds: number
  now?: () => number
}

export class SessionTokens {
  constructor(private readonly options: SessionTokensOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now()
  }

  mint(userId: string, recordId: string): { token: string; expiresAt: Date } {
    const exp = Math.floor(this.now() / 1000) + this.options.ttlSeconds
    const payload = encodeJson({ u: userId, r: recordId, exp })
    const body = SESSION_TOKEN_PREFIX + payload
    return { token: `${body}.${hmac(this.options.key, body)}`, expiresAt: new Date(exp * 1000) }
  }

  /** The claims of a genuine, unexpired token; InvalidCredentialError otherwise. */
  verify(token: string): SessionClaims {
    if (!token.startsWith(SESSION_TOKEN_PREFIX)) throw new InvalidCredentialError('not a session token')
    const dot = token.lastIndexOf('.')
    const body = token.slice(0, dot)
    if (dot <= SESSION_TOKEN_PREFIX.length || !sameMac(hmac(this.options.key, body), token.slice(dot + 1)))
      throw new InvalidCredentialError('the session token is not genuine')
    const claims = decodeJson(body.slice(SESSION_TOKEN_PREFIX.length)) as
      { u?: unknown; r?: unknown; exp?: unknown } | undefined
    if (
      !claims ||
      typeof claims.u !== 'string' ||
      typeof claims.r !== 'string' ||
      typeof claims.exp !== 'number'
    )
      throw new InvalidCredentialError('the session token is malformed')
    if (claims.exp * 1000 <= this.now()) throw new InvalidCredentialError('the session token has expired')
    return { userId: claims.u, recordId: claims.r, expiresAt: new Date(claims.exp * 1000) }
  }
}

export function isSessionToken(token: string): boolean {
  return token.startsWith(SESSION_TOKEN_PREFIX)
}
