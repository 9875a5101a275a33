// End to end through the fake Invenio's own signed webhook, and reuse of Succeeded runs.
import request from 'supertest'
import { sampleGaussianLog } from '../../../src/sandbox/invenio/index.js'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'
import {
  committed,
  eventually,
  isEnded,
  postEvent,
  queueIdle,
  runsOf,
  startAutomaticStack,
  type AutomaticStack,
} from './automatic-stack.js'

let stack: AutomaticStack

beforeAll(async () => {
  stack = await startAutomaticStack({ webhook: true })
}, DATABASE_BOOT_TIMEOUT)
afterAll(async () => {
  await stack?.close()
})

async function settle() {
  await stack.invenio.flushWebhooks()
  await queueIdle(stack)
}

async function resolutions() {
  return stack.service.context.db.prisma.compchemAutoResolution.findMany({ orderBy: { requestId: 'asc' } })
}

test('an uploaded .log starts exactly one run; the same event again none; a .txt none', async () => {
  const record = stack.emptyRecordId
  await stack.invenio.uploadFile(record, 'alice', 'ethanol.log', sampleGaussianLog('ethanol'))
  await settle()
  const delivery = stack.invenio.webhookDeliveries.find((entry) => entry.key === 'ethanol.log')
  expect(delivery?.status).toBe(202)
  const runs = await runsOf(stack, record)
  expect(runs.map((run) => run.workflowType)).toEqual(['gaussian-log'])
  expect((await postEvent(stack, committed(stack, record, 'ethanol.log'))).body.reason).toBe(
    'already-handled',
  )

  await stack.invenio.uploadFile(record, 'alice', 'readme.txt', 'notes\n')
  await settle()
  expect(await runsOf(stack, record)).toHaveLength(1)
  // The first record was seeded before the webhook existed: nothing runs there by itself.
  expect(await runsOf(stack, stack.recordId)).toEqual([])
  await eventually(() => isEnded(stack, runs[0]!.name))
})

test('the same content under another key reuses the Succeeded run instead of running again', async () => {
  const record = stack.emptyRecordId
  const [original] = await runsOf(stack, record)
  await eventually(async () =>
    Boolean(
      await stack.service.context.db.prisma.compchemWorkflowOutcome.findFirst({
        where: { workflow: { name: original!.name }, phase: 'Succeeded' },
      }),
    ),
  )
  await stack.invenio.uploadFile(record, 'alice', 'copy/ethanol.log', sampleGaussianLog('ethanol'))
  await settle()
  expect(await runsOf(stack, record)).toHaveLength(1)
  expect((await resolutions()).at(-1)).toMatchObject({
    outcome: 'reused',
    reason: `reused: ${original!.name}`,
  })
})

test('manual starts run again unless they ask useCache', async () => {
  const record = stack.emptyRecordId
  const [original] = await runsOf(stack, record)
  const start = (body: object) =>
    request(stack.service.app)
      .post(`/api/v1/records/${record}/workflows`)
      .set('Authorization', `Bearer ${stack.tokens.alice}`)
      .send({ type: 'gaussian-log', files: ['ethanol.log'], ...body })
  const cached = await start({ useCache: true })
  expect(cached.status).toBe(200)
  expect(cached.body).toMatchObject({ name: original!.name, reused: original!.name })
  const fresh = await start({})
  expect(fresh.status).toBe(201)
  expect(fresh.body.name).not.toBe(original!.name)
  expect(await runsOf(stack, record)).toHaveLength(2)
})
