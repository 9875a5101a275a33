// Outcome history and completion notifications against the sandbox: the outcome row is written
// before the finalizer goes, so a ttlStrategy deletion never loses it; a service that was down
// catches up at start-up; two replicas send exactly one signed webhook per run.
import { createHmac } from 'node:crypto'
import { KubeConfig } from '@kubernetes/client-node'
import { pino } from 'pino'
import { OUTCOME_FINALIZER } from '../../../src/argo/index.js'
import { findRunByName, insertOutcome } from '../../../src/db/index.js'
import { notificationIdFor, pendingNotifications } from '../../../src/processing/notify-outbox.js'
import { listRecordRuns } from '../../../src/processing/status.js'
import { createService, type Service } from '../../../src/service.js'
import type { StoreEvent } from '../../../src/sandbox/types.js'
import { liveOf } from '../../../src/streams/index.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { eventually, startTestRun, startWebhookReceiver, type WebhookReceiver } from '../streams/helpers.js'

const SECRET = 'webhook-test-secret'
let receiver: WebhookReceiver
let stack: TestStack
const extra: Service[] = []

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  stack = await startTestStack({
    env: {
      NOTIFY_WEBHOOK_URLS: receiver.url,
      NOTIFY_WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: 'https://files.example.org',
    },
  })
  await stack.service.context.informer.whenSynced()
}, 90_000)

afterAll(async () => {
  for (const service of extra) await service.close()
  await stack?.close()
  await receiver?.close()
})

async function secondInstance(): Promise<Service> {
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(stack.cluster.kube.kubeconfig())
  const service = await createService({
    settings: stack.service.context.settings,
    kubeConfig,
    logger: pino({ level: 'silent' }),
  })
  extra.push(service)
  await service.context.informer.whenSynced()
  return service
}

function deliveriesFor(name: string) {
  return receiver.deliveries.filter(
    (delivery) => (JSON.parse(delivery.body) as { run: { name: string } }).run.name === name,
  )
}

test('the outcome row exists before the finalizer goes; after ttlStrategy deletes the run it lists with its outcome', async () => {
  const removals: Array<{ at: number; type: string }> = []
  let name = ''
  const unsubscribe = stack.cluster.store.subscribe((event: StoreEvent) => {
    if (event.resource !== 'workflows' || event.object.metadata.name !== name) return
    const holds = event.object.metadata.finalizers?.includes(OUTCOME_FINALIZER) ?? false
    // Freeing the last finalizer of an object being deleted is not written as such: the API server
    // deletes the object in its last stored state (finalizer still listed), as a real one does.
    if ((!holds || event.type === 'DELETED') && !removals.length)
      removals.push({ at: Date.now(), type: event.type })
  })
  try {
    name = await startTestRun(stack.service, stack.recordId, {
      ttlSecondsAfterCompletion: 0,
      steps: {
        first: { seconds: 1, result: { status: 'SUCCESS', files: { 'water-dimer.log': 'SUCCESS' } } },
        second: { seconds: 1, exitCode: 2 },
      },
    })
    await eventually(() => (stack.cluster.store.get('workflows', 'default', name) ? undefined : true))
    const run = await findRunByName(stack.service.context.db.prisma, name)
    expect(run!.outcomes).toHaveLength(1)
    const [outcome] = run!.outcomes
    expect(outcome).toEqual(expect.objectContaining({ attempt: 1, phase: 'Failed' }))
    expect(outcome!.results).toEqual(
      expect.objectContaining({
        status: 'FAILURE',
        files: { 'water-dimer.log': 'SUCCESS' },
        steps: expect.any(Array),
      }),
    )
    expect(removals).toHaveLength(1)
    expect(outcome!.createdAt.getTime()).toBeLessThanOrEqual(removals[0]!.at)

    const list = await listRecordRuns(stack.service.context, stack.recordId, { limit: 100 })
    const listed = list.items.find((item) => item.name === name)
    expect(listed).toEqual(expect.objectContaining({ phase: 'Failed', statusSource: 'outcome' }))
  } finally {
    unsubscribe()
  }
})

