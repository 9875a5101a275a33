// The queue: limits in total and per record, waiting requests drained in order as runs end, a file
// deleted before its run starts, and a missed event recovered by sync. Runs here last (a slow
// sandbox clock) until the test terminates them.
import request from 'supertest'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'
import {
  committed,
  deleteFile,
  eventually,
  isEnded,
  postEvent,
  queueIdle,
  runsOf,
  startAutomaticStack,
  type AutomaticStack,
} from './automatic-stack.js'

let stack: AutomaticStack
const xyz = (atom: string) => `1\n${atom}\n${atom} 0.0 0.0 0.0\n`

beforeAll(async () => {
  stack = await startAutomaticStack({
    cluster: { speed: 1, stepSeconds: 3600 },
    env: { AUTOMATIC_MAX_RUNNING: '2', AUTOMATIC_MAX_RUNNING_PER_RECORD: '1' },
  })
}, DATABASE_BOOT_TIMEOUT)
afterAll(async () => {
  await stack?.close()
})

async function upload(recordId: string, key: string, content: string) {
  await stack.invenio.uploadFile(recordId, 'alice', key, content)
}

async function terminate(name: string) {
  await stack.service.context.argo.patchWorkflowSpec(name, { shutdown: 'Terminate' })
  await eventually(() => isEnded(stack, name))
}

const filesOf = async (recordId: string) =>
  (await runsOf(stack, recordId)).map((run) => run.name.replace(/-\d+$/, '')).length

test('over the limits requests wait in order, visible in the file view, and start as runs end', async () => {
  const record = stack.emptyRecordId
  for (const key of ['a.xyz', 'b.xyz', 'c.xyz']) {
    await upload(record, key, xyz(key[0]!.toUpperCase()))
    expect((await postEvent(stack, committed(stack, record, key))).body.status).toBe('queued')
  }
  await upload(stack.recordId, 'd.xyz', xyz('D'))
  await postEvent(stack, committed(stack, stack.recordId, 'd.xyz'))
  await queueIdle(stack)

  // Per record 1: only a.xyz runs on its record; the other record still gets its slot (total 2).
  const first = await runsOf(stack, record)
  expect(first).toHaveLength(1)
  expect(await filesOf(stack.recordId)).toBe(1)
  const view = await request(stack.service.app)
    .get(`/api/v1/records/${record}/files`)
    .set('Authorization', `Bearer ${stack.tokens.alice}`)
  const queued = Object.fromEntries(
    (view.body.files as Array<{ key: string; queued: boolean }>).map((file) => [file.key, file.queued]),
  )
  expect(queued).toEqual({ 'a.xyz': false, 'b.xyz': true, 'c.xyz': true })

  // c.xyz is deleted before its run starts: it never starts.
  await deleteFile(stack, record, 'c.xyz')
  const deleted = await postEvent(stack, { type: 'file.deleted', recordId: record, key: 'c.xyz' })
  expect(deleted.body).toMatchObject({ status: 'cancelled', reason: 'file-deleted', cancelled: 1 })

  await terminate(first[0]!.name)
  await eventually(async () => (await runsOf(stack, record)).length === 2)
  await terminate((await runsOf(stack, record))[1]!.name)
  await queueIdle(stack)
  const keys = await stack.service.context.db.prisma.compchemWorkflowFile.findMany({
    where: { workflow: { recordId: record } },
    orderBy: { workflowId: 'asc' },
    select: { file: { select: { fileKey: true } } },
  })
  expect(keys.map((link) => link.file.fileKey)).toEqual(['a.xyz', 'b.xyz'])
}, 120_000)

test('a missed event is recovered by sync; a second sync queues nothing', async () => {
  const record = stack.emptyRecordId
  await upload(record, 'e.xyz', xyz('E')) // no event is sent
  const sync = () =>
    request(stack.service.app)
      .post(`/api/v1/records/${record}/sync`)
      .set('Authorization', `Bearer ${stack.tokens.alice}`)
  const first = await sync()
  expect(first.status).toBe(200)
  expect(first.body.queued).toEqual([expect.objectContaining({ key: 'e.xyz', type: 'xyz-structure' })])
  expect(first.body.alreadyHandled).toEqual(expect.arrayContaining(['a.xyz', 'b.xyz']))
  const second = await sync()
  expect(second.body.queued).toEqual([])
  expect(
    (
      await request(stack.service.app)
        .post(`/api/v1/records/${record}/sync`)
        .set('Authorization', `Bearer ${stack.tokens.bob}`)
    ).status,
  ).toBe(403)
  await eventually(async () => (await runsOf(stack, record)).length === 3)
}, 60_000)
