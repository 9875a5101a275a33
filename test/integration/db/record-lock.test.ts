// withRecordLock must serialise callers for the same record across connections (replicas). On PGlite
// everything is one session, so only the ordering check runs; the blocking proofs need PostgreSQL.
import { withRecordLock } from '../../../src/db/runs.js'
import {
  createTestDatabase,
  DATABASE_BOOT_TIMEOUT,
  usingRealPostgres,
  withPgClient,
  type TestDatabase,
} from '../../helpers/database.js'

describe('withRecordLock', () => {
  let testDb: TestDatabase

  beforeAll(async () => {
    testDb = await createTestDatabase()
  }, DATABASE_BOOT_TIMEOUT)
  afterAll(async () => {
    await testDb.close()
  })

  test('two concurrent callers on one record never overlap', async () => {
    const events: string[] = []
    const caller = (name: string) =>
      withRecordLock(testDb.db.prisma, 'rec-serial', async (tx) => {
        events.push(`${name} in`)
        // Gives the other caller time to get in, were it not held back (pg_sleep returns void).
        await tx.$executeRaw`SELECT pg_sleep(0.1)`
        events.push(`${name} out`)
        return name
      })
    expect(await Promise.all([caller('A'), caller('B')])).toEqual(['A', 'B'])
    expect([
      ['A in', 'A out', 'B in', 'B out'],
      ['B in', 'B out', 'A in', 'A out'],
    ]).toContainEqual(events)
  })

  test('the lock is released when the transaction fails', async () => {
    await expect(
      withRecordLock(testDb.db.prisma, 'rec-fail', async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await withRecordLock(testDb.db.prisma, 'rec-fail', async () => 'again')).toBe('again')
  })

  const onPostgres = usingRealPostgres() ? describe : describe.skip
  if (!usingRealPostgres())
    console.log('withRecordLock blocking tests skipped: they need DATABASE_URL (real PostgreSQL)')

  onPostgres('on real PostgreSQL', () => {
    // Resolves once some session waits for an advisory lock that is not granted.
    async function waitUntilSomeoneWaitsForTheLock(): Promise<void> {
      await withPgClient(testDb.url, async (client) => {
        for (;;) {
          const waiting = await client.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          )
          if (waiting.rowCount) return
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })
    }

    test('the second caller waits until the first has committed', async () => {
      const events: string[] = []
      let releaseFirst!: () => void
      const firstMayLeave = new Promise<void>((resolve) => (releaseFirst = resolve))
      let firstEntered!: () => void
      const firstIsIn = new Promise<void>((resolve) => (firstEntered = resolve))

      const first = withRecordLock(testDb.db.prisma, 'rec-block', async () => {
        events.push('first in')
        firstEntered()
        await firstMayLeave
        events.push('first out')
      })
      await firstIsIn
      const second = withRecordLock(testDb.db.prisma, 'rec-block', async () => {
        events.push('second in')
      })
      await waitUntilSomeoneWaitsForTheLock()
      expect(events).toEqual(['first in'])
      releaseFirst()
      await Promise.all([first, second])
      expect(events).toEqual(['first in', 'first out', 'second in'])
    })

    test('callers on different records do not wait for each other', async () => {
      let releaseFirst!: () => void
      const firstMayLeave = new Promise<void>((resolve) => (releaseFirst = resolve))
      let firstEntered!: () => void
      const firstIsIn = new Promise<void>((resolve) => (firstEntered = resolve))
      const first = withRecordLock(testDb.db.prisma, 'rec-one', async () => {
        firstEntered()
        await firstMayLeave
      })
      await firstIsIn
      expect(await withRecordLock(testDb.db.prisma, 'rec-two', async () => 'not blocked')).toBe('not blocked')
      releaseFirst()
      await first
    })
  })
})
