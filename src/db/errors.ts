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
