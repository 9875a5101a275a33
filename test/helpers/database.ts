// A fresh database per caller: in-memory PGlite by default, or, when DATABASE_URL is set, a new
// database with a random name on that server (dropped again by close()), so test files can run in
// parallel on one PostgreSQL without seeing each other's rows.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Logger } from 'pino'
import { openDatabase, type Database } from '../../src/db/database.js'

export interface TestDatabase {
  db: Database
  /** URL of this test's database (embedded or on the DATABASE_URL server). */
  url: string
  /** True when running against the real PostgreSQL given by DATABASE_URL. */
  realPostgres: boolean
  close(): Promise<void>
}

export interface TestDatabaseOptions {
  /** Apply the migrations (default true); false gives an empty database for migrator tests. */
  migrate?: boolean
  logger?: Logger
}

/** Timeout for hooks and tests that create a database: booting PGlite is slow on a loaded machine. */
export const DATABASE_BOOT_TIMEOUT = 120_000

export function usingRealPostgres(): boolean {
  return Boolean(process.env.DATABASE_URL)
}

export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const db = await openDatabase({
      dataDir: 'memory://',
      migrate: opts.migrate ?? true,
      logger: opts.logger,
    })
    return { db, url: db.url, realPostgres: false, close: () => db.close() }
  }
  const name = `test_${randomBytes(8).toString('hex')}`
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`)
  const url = withDatabaseName(serverUrl, name)
  let db: Database
  try {
    db = await openDatabase({ url, migrate: opts.migrate ?? true, logger: opts.logger })
  } catch (error) {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    throw error
  }
  return {
    db,
    url,
    realPostgres: true,
    close: async () => {
      await db.close()
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    },
  }
}

/** Runs `fn` with a plain pg client on `url` (for SQL the repositories never issue, e.g. UPDATE). */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  await withPgClient(serverUrl, (client) => client.query(sql))
}
