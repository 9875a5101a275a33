// Opens the service's database: a real PostgreSQL when a URL is given, otherwise the embedded PGlite.
// Either way the service talks to it through @prisma/adapter-pg, so the SQL is the same.
import { PrismaPg } from '@prisma/adapter-pg'
import type { Logger } from 'pino'
import { PrismaClient } from './generated/client.js'
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js'
import { migrate as applyMigrations } from './migrate.js'

export interface Database {
  prisma: PrismaClient
  /** Connection URL (may hold a password: never log it, use describeDatabaseUrl). */
  url: string
  /** True when this process runs the database itself (PGlite). */
  embedded: boolean
  /** Resolves when the database answers a query; rejects otherwise (readiness checks). */
  ping(): Promise<void>
  /** Disconnects the client and stops the embedded database; safe to call twice. */
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL. Unset: start the embedded PGlite. */
  url?: string
  /** PGlite data directory when embedded; 'memory://' or unset keeps it in memory. */
  dataDir?: string
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean
  logger?: Logger
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined
  if (opts.url === undefined) embedded = await startEmbeddedDatabase({ dataDir: opts.dataDir })
  const url = opts.url ?? embedded!.url
  const target = describeDatabaseUrl(url)
  try {
    if (opts.migrate ?? true) {
      const applied = await applyMigrations(url)
      opts.logger?.info(
        { database: target, applied },
        applied.length ? 'migrations applied' : 'database is up to date',
      )
    }
  } catch (error) {
    await embedded?.close()
    throw error
  }
  const prisma = new PrismaClient({
    adapter: new PrismaPg(
      // pglite-socket interleaves the protocol messages of concurrent connections (prepared
      // statements get mixed up), so the embedded database gets a pool of one.
      { connectionString: url, ...(embedded ? { max: 1 } : {}) },
      { onPoolError: (error) => opts.logger?.warn({ err: error, database: target }, 'database pool error') },
    ),
  })
  opts.logger?.info({ database: target, embedded: Boolean(embedded) }, 'database opened')

  let closing: Promise<void> | undefined
  return {
    prisma,
    url,
    embedded: Boolean(embedded),
    ping: async () => {
      // After close the client would quietly open a new pool; a closed database must stay closed.
      if (closing) throw new Error('database is closed')
      await prisma.$queryRaw`SELECT 1`
    },
    close: () => {
      closing ??= (async () => {
        await prisma.$disconnect()
        await embedded?.close()
      })()
      return closing
    },
  }
}

/** `host:port/database` of a connection URL, without user or password, for logs and health output. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.host) return `${parsed.host}${parsed.pathname}`
  } catch {
    // fall through: never echo what could not be parsed, it may hold a password
  }
  return '(unparsable database URL)'
}
