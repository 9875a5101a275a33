import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { DEFAULT_PRISMA_DIR, migrate } from '../../../src/db/migrate.js'
import {
  DATABASE_BOOT_TIMEOUT,
  createTestDatabase,
  withPgClient,
  type TestDatabase,
} from '../../helpers/database.js'

describe('migrate (wasm schema engine)', () => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrate: false })
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
  })

  test('applies every migration once; a second run applies nothing', async () => {
    const directories = (await readdir(path.join(DEFAULT_PRISMA_DIR, 'migrations'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
    const first = await migrate(testDb.url)
    expect(first).toEqual(directories)
    expect(first[0]).toMatch(/^\d{14}_init$/)
    expect(await migrate(testDb.url)).toEqual([])

    const history = await withPgClient(testDb.url, (client) =>
      client.query(
        `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at
           FROM _prisma_migrations ORDER BY migration_name`,
      ),
    )
    expect(history.rows).toEqual(
      directories.map((name) => ({ migration_name: name, finished: true, rolled_back_at: null })),
    )
  })

  test('the plpgsql trigger bodies arrived whole (not cut at their semicolons)', async () => {
    const triggers = await withPgClient(testDb.url, (client) =>
      client.query<{ table: string; trigger: string }>(
        `SELECT event_object_table AS table, trigger_name AS trigger FROM information_schema.triggers
          WHERE trigger_name LIKE '%write_once' GROUP BY 1, 2 ORDER BY 1`,
      ),
    )
    expect(triggers.rows.map((row) => row.table)).toEqual(
      expect.arrayContaining([
        'compchem_file',
        'compchem_workflow',
        'compchem_workflow_file',
        'compchem_workflow_outcome',
      ]),
    )
  })

  test('every column of the Prisma schema exists with the same nullability', async () => {
    const columns = await withPgClient(testDb.url, (client) =>
      client.query<{ table_name: string; column_name: string; is_nullable: 'YES' | 'NO' }>(
        `SELECT table_name, column_name, is_nullable FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name LIKE 'compchem_%'`,
      ),
    )
    const actual = new Set(columns.rows.map((c) => `${c.table_name}.${c.column_name}:${c.is_nullable}`))
    const expected = schemaColumns(await readFile(path.join(DEFAULT_PRISMA_DIR, 'schema.prisma'), 'utf8'))
    expect(expected.length).toBeGreaterThan(20)
    for (const column of expected) expect(actual).toContain(column)
    expect(actual.size).toBe(expected.length)
  })
})

/** `table.column:NULLABLE` for every scalar field of schema.prisma (relation fields have no column). */
function schemaColumns(schema: string): string[] {
  const models = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)]
  const modelNames = new Set(models.map((model) => model[1]))
  return models.flatMap(([, , body]) => {
    const table = /@@map\("(\w+)"\)/.exec(body!)![1]
    return body!
      .split('\n')
      .map((line) => /^\s+(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && !modelNames.has(match[2]!))
      .map(([, field, , , optional, rest]) => {
        const column = /@map\("(\w+)"\)/.exec(rest!)?.[1] ?? field
        return `${table}.${column}:${optional ? 'YES' : 'NO'}`
      })
  })
}
