// Periodic work that must run on one replica at a time (sync sweep, notification outbox) is elected
// with a PostgreSQL session advisory lock held on a dedicated connection: whoever holds it leads,
// and a replica that dies or loses its connection loses the lock with it.
import pg from 'pg'
import type { Logger } from 'pino'
import type { Database } from './database.js'

/** First key of the two-key advisory lock space for elected periodic work (see RECORD_LOCK_CLASS). */
export const LEADER_LOCK_CLASS = 0x43430003
/** Second keys within LEADER_LOCK_CLASS. */
export const LEADER_LOCKS = { notificationOutbox: 1 } as const

export interface LeaderLockOptions {
  db: Pick<Database, 'url' | 'embedded'>
  /** The two int4 keys of the advisory lock. */
  key: readonly [number, number]
  /** What the lock elects, for the log. */
  role: string
  logger: Logger
}

export class LeaderLock {
  private client: pg.Client | undefined

  constructor(private readonly options: LeaderLockOptions) {}

  /** True while this replica holds the lock. */
  isLeader(): boolean {
    return this.client !== undefined
  }

  /** Holds the lock (already or now) or answers false; never throws. */
  async acquire(): Promise<boolean> {
    // The embedded PGlite serves one replica over one connection: it is the leader by definition.
    if (this.options.db.embedded) return true
    if (this.client) return true
    const client = new pg.Client({ connectionString: this.options.db.url })
    client.on('error', () => void this.release())
    try {
      await client.connect()
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::int4, $2::int4) AS locked',
        [...this.options.key],
      )
      if (rows[0]?.locked) {
        this.client = client
        this.options.logger.info(`this replica now runs the ${this.options.role}`)
        return true
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, `${this.options.role} could not try the leader lock`)
    }
    await client.end().catch(() => undefined)
    return false
  }

  /** Gives the lock up (closing its connection releases it). */
  async release(): Promise<void> {
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }
}
