// Retention on a real PostgreSQL after real runs: `npx fileprocessor purge --record <id>` removes every
// row of that record — runs, files, links, outcomes, actions, run tokens, notifications and their
// deliveries — and nothing of another record; outside the purge the database still refuses a DELETE.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import request from 'supertest'
import { withPgClient } from '../helpers/database.js'
import {
  addXyzRecord,
  describeOnPostgres,
  expectNothingLost,
  startFaultStack,
  startOne,
  type FaultStack,
} from './helpers.js'

const run = promisify(execFile)

/** Rows per table that belong to the record (through its runs where the table has no record id). */
const COUNTS = `
  SELECT (SELECT count(*) FROM compchem_workflow WHERE record_id = $1)::int AS runs,
         (SELECT count(*) FROM compchem_file WHERE record_id = $1)::int AS files,
         (SELECT count(*) FROM compchem_workflow_file l JOIN compchem_workflow w ON w.id = l.workflow_id
           WHERE w.record_id = $1)::int AS links,
         (SELECT count(*) FROM compchem_workflow_outcome o JOIN compchem_workflow w ON w.id = o.workflow_id
           WHERE w.record_id = $1)::int AS outcomes,
         (SELECT count(*) FROM compchem_workflow_action a JOIN compchem_workflow w ON w.id = a.workflow_id
           WHERE w.record_id = $1)::int AS actions,
         (SELECT count(*) FROM compchem_run_token t JOIN compchem_workflow w ON w.id = t.workflow_id
           WHERE w.record_id = $1)::int AS tokens,
         (SELECT count(*) FROM compchem_notification n JOIN compchem_workflow w ON w.id = n.workflow_id
           WHERE w.record_id = $1)::int AS notifications,
         (SELECT count(*) FROM compchem_notification_delivery d
           WHERE d.notification_id IN (SELECT n.id FROM compchem_notification n
             JOIN compchem_workflow w ON w.id = n.workflow_id WHERE w.record_id = $1))::int AS deliveries`

describeOnPostgres('retention: purge a record after real runs', () => {
  let stack: FaultStack

  beforeAll(async () => {
    stack = await startFaultStack({ cluster: { speed: 20, stepSeconds: 20 } })
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('npx fileprocessor purge --record removes all of that record and nothing else', async () => {
    const records = [addXyzRecord(stack, 3, 'kept'), addXyzRecord(stack, 3, 'purged')]
    for (const record of records) {
      const started = await Promise.all(
        record.keys.map((key) => startOne(stack.service, stack.tokens.alice, record.id, key)),
      )
      expect(started.map((response) => response.status)).toEqual([201, 201, 201])
      const stop = await request(stack.service.app)
        .post(`/api/v1/workflows/${started[0]!.body.name}/stop`)
        .set('Authorization', `Bearer ${stack.tokens.alice}`)
        .send({})
      expect(stop.status).toBe(202)
    }
    await expectNothingLost(stack)
    const counts = (recordId: string) =>
      withPgClient(stack.db.url, async (client) => (await client.query(COUNTS, [recordId])).rows[0])
    const [kept, purged] = records.map((record) => record.id) as [string, string]
    const before = await counts(kept)
    expect(before).toMatchObject({ runs: 3, files: 3, links: 3, outcomes: 3, notifications: 3 })
    expect(before.actions).toBeGreaterThan(0)
    expect(before.tokens).toBeGreaterThan(0)
    expect(before.deliveries).toBeGreaterThan(0)
    expect(await counts(purged)).toEqual(before)

    // Outside a purge transaction the database refuses, whoever asks.
    await expect(
      withPgClient(stack.db.url, (client) =>
        client.query('DELETE FROM compchem_workflow WHERE record_id = $1', [purged]),
      ),
    ).rejects.toThrow(/write-once/)

    const { stdout } = await run('npx', ['fileprocessor', 'purge', '--record', purged], {
      env: { ...process.env, DATABASE_URL: stack.db.url },
      timeout: 120_000,
    })
    expect(stdout).toMatch(new RegExp(`record ${purged}: deleted 3 runs, 3 files, 3 links, 3 outcomes`))
    expect(Object.values(await counts(purged)).every((count) => count === 0)).toBe(true)
    expect(await counts(kept)).toEqual(before)
  })
})
