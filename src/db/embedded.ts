// The embedded default database: PGlite (PostgreSQL in WebAssembly) served on a loopback port, so the
// service reaches it through @prisma/adapter-pg exactly as it would reach a real server.
// PGlite is a single session: while one connection is inside a transaction, every other
// connection's queries wait for it to end (docs/adr/0001-embedded-pglite.md).
import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export const IN_MEMORY = 'memory://'

export interface EmbeddedDatabase {
  /** postgres:// URL of the loopback server (no password: PGlite accepts any). */
  url: string
  /** Stops the server, then closes PGlite (flushing a file-backed data directory). */
  close(): Promise<void>
}

export interface EmbeddedOptions {
  /** Data directory; `memory://` or undefined keeps everything in memory. */
  dataDir?: string
  /** Connections the socket server accepts at once (each pg pool holds several). */
  maxConnections?: number
}

export async function startEmbeddedDatabase(opts: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const inMemory = opts.dataDir === undefined || opts.dataDir === IN_MEMORY
  if (!inMemory) await mkdir(opts.dataDir!, { recursive: true })
  const db = inMemory ? await PGlite.create() : await PGlite.create(opts.dataDir)
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: opts.maxConnections ?? 100,
  })
  try {
    await server.start()
  } catch (error) {
    await db.close()
    throw error
  }
  // getServerConn() is "host:port" with the port the system picked.
  const url = `postgres://postgres@${server.getServerConn()}/postgres`
  let closing: Promise<void> | undefined
  return {
    url,
    close: () => {
      closing ??= server.stop().then(() => db.close())
      return closing
    },
  }
}
