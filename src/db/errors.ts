// Recognising the database's write-once refusal (SQLSTATE CCW01, raised by the migration's triggers).

export const WRITE_ONCE_SQLSTATE = 'CCW01'

/** True when the error (from pg or from Prisma) is a write-once trigger refusing a change. */
export function isWriteOnceViolation(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as {
      code?: unknown
      message?: unknown
      meta?: { code?: unknown }
      cause?: unknown
    }
    if (candidate.code === WRITE_ONCE_SQLSTATE || candidate.meta?.code === WRITE_ONCE_SQLSTATE) return true
    if (typeof candidate.message === 'string' && / is write-once: /.test(candidate.message)) return true
    current = candidate.cause
  }
  return false
}

// Prisma's codes for a server it cannot reach or that went away, the driver adapter's kinds for the
// same, and the PostgreSQL classes 08 (connection exception) and 57P (shutdown, starting up).
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024'])
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|Server has closed the connection|Connection terminated|ECONNREFUSED|ECONNRESET|database system is (starting up|shutting down|in recovery mode)/

/**
 * True when the error says the database is unreachable or restarting (not that the query was
 * wrong): callers answer 503 with Retry-After, as for any outside system that is down.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error]
  for (let seen = 0; pending.length && seen < 12; seen++) {
    const candidate = pending.shift() as {
      code?: unknown
      originalCode?: unknown
      kind?: unknown
      message?: unknown
      meta?: unknown
      cause?: unknown
      driverAdapterError?: unknown
    } | null
    if (!candidate || typeof candidate !== 'object') continue
    const codes = [candidate.code, candidate.originalCode].filter((code) => typeof code === 'string')
    if (
      codes.some((code) => UNAVAILABLE_PRISMA_CODES.has(code) || /^(08|57P)/.test(code) || code === '53300')
    )
      return true
    if (typeof candidate.kind === 'string' && UNAVAILABLE_KINDS.has(candidate.kind)) return true
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGE.test(candidate.message)) return true
    pending.push(candidate.meta, candidate.cause, candidate.driverAdapterError)
  }
  return false
}
