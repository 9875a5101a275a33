// The notification outbox is write-once like the other tables, and a record purge takes it along.
import { insertOutcome, insertRun, isWriteOnceViolation, purgeRecord } from '../../../src/db/index.js'
import {
  insertNotifications,
  notificationIdFor,
  pendingNotifications,
  recordDeliveryTry,
} from '../../../src/processing/notify-outbox.js'
import { createTestDatabase, withPgClient, type TestDatabase } from '../../helpers/database.js'

let testDb: TestDatabase

beforeAll(async () => {
  testDb = await createTestDatabase()
})

afterAll(async () => {
  await testDb?.close()
})

async function seed(recordId: string) {
  const { prisma } = testDb.db
  const run = await insertRun(prisma, {
    recordId,
    workflowType: 't',
    seq: 1,
    name: `t-${recordId}-1`,
    createdBy: '1',
    files: [{ key: 'a.log', mimetype: 'application/octet-stream', checksum: 'md5:1' }],
  })
  await insertOutcome(prisma, { workflowId: run.id, attempt: 1, phase: 'Succeeded' })
  const id = notificationIdFor(run.name, 1)
  await insertNotifications(prisma, [
    {
      id,
      workflowId: run.id,
      attempt: 1,
      channel: 'webhook',
      target: 'http://hook.invalid/',
      payload: { id },
    },
  ])
  return { run, id }
}

test('rows cannot be changed or deleted outside a purge; a delivery needs its notification', async () => {
  const { id } = await seed('rec-a')
  await recordDeliveryTry(testDb.db.prisma, {
    id,
    channel: 'webhook',
    target: 'http://hook.invalid/',
    try: 1,
    state: 'failed',
  })
  for (const sql of [
    `UPDATE compchem_notification SET target = 'x' WHERE id = '${id}'`,
    `DELETE FROM compchem_notification WHERE id = '${id}'`,
    `UPDATE compchem_notification_delivery SET state = 'delivered' WHERE notification_id = '${id}'`,
    'TRUNCATE compchem_notification_delivery',
  ]) {
    const error = await withPgClient(testDb.url, (client) => client.query(sql)).catch(
      (caught: unknown) => caught,
    )
    expect(isWriteOnceViolation(error)).toBe(true)
  }
  await expect(
    recordDeliveryTry(testDb.db.prisma, {
      id: 'no-such',
      channel: 'webhook',
      target: 'x',
      try: 1,
      state: 'failed',
    }),
  ).rejects.toThrow()
  // Still pending: the only try failed.
  const pending = await pendingNotifications(testDb.db.prisma, new Date(Date.now() + 60_000))
  expect(pending).toEqual([expect.objectContaining({ id, tries: 1 })])
  await recordDeliveryTry(testDb.db.prisma, {
    id,
    channel: 'webhook',
    target: 'http://hook.invalid/',
    try: 2,
    state: 'delivered',
    statusCode: 204,
  })
  expect(await pendingNotifications(testDb.db.prisma, new Date(Date.now() + 60_000))).toEqual([])
})

test('purging a record removes its notifications and deliveries with its runs', async () => {
  const { id } = await seed('rec-b')
  await recordDeliveryTry(testDb.db.prisma, {
    id,
    channel: 'webhook',
    target: 'http://hook.invalid/',
    try: 1,
    state: 'delivered',
  })
  const counts = await purgeRecord(testDb.db.prisma, 'rec-b')
  expect(counts.runs).toBe(1)
  expect(await testDb.db.prisma.compchemNotification.count({ where: { id } })).toBe(0)
  expect(await testDb.db.prisma.compchemNotificationDelivery.count({ where: { notificationId: id } })).toBe(0)
})
