import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import {
  migrateCommand,
  purgeCommand,
  registerDbCommands,
  type DbCommandContext,
} from '../../../src/cli/db.js'
import { insertRun } from '../../../src/db/runs.js'
import {
  DATABASE_BOOT_TIMEOUT,
  createTestDatabase,
  withPgClient,
  type TestDatabase,
} from '../../helpers/database.js'

function capture(env: NodeJS.ProcessEnv): DbCommandContext & { lines: string[]; errors: string[] } {
  const lines: string[] = []
  const errors: string[] = []
  return { env, lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) }
}

describe('fileprocessor db migrate / purge', () => {
  let testDb: TestDatabase
  let dataDir: string

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false })
    dataDir = await mkdtemp(path.join(tmpdir(), 'cli-pglite-'))
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
    await rm(dataDir, { recursive: true, force: true })
  }, DATABASE_BOOT_TIMEOUT)

  test(
    'db migrate applies the migrations to DATABASE_URL once',
    async () => {
      const program = new Command().exitOverride()
      const first = capture({ DATABASE_URL: testDb.url })
      registerDbCommands(program, first)
      await program.parseAsync(['db', 'migrate'], { from: 'user' })
      expect(first.lines[0]).toMatch(/: applied \d{14}_init$/)
      for (const line of first.lines) expect(line).toMatch(/: applied \d{14}_\w+$/)

      const second = capture({ DATABASE_URL: testDb.url })
      expect(await migrateCommand(second)).toBe(0)
      expect(second.lines).toEqual([expect.stringMatching(/: database is up to date$/)])
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'without DATABASE_URL it migrates the embedded PGlite in PGLITE_DATA_DIR, which persists',
    async () => {
      const first = capture({ PGLITE_DATA_DIR: dataDir })
      expect(await migrateCommand(first)).toBe(0)
      expect(first.lines[0]).toMatch(new RegExp(`^embedded PGlite in ${dataDir}: applied \\d{14}_init$`))
      const second = capture({ PGLITE_DATA_DIR: dataDir })
      expect(await migrateCommand(second)).toBe(0)
      expect(second.lines).toEqual([`embedded PGlite in ${dataDir}: database is up to date`])
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'an unreachable database fails with exit code 1 and no password in the message',
    async () => {
      const context = capture({ DATABASE_URL: 'postgres://svc:s3cret-pw@127.0.0.1:1/nowhere' })
      expect(await migrateCommand(context)).toBe(1)
      expect(context.errors.join('\n')).toMatch(/^migration failed: /)
      expect(context.errors.join('\n')).not.toContain('s3cret-pw')
    },
    DATABASE_BOOT_TIMEOUT,
  )

  test(
    'purge --record deletes that record only',
    async () => {
      for (const recordId of ['keep', 'drop']) {
        await insertRun(testDb.db.prisma, {
          recordId,
          workflowType: 'xyz',
          seq: 1,
          name: `xyz-${recordId}-1`,
          createdBy: 'u',
          files: [{ key: 'm.xyz', mimetype: 'chemical/x-xyz', checksum: 'md5:m' }],
        })
      }
      const program = new Command().exitOverride()
      const context = capture({ DATABASE_URL: testDb.url })
      registerDbCommands(program, context)
      await program.parseAsync(['purge', '--record', 'drop'], { from: 'user' })
      expect(context.lines).toEqual(['record drop: deleted 1 runs, 1 files, 1 links, 0 outcomes'])
      const remaining = await withPgClient(testDb.url, (client) =>
        client.query('SELECT DISTINCT record_id FROM compchem_workflow'),
      )
      expect(remaining.rows).toEqual([{ record_id: 'keep' }])
      expect(await purgeCommand(' ', capture({ DATABASE_URL: testDb.url }))).toBe(2)
    },
    DATABASE_BOOT_TIMEOUT,
  )
})
