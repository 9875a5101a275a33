// The database itself refuses to rewrite history: UPDATE and TRUNCATE always, DELETE outside purge.
import { isWriteOnceViolation } from '../../../src/db/errors.js'
import { insertOutcome } from '../../../src/db/outcomes.js'
import { purgeRecord } from '../../../src/db/purge.js'
import { insertRun } from '../../../src/db/runs.js'
import {
  DATABASE_BOOT_TIMEOUT,
  createTestDatabase,
  withPgClient,
  type TestDatabase,
} from '../../helpers/database.js'

const TABLES = ['compchem_file', 'compchem_workflow', 'compchem_workflow_file', 'compchem_workflow_outcome']
// A column each table has, for an UPDATE that would otherwise be valid.
const UPDATABLE: Record<string, string> = {
  compchem_file: 'mimetype',
  compchem_workflow: 'created_by',
  compchem_workflow_file: 'position',
  compchem_workflow_outcome: 'phase',
}

describe('write-once tables', () => {
  let testDb: TestDatabase
  let runId: string

  beforeAll(async () => {
    testDb = await createTestDatabase()
    runId = (await seedRecord(testDb, 'rec-1')).id
    await seedRecord(testDb, 'rec-2')
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
  })

  async function seedRecord(database: TestDatabase, recordId: string) {
    const run = await insertRun(database.db.prisma, {
      recordId,
      workflowType: 'gaussian',
      seq: 1,
      name: `gaussian-${recordId}-1`,
      createdBy: 'user-1',
      files: [{ key: 'a.log', mimetype: 'application/octet-stream', size: 10, checksum: 'md5:a' }],
    })
    await insertOutcome(database.db.prisma, { workflowId: run.id, attempt: 1, phase: 'Succeeded' })
    return run
  }

  async function counts(): Promise<Record<string, number>> {
    return withPgClient(testDb.url, async (client) => {
      const result: Record<string, number> = {}
      for (const table of TABLES) {
        result[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
      }
      return result
    })
  }

  describe.each(TABLES)('%s', (table) => {
    test('UPDATE is refused with the write-once error', async () => {
      const column = UPDATABLE[table]!
      await withPgClient(testDb.url, async (client) => {
        await expect(client.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toMatchObject({
          code: 'CCW01',
          message: `${table} is write-once: UPDATE refused`,
        })
      })
    })

    test('DELETE is refused with the write-once error, also inside a plain transaction', async () => {
      await withPgClient(testDb.url, async (client) => {
        await expect(client.query(`DELETE FROM ${table}`)).rejects.toThrow(
          `${table} is write-once: DELETE refused`,
        )
        await client.query('BEGIN')
        await expect(client.query(`DELETE FROM ${table}`)).rejects.toThrow('is write-once: DELETE refused')
        await client.query('ROLLBACK')
      })
    })

    test('TRUNCATE is refused with the write-once error (plain and CASCADE)', async () => {
      await withPgClient(testDb.url, async (client) => {
        await expect(client.query(`TRUNCATE ${table}`)).rejects.toThrow(
          `${table} is write-once: TRUNCATE refused`,
        )
        await expect(client.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(
          'is write-once: TRUNCATE refused',
        )
      })
    })
  })

  test('nothing was changed by the refused statements', async () => {
    expect(await counts()).toEqual({
      compchem_file: 2,
      compchem_workflow: 2,
      compchem_workflow_file: 2,
      compchem_workflow_outcome: 2,
    })
  })

  test('an update through Prisma is refused and recognised by isWriteOnceViolation', async () => {
    const error = await testDb.db.prisma.compchemWorkflow
      .update({ where: { id: BigInt(runId) }, data: { createdBy: 'someone-else' } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(error).toBeDefined()
    expect(isWriteOnceViolation(error)).toBe(true)
    expect(String((error as Error).message)).toContain('compchem_workflow is write-once: UPDATE refused')
  })

  test('a permission set for the session, or a guessed value, does not open DELETE', async () => {
    await withPgClient(testDb.url, async (client) => {
      await client.query("SELECT set_config('compchem.purge', 'on', false)")
      await expect(client.query('DELETE FROM compchem_workflow_outcome')).rejects.toThrow('write-once')
      await client.query('BEGIN')
      await client.query("SET LOCAL compchem.purge = 'on'")
      await expect(client.query('DELETE FROM compchem_workflow_outcome')).rejects.toThrow('write-once')
      await client.query('ROLLBACK')
      await client.query('RESET compchem.purge')
    })
  })

  test('purgeRecord deletes one record and nothing else; afterwards DELETE is refused again', async () => {
    expect(await purgeRecord(testDb.db.prisma, 'rec-1')).toEqual({ outcomes: 1, links: 1, runs: 1, files: 1 })
    expect(await counts()).toEqual({
      compchem_file: 1,
      compchem_workflow: 1,
      compchem_workflow_file: 1,
      compchem_workflow_outcome: 1,
    })
    await withPgClient(testDb.url, async (client) => {
      await expect(client.query('DELETE FROM compchem_file')).rejects.toThrow('compchem_file is write-once')
    })
    expect(await purgeRecord(testDb.db.prisma, 'rec-1')).toEqual({ outcomes: 0, links: 0, runs: 0, files: 0 })
  })

  test('inside a purge, a row something still refers to cannot be deleted first', async () => {
    await withPgClient(testDb.url, async (client) => {
      await client.query('BEGIN')
      await client.query("SELECT set_config('compchem.purge', pg_current_xact_id()::text, true)")
      await expect(client.query("DELETE FROM compchem_file WHERE record_id = 'rec-2'")).rejects.toMatchObject(
        {
          code: '23503',
        },
      )
      await client.query('ROLLBACK')
    })
    expect((await counts()).compchem_file).toBe(1)
  })

  test('references are checked on insert', async () => {
    await withPgClient(testDb.url, async (client) => {
      await expect(
        client.query(
          'INSERT INTO compchem_workflow_file (workflow_id, file_id, position) VALUES (999999, 999999, 0)',
        ),
      ).rejects.toMatchObject({ code: '23503' })
      await expect(
        client.query(
          "INSERT INTO compchem_workflow_outcome (workflow_id, attempt, phase) VALUES (999999, 1, 'Failed')",
        ),
      ).rejects.toMatchObject({ code: '23503' })
    })
  })

  test('seq must be positive', async () => {
    await withPgClient(testDb.url, async (client) => {
      await expect(
        client.query(
          `INSERT INTO compchem_workflow (record_id, workflow_type, seq, name, created_by)
           VALUES ('rec-3', 'gaussian', 0, 'gaussian-rec-3-0', 'u')`,
        ),
      ).rejects.toMatchObject({ code: '23514' })
    })
  })
})
