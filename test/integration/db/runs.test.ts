import { Prisma } from '../../../src/db/generated/client.js'
import { insertOutcome } from '../../../src/db/outcomes.js'
import {
  findRunById,
  findRunByName,
  insertRun,
  InvalidCursorError,
  isUniqueViolation,
  listRuns,
  maxSeq,
  runsHoldingFiles,
  withRecordLock,
  type NewRun,
} from '../../../src/db/runs.js'
import {
  DATABASE_BOOT_TIMEOUT,
  createTestDatabase,
  withPgClient,
  type TestDatabase,
} from '../../helpers/database.js'

function newRun(recordId: string, seq: number, overrides: Partial<NewRun> = {}): NewRun {
  return {
    recordId,
    workflowType: 'gaussian',
    seq,
    name: `gaussian-${recordId}-${seq}`,
    createdBy: 'user-7',
    parameters: { method: 'b3lyp' },
    files: [{ key: 'water.log', mimetype: 'application/octet-stream', size: 1234, checksum: 'md5:w1' }],
    ...overrides,
  }
}

describe('runs repository', () => {
  let testDb: TestDatabase
  let prisma: TestDatabase['db']['prisma']

  beforeAll(async () => {
    testDb = await createTestDatabase()
    prisma = testDb.db.prisma
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
  })

  async function rowCounts(recordId: string) {
    return withPgClient(testDb.url, async (client) => {
      const files = await client.query('SELECT count(*)::int AS n FROM compchem_file WHERE record_id = $1', [
        recordId,
      ])
      const runs = await client.query(
        'SELECT count(*)::int AS n FROM compchem_workflow WHERE record_id = $1',
        [recordId],
      )
      const links = await client.query(
        `SELECT count(*)::int AS n FROM compchem_workflow_file l
           JOIN compchem_workflow w ON w.id = l.workflow_id WHERE w.record_id = $1`,
        [recordId],
      )
      return { files: files.rows[0].n, runs: runs.rows[0].n, links: links.rows[0].n }
    })
  }

  test('insertRun stores the run, its files and links, and returns string ids and files in order', async () => {
    const run = await insertRun(
      prisma,
      newRun('r-insert', 1, {
        templateDigest: 'sha256:abc',
        files: [
          { key: 'b.xyz', mimetype: 'chemical/x-xyz', size: 5, checksum: 'md5:b' },
          { key: 'a.xyz', mimetype: 'chemical/x-xyz', checksum: 'md5:a' },
        ],
      }),
    )
    expect(run).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      recordId: 'r-insert',
      workflowType: 'gaussian',
      seq: 1,
      name: 'gaussian-r-insert-1',
      createdBy: 'user-7',
      parameters: { method: 'b3lyp' },
      templateDigest: 'sha256:abc',
      resubmittedFrom: null,
      outcomes: [],
    })
    expect(run.files.map((file) => [file.fileKey, file.size, file.checksum])).toEqual([
      ['b.xyz', 5, 'md5:b'],
      ['a.xyz', null, 'md5:a'],
    ])
    expect(run.files[0]!.id).toMatch(/^\d+$/)
    expect(await findRunByName(prisma, 'gaussian-r-insert-1')).toEqual(run)
    expect(await findRunById(prisma, run.id)).toEqual(run)
    expect(await findRunByName(prisma, 'no-such-run')).toBeNull()
  })

  test('a file already known (same key and checksum) is reused; a new checksum is a new row', async () => {
    const first = await insertRun(prisma, newRun('r-reuse', 1))
    const again = await insertRun(prisma, newRun('r-reuse', 2, { resubmittedFrom: first.id }))
    const changed = await insertRun(
      prisma,
      newRun('r-reuse', 3, { files: [{ key: 'water.log', mimetype: 'text/plain', checksum: 'md5:w2' }] }),
    )
    expect(again.files[0]!.id).toBe(first.files[0]!.id)
    expect(again.resubmittedFrom).toBe(first.id)
    expect(changed.files[0]!.id).not.toBe(first.files[0]!.id)
    expect(await rowCounts('r-reuse')).toEqual({ files: 2, runs: 3, links: 3 })
  })

  test('the same file listed twice is linked once', async () => {
    const file = { key: 'twice.log', mimetype: 'text/plain', checksum: 'md5:t' }
    const run = await insertRun(prisma, newRun('r-twice', 1, { files: [file, { ...file }] }))
    expect(run.files).toHaveLength(1)
  })

  test('a failure in the middle leaves nothing: files inserted before the failing run row roll back', async () => {
    await insertRun(prisma, newRun('r-atomic', 1))
    const clash = newRun('r-atomic', 1, {
      name: 'another-name',
      files: [{ key: 'new.log', mimetype: 'text/plain', checksum: 'md5:new' }],
    })
    const error = await insertRun(prisma, clash).catch((caught: unknown) => caught)
    expect(isUniqueViolation(error)).toBe(true)
    expect(await rowCounts('r-atomic')).toEqual({ files: 1, runs: 1, links: 1 })
  })

  test("inside the caller's transaction, the caller's later failure undoes the whole run", async () => {
    await expect(
      withRecordLock(prisma, 'r-tx', async (tx) => {
        await insertRun(tx, newRun('r-tx', 1))
        expect(await maxSeq(tx, 'r-tx')).toBe(1)
        throw new Error('Kubernetes said no')
      }),
    ).rejects.toThrow('Kubernetes said no')
    expect(await rowCounts('r-tx')).toEqual({ files: 0, runs: 0, links: 0 })
  })

  test('a resubmittedFrom that does not exist is refused and leaves nothing', async () => {
    const error = await insertRun(prisma, newRun('r-ref', 1, { resubmittedFrom: '987654321' })).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError)
    expect(await rowCounts('r-ref')).toEqual({ files: 0, runs: 0, links: 0 })
  })

  test('maxSeq counts across all types of a record and is 0 for an unknown record', async () => {
    await insertRun(prisma, newRun('r-seq', 1))
    await insertRun(prisma, newRun('r-seq', 2, { workflowType: 'orca', name: 'orca-r-seq-2' }))
    expect(await maxSeq(prisma, 'r-seq')).toBe(2)
    expect(await maxSeq(prisma, 'r-unknown')).toBe(0)
  })

  test('a duplicate name is a unique violation', async () => {
    await insertRun(prisma, newRun('r-name', 1))
    const error = await insertRun(prisma, newRun('r-name-other', 1, { name: 'gaussian-r-name-1' })).catch(
      (caught: unknown) => caught,
    )
    expect(isUniqueViolation(error)).toBe(true)
    expect(isUniqueViolation(new Error('x'))).toBe(false)
  })

  describe('listRuns', () => {
    beforeAll(async () => {
      for (let seq = 1; seq <= 5; seq++) {
        const type = seq % 2 ? 'gaussian' : 'orca'
        await insertRun(
          prisma,
          newRun('r-list', seq, {
            workflowType: type,
            name: `${type}-r-list-${seq}`,
            files: [{ key: seq <= 3 ? 'early.log' : 'late.log', mimetype: 'text/plain', checksum: 'md5:x' }],
          }),
        )
      }
    }, DATABASE_BOOT_TIMEOUT)

    test('pages newest first with an opaque cursor', async () => {
      const first = await listRuns(prisma, 'r-list', { limit: 2 })
      expect(first.runs.map((run) => run.seq)).toEqual([5, 4])
      expect(first.nextCursor).toEqual(expect.any(String))
      const second = await listRuns(prisma, 'r-list', { limit: 2, cursor: first.nextCursor! })
      expect(second.runs.map((run) => run.seq)).toEqual([3, 2])
      const third = await listRuns(prisma, 'r-list', { limit: 2, cursor: second.nextCursor! })
      expect(third.runs.map((run) => run.seq)).toEqual([1])
      expect(third.nextCursor).toBeNull()
    })

    test('filters by type and by file key', async () => {
      const gaussian = await listRuns(prisma, 'r-list', { limit: 10, type: 'gaussian' })
      expect(gaussian.runs.map((run) => run.seq)).toEqual([5, 3, 1])
      const late = await listRuns(prisma, 'r-list', { limit: 10, file: 'late.log' })
      expect(late.runs.map((run) => run.seq)).toEqual([5, 4])
      const both = await listRuns(prisma, 'r-list', { limit: 10, file: 'early.log', type: 'orca' })
      expect(both.runs.map((run) => run.seq)).toEqual([2])
    })

    test('refuses a cursor it did not make and a bad limit', async () => {
      await expect(listRuns(prisma, 'r-list', { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      )
      const forged = Buffer.from(JSON.stringify({ before: -1 })).toString('base64url')
      await expect(listRuns(prisma, 'r-list', { limit: 2, cursor: forged })).rejects.toBeInstanceOf(
        InvalidCursorError,
      )
      await expect(listRuns(prisma, 'r-list', { limit: 0 })).rejects.toBeInstanceOf(RangeError)
    })
  })

  test('runsHoldingFiles returns runs on those files that have no outcome yet', async () => {
    const ended = await insertRun(
      prisma,
      newRun('r-busy', 1, { files: [{ key: 'a', mimetype: 'x', checksum: 'c' }] }),
    )
    await insertOutcome(prisma, { workflowId: ended.id, attempt: 1, phase: 'Failed' })
    const open = await insertRun(
      prisma,
      newRun('r-busy', 2, {
        files: [
          { key: 'a', mimetype: 'x', checksum: 'c' },
          { key: 'b', mimetype: 'x', checksum: 'c' },
        ],
      }),
    )
    await insertRun(prisma, newRun('r-busy', 3, { files: [{ key: 'c', mimetype: 'x', checksum: 'c' }] }))

    const holding = await runsHoldingFiles(prisma, 'r-busy', ['a', 'z'])
    expect(holding.map((run) => run.name)).toEqual([open.name])
    expect(holding[0]!.files.map((file) => file.fileKey)).toEqual(['a', 'b'])
    expect(await runsHoldingFiles(prisma, 'r-busy', ['z'])).toEqual([])
    expect(await runsHoldingFiles(prisma, 'r-other', ['a'])).toEqual([])
    expect(await runsHoldingFiles(prisma, 'r-busy', [])).toEqual([])
  })
})
