import { insertOutcome, latestOutcomeByFile } from '../../../src/db/outcomes.js'
import { insertRun, type NewRunFile } from '../../../src/db/runs.js'
import { DATABASE_BOOT_TIMEOUT, createTestDatabase, type TestDatabase } from '../../helpers/database.js'

describe('outcomes repository', () => {
  let testDb: TestDatabase
  let prisma: TestDatabase['db']['prisma']
  let nextSeq = 1

  beforeAll(async () => {
    testDb = await createTestDatabase()
    prisma = testDb.db.prisma
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
  })

  async function run(recordId: string, type: string, keys: string[]) {
    const seq = nextSeq++
    const files: NewRunFile[] = keys.map((key) => ({ key, mimetype: 'text/plain', checksum: `md5:${key}` }))
    return insertRun(prisma, {
      recordId,
      workflowType: type,
      seq,
      name: `${type}-${recordId}-${seq}`,
      createdBy: 'u',
      files,
    })
  }

  test('a second insert for the same attempt returns the first row unchanged and inserted=false', async () => {
    const { id } = await run('rec-o', 'gaussian', ['a.log'])
    const startedAt = new Date('2025-01-02T03:04:05.000Z')
    const first = await insertOutcome(prisma, {
      workflowId: id,
      attempt: 1,
      phase: 'Succeeded',
      startedAt,
      finishedAt: new Date('2025-01-02T03:14:05.000Z'),
      message: 'all good',
      results: { status: 'SUCCESS', files: { 'a.log': 'SUCCESS' } },
    })
    expect(first.inserted).toBe(true)
    expect(first.outcome).toMatchObject({
      workflowId: id,
      attempt: 1,
      phase: 'Succeeded',
      startedAt,
      message: 'all good',
      results: { status: 'SUCCESS', files: { 'a.log': 'SUCCESS' } },
    })

    const second = await insertOutcome(prisma, {
      workflowId: id,
      attempt: 1,
      phase: 'Failed',
      message: 'late',
    })
    expect(second).toEqual({ outcome: first.outcome, inserted: false })

    const retry = await insertOutcome(prisma, { workflowId: id, attempt: 2, phase: 'Failed' })
    expect(retry.inserted).toBe(true)
    expect(retry.outcome).toMatchObject({ attempt: 2, phase: 'Failed', message: null, results: {} })
  })

  test('concurrent inserts of the same outcome: exactly one wins, all see the same row', async () => {
    const { id } = await run('rec-race', 'gaussian', ['race.log'])
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, replica) =>
        insertOutcome(prisma, {
          workflowId: id,
          attempt: 1,
          phase: 'Succeeded',
          message: `replica ${replica}`,
        }),
      ),
    )
    expect(results.filter((result) => result.inserted)).toHaveLength(1)
    const winner = results.find((result) => result.inserted)!.outcome
    for (const result of results) expect(result.outcome).toEqual(winner)
  })

  test('an outcome for an unknown run is refused', async () => {
    await expect(
      insertOutcome(prisma, { workflowId: '999999999', attempt: 1, phase: 'Error' }),
    ).rejects.toThrow()
  })

  test('latestOutcomeByFile picks, per file, the newest ended run and its last attempt', async () => {
    const old = await run('rec-latest', 'gaussian', ['a.log', 'b.log'])
    await insertOutcome(prisma, { workflowId: old.id, attempt: 1, phase: 'Failed' })
    const newer = await run('rec-latest', 'orca', ['a.log'])
    await insertOutcome(prisma, { workflowId: newer.id, attempt: 1, phase: 'Failed' })
    await insertOutcome(prisma, { workflowId: newer.id, attempt: 2, phase: 'Succeeded' })
    await run('rec-latest', 'gaussian', ['a.log', 'c.log']) // still running: no outcome

    const latest = await latestOutcomeByFile(prisma, 'rec-latest')
    expect([...latest.keys()].sort()).toEqual(['a.log', 'b.log'])
    expect(latest.get('a.log')).toMatchObject({
      runId: newer.id,
      runName: newer.name,
      workflowType: 'orca',
      outcome: { attempt: 2, phase: 'Succeeded', workflowId: newer.id },
    })
    expect(latest.get('b.log')).toMatchObject({ runId: old.id, outcome: { phase: 'Failed' } })

    const gaussianOnly = await latestOutcomeByFile(prisma, 'rec-latest', { workflowType: 'gaussian' })
    expect(gaussianOnly.get('a.log')?.runId).toBe(old.id)
    const onlyB = await latestOutcomeByFile(prisma, 'rec-latest', { fileKeys: ['b.log', 'zzz'] })
    expect([...onlyB.keys()]).toEqual(['b.log'])
    expect((await latestOutcomeByFile(prisma, 'rec-latest', { fileKeys: [] })).size).toBe(0)
  })
})