test('two instances on one database send exactly one signed webhook per run', async () => {
  const other = await secondInstance()
  const names = await Promise.all(
    [1, 2, 3].map(() => startTestRun(stack.service, stack.recordId, { steps: { only: { seconds: 1 } } })),
  )
  for (const name of names) await eventually(() => (deliveriesFor(name).length ? true : undefined))
  await liveOf(stack.service.context).notifier.whenIdle()
  await liveOf(other.context).notifier.whenIdle()
  for (const name of names) {
    const deliveries = deliveriesFor(name)
    expect(deliveries).toHaveLength(1)
    const { headers, body } = deliveries[0]!
    const timestamp = String(headers['x-compchem-timestamp'])
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`
    expect(headers['x-compchem-signature']).toBe(expected)
    const payload = JSON.parse(body) as {
      id: string
      type: string
      run: { attempt: number }
      links: { run: string }
    }
    expect(payload.id).toBe(notificationIdFor(name, 1))
    expect(headers['x-compchem-notification-id']).toBe(payload.id)
    expect(payload.type).toBe('run.completed')
    expect(payload.links.run).toBe(`https://files.example.org/api/v1/workflows/${name}`)
  }
  const inserted =
    liveOf(stack.service.context).recorder.stats().inserted + liveOf(other.context).recorder.stats().inserted
  expect(inserted).toBeGreaterThanOrEqual(3)
})

test('a service that was down writes the outcome and releases the finalizer at start-up', async () => {
  // Every running instance stops recording: the run ends while "the service is down".
  for (const service of [stack.service, ...extra]) await liveOf(service.context).recorder.stop()
  const name = await startTestRun(stack.service, stack.recordId, { steps: { only: { seconds: 1 } } })
  await eventually(() => {
    const workflow = stack.cluster.store.get('workflows', 'default', name) as
      { status?: { phase?: string } } | undefined
    return workflow?.status?.phase === 'Succeeded' ? true : undefined
  })
  expect(stack.cluster.store.get('workflows', 'default', name)!.metadata.finalizers).toContain(
    OUTCOME_FINALIZER,
  )
  expect((await findRunByName(stack.service.context.db.prisma, name))!.outcomes).toEqual([])

  await secondInstance()
  await eventually(async () => {
    const workflow = stack.cluster.store.get('workflows', 'default', name)
    return workflow && !workflow.metadata.finalizers?.includes(OUTCOME_FINALIZER) ? true : undefined
  })
  const run = await findRunByName(stack.service.context.db.prisma, name)
  expect(run!.outcomes).toEqual([expect.objectContaining({ attempt: 1, phase: 'Succeeded' })])
  await eventually(() => (deliveriesFor(name).length ? true : undefined))
})

test('a notification stored but never sent (a crash) is sent by the next sweep, with the same id', async () => {
  const { prisma } = stack.service.context.db
  const notifier = liveOf(stack.service.context).notifier
  const name = await startTestRun(stack.service, stack.recordId, { steps: { only: { seconds: 1 } } })
  const run = (await findRunByName(prisma, name))!
  // Play the crashed winner: outcome and outbox rows stored for a made-up attempt, nothing sent.
  const outcome = { workflowId: run.id, attempt: 7, phase: 'Succeeded', finishedAt: new Date() }
  const results = { status: 'SUCCESS' as const, progress: '1/1', files: {}, steps: [] }
  const planned = await notifier.plan(run, { ...outcome, message: null, startedAt: null }, results)
  await prisma.$transaction(async (tx) => {
    await insertOutcome(tx, outcome)
    await notifier.store(tx, planned)
  })
  expect(await pendingNotifications(prisma, new Date(Date.now() + 1000))).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: notificationIdFor(name, 7) })]),
  )
  expect(await notifier.sweep(0)).toBeGreaterThanOrEqual(1)
  await notifier.whenIdle()
  const resent = receiver.deliveries.filter(
    (delivery) => delivery.headers['x-compchem-notification-id'] === notificationIdFor(name, 7),
  )
  expect(resent).toHaveLength(1)
  expect(await pendingNotifications(prisma, new Date(Date.now() + 1000))).toEqual(
    expect.not.arrayContaining([expect.objectContaining({ id: notificationIdFor(name, 7) })]),
  )
})
