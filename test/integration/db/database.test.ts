import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { openDatabase } from '../../../src/db/database.js'
import { startEmbeddedDatabase } from '../../../src/db/embedded.js'
import { insertRun } from '../../../src/db/runs.js'
import { DATABASE_BOOT_TIMEOUT, withPgClient } from '../../helpers/database.js'

describe('openDatabase', () => {
  test(
    'without a URL it starts an in-memory PGlite on loopback, migrated and answering pings',
    async () => {
      const db = await openDatabase({})
      try {
        expect(db.embedded).toBe(true)
        expect(db.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
        await db.ping()
        expect(await db.prisma.compchemWorkflow.count()).toBe(0)
      } finally {
        await db.close()
      }
      await db.close() // a second close is harmless
      await expect(db.ping()).rejects.toThrow()
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'a data directory keeps rows across restarts',
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'pglite-'))
      try {
        const first = await openDatabase({ dataDir })
        await insertRun(first.prisma, {
          recordId: 'persist',
          workflowType: 'pdb',
          seq: 1,
          name: 'pdb-persist-1',
          createdBy: 'u',
          files: [{ key: 'p.pdb', mimetype: 'chemical/x-pdb', checksum: 'md5:p' }],
        })
        await first.close()
        const second = await openDatabase({ dataDir })
        try {
          expect(await second.prisma.compchemWorkflow.findMany({ select: { name: true } })).toEqual([
            { name: 'pdb-persist-1' },
          ])
        } finally {
          await second.close()
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'migrate: false leaves the database as it is',
    async () => {
      const db = await openDatabase({ migrate: false })
      try {
        const tables = await withPgClient(db.url, (client) =>
          client.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'compchem_workflow'"),
        )
        expect(tables.rowCount).toBe(0)
      } finally {
        await db.close()
      }
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'logs name the database but never the password of its URL',
    async () => {
      const server = await startEmbeddedDatabase()
      const lines: string[] = []
      const logger = pino(
        { level: 'debug' },
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk))
            done()
          },
        }),
      )
      const port = new URL(server.url).port
      const db = await openDatabase({
        url: `postgres://postgres:pa55-word@127.0.0.1:${port}/postgres`,
        logger,
      })
      try {
        expect(db.embedded).toBe(false)
        await db.ping()
        const log = lines.join('')
        expect(log).toContain(`127.0.0.1:${port}/postgres`)
        expect(log).toContain('migrations applied')
        expect(log).not.toContain('pa55-word')
      } finally {
        await db.close()
        await server.close()
      }
    },
    DATABASE_BOOT_TIMEOUT,
  )
})
