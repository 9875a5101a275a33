// The session the widget calls the service with (DESIGN.md "Security"): a short-lived token bound to
// one user and one record. Pure helpers, so they are tested without a browser.

export interface Session {
  token: string
  /** ISO date-time. */
  expiresAt: string
}

/** What a standalone page link carries in its fragment (`#session=…&expires=…&return=…`). */
export type HashSession =
  | { kind: 'session'; session: Session; returnUrl: string | null }
  | { kind: 'forbidden'; returnUrl: string | null }
  | { kind: 'none' }

/** Only web links may become the "open in Invenio again" link (never `javascript:` and the like). */
export function safeReturnUrl(value: string | null | undefined): string | null {
  if (!value) return null
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null
  } catch {
    return null
  }
}

export function parseSessionHash(hash: string): HashSession {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)
  const returnUrl = safeReturnUrl(params.get('return'))
  if (params.get('error') === 'forbidden') return { kind: 'forbidden', returnUrl }
  const token = params.get('session')
  const expires = params.get('expires')
  if (!token || !expires || Number.isNaN(Date.parse(expires))) return { kind: 'none' }
  return { kind: 'session', session: { token, expiresAt: new Date(expires).toISOString() }, returnUrl }
}

/** A session is worth sending while it has a few seconds left (clocks drift, requests take time). */
export function isUsable(session: Session | null | undefined, now: number, marginMs = 5_000): boolean {
  if (!session || !session.token) return false
  const expires = Date.parse(session.expiresAt)
  return !Number.isNaN(expires) && expires - marginMs > now
}

/**
 * When to ask for a new session: about a minute before expiry; for sessions shorter than two
 * minutes, half way through, so a renewal never races the expiry.
 */
export function renewalDelayMs(session: Session, now: number, leadMs = 60_000): number {
  const remaining = Date.parse(session.expiresAt) - now
  if (Number.isNaN(remaining) || remaining <= 0) return 0
  return remaining > 2 * leadMs ? remaining - leadMs : Math.floor(remaining / 2)
}

/** A session endpoint's answer, checked: `{ token, expiresAt }`. */
export function sessionFromJson(value: unknown): Session | null {
  if (typeof value !== 'object' || value === null) return null
  const { token, expiresAt } = value as Record<string, unknown>
  if (typeof token !== 'string' || !token || typeof expiresAt !== 'string') return null
  if (Number.isNaN(Date.parse(expiresAt))) return null
  return { token, expiresAt }
}
