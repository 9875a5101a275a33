// Authentication and access decisions (DESIGN.md "Security"): the identities, their credentials and
// the per-service-instance state (access cache, signing keys, rate limits).
import { timingSafeEqual } from 'node:crypto'
import type { Settings } from '../config/index.js'
import type { InvenioClient } from '../invenio/index.js'
import { AccessChecker, type AccessCheckerOptions } from './access-checker.js'
import { TokenBucketLimiter } from './rate-limit.js'
import { isSessionToken, SessionTokens } from './sessions.js'
import { randomKey, type SigningKey } from './signing.js'
import { StreamUrlSigner } from './stream-urls.js'

export {
  AccessChecker,
  RecordAccessDeniedError,
  UnknownRecordError,
  UnknownUserError,
  tokenHash,
  type AccessCheckerOptions,
  type RecordAccess,
} from './access-checker.js'
export * from './identity.js'
export { TokenBucketLimiter, type RateDecision, type RateLimitOptions } from './rate-limit.js'
export { SessionTokens, SESSION_TOKEN_PREFIX, isSessionToken, type SessionClaims } from './sessions.js'
export { CredentialScopeError, InvalidCredentialError, type SigningKey } from './signing.js'
export {
  StreamUrlSigner,
  STREAM_URL_PARAM,
  isStreamScope,
  type StreamGrant,
  type StreamScope,
} from './stream-urls.js'

export type AuthSettings = Pick<
  Settings,
  | 'invenioServiceToken'
  | 'authCacheAllowSeconds'
  | 'authCacheDenySeconds'
  | 'sessionSigningKey'
  | 'sessionTtlSeconds'
  | 'streamUrlKeys'
  | 'streamUrlTtlSeconds'
  | 'rateLimitStartPerMinute'
  | 'rateLimitStartBurst'
  | 'rateLimitActionPerMinute'
  | 'rateLimitActionBurst'
>

/** What the auth layer needs from the service context; settings default as documented. */
export interface AuthDependencies {
  invenio: InvenioClient
  /** The service's settings (AuthSettings are read from it; any missing one takes its default). */
  settings?: object
  logger?: { warn(obj: object, msg?: string): void }
}

/** The auth state of one service instance. */
export interface AuthState {
  checker: AccessChecker
  sessions: SessionTokens
  streamUrls: StreamUrlSigner
  /** True when the token is the configured service token (constant-time). */
  isServiceToken(token: string): boolean
  limits: { start: TokenBucketLimiter; action: TokenBucketLimiter }
}

// One state (and so one cache and one set of keys) per service instance, without widening the context.
const states = new WeakMap<AuthDependencies, AuthState>()

export function authFor(deps: AuthDependencies): AuthState {
  let state = states.get(deps)
  if (!state) {
    state = createAuthState(deps)
    states.set(deps, state)
  }
  return state
}

/** The access checker of this service instance, created on first use. */
export function accessCheckerFor(
  deps: AuthDependencies,
  options: Omit<AccessCheckerOptions, 'invenio' | 'delegated'> = {},
): AccessChecker {
  let state = states.get(deps)
  if (!state) {
    state = createAuthState(deps, options)
    states.set(deps, state)
  }
  return state.checker
}

function createAuthState(
  deps: AuthDependencies,
  checkerOptions: Omit<AccessCheckerOptions, 'invenio' | 'delegated'> = {},
): AuthState {
  const settings: Partial<AuthSettings> = deps.settings ?? {}
  const serviceToken = settings.invenioServiceToken ? Buffer.from(settings.invenioServiceToken) : null
  const isServiceToken = (token: string) => {
    if (!serviceToken) return false
    const given = Buffer.from(token)
    return given.length === serviceToken.length && timingSafeEqual(given, serviceToken)
  }

  let sessionKey = settings.sessionSigningKey
  if (!sessionKey) {
    sessionKey = randomKey()
    deps.logger?.warn(
      { setting: 'SESSION_SIGNING_KEY' },
      'SESSION_SIGNING_KEY is unset: session tokens are signed with a random key of this process only',
    )
  }
  let streamKeys: readonly SigningKey[] | undefined = settings.streamUrlKeys
  if (!streamKeys?.length) {
    streamKeys = [{ kid: 'random', key: randomKey() }]
    deps.logger?.warn(
      { setting: 'STREAM_URL_KEYS' },
      'STREAM_URL_KEYS is unset: stream URLs are signed with a random key of this process only',
    )
  }
  const sessions = new SessionTokens({ key: sessionKey, ttlSeconds: settings.sessionTtlSeconds ?? 900 })
  const streamUrls = new StreamUrlSigner({
    keys: streamKeys,
    ttlSeconds: settings.streamUrlTtlSeconds ?? 300,
  })

  const delegated = (token: string): { recordId?: string } | null => {
    if (isServiceToken(token)) return {}
    try {
      if (isSessionToken(token)) return { recordId: sessions.verify(token).recordId }
      if (token.startsWith('v1.')) return { recordId: streamUrls.verify(token).recordId }
    } catch {
      // Not genuine: bind it to no record at all, so it opens nothing.
      return { recordId: '\u0000' }
    }
    return null
  }
  const checker = new AccessChecker({
    allowTtlMs: (settings.authCacheAllowSeconds ?? 30) * 1000,
    denyTtlMs: (settings.authCacheDenySeconds ?? 5) * 1000,
    ...checkerOptions,
    invenio: deps.invenio,
    delegated,
  })
  return {
    checker,
    sessions,
    streamUrls,
    isServiceToken,
    limits: {
      start: new TokenBucketLimiter({
        perMinute: settings.rateLimitStartPerMinute ?? 120,
        burst: settings.rateLimitStartBurst ?? 100,
      }),
      action: new TokenBucketLimiter({
        perMinute: settings.rateLimitActionPerMinute ?? 300,
        burst: settings.rateLimitActionBurst ?? 100,
      }),
    },
  }
}
