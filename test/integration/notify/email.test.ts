// Completion emails end to end: sandbox cluster, fake Invenio, the real service and a real SMTP receiver. One email per finished run to the address
// Invenio shows the service; none, and no failure, for a user without one; SMTP or Invenio down →
// the outbox's retries deliver it once they are back; a permanent SMTP refusal is given up at once.
import { pino } from 'pino'
import { findRunByName } from '../../../src/db/index.js'
import { deliveryTries, notificationIdFor } from '../../../src/processing/notify-outbox.js'
import type { Service } from '../../../src/service.js'
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js'
import { seedSampleData, startFakeInvenio, type FakeInvenio } from '../../../src/sandbox/invenio/index.js'
import { applyWorkflowTemplates } from '../../../src/sandbox/templates.js'
import { liveOf } from '../../../src/streams/index.js'
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js'
import { createStackService, SERVICE_TOKEN } from '../../helpers/stack.js'
import { eventually, startTestRun } from '../streams/helpers.js'
import { startSmtpReceiver, type SmtpReceiver } from './helpers.js'

const PUBLIC_URL = 'https://files.example.org'
let cluster: SandboxCluster
let invenio: FakeInvenio
let smtp: SmtpReceiver
let db: TestDatabase
let service: Service
let recordId: string
/** startTestRun's runs are created by Invenio user '1'. */
const starter = { id: '1', email: '' }

beforeAll(async () => {
  cluster = await startSandboxCluster({ speed: 20, stepSeconds: 1 })
  await applyWorkflowTemplates(cluster.store, 'default')
  invenio = await startFakeInvenio({ serviceToken: SERVICE_TOKEN })
  const sample = seedSampleData(invenio)
  recordId = sample.records[0]!.id
  // The address Invenio shows the service for the starter.
  const shown = await fetch(`${invenio.url}/api/users/${starter.id}`, {
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
  })
  starter.email = ((await shown.json()) as { email: string }).email
  smtp = await startSmtpReceiver()
  db = await createTestDatabase()
  service = await createStackService({
    cluster,
    invenio,
    db,
    env: { SMTP_URL: smtp.url, NOTIFY_EMAIL_FROM: 'compchem <noreply@files.example.org>', PUBLIC_URL },
    logger: pino({ level: 'silent' }),
  })
  await service.context.informer.whenSynced()
}, 90_000)

afterAll(async () => {
  await service?.close()
  await db?.close()
  await smtp?.close()
  await invenio?.close()
  await cluster?.close()
})

const notifier = () => liveOf(service.context).notifier
const emailsFor = (id: string) =>
  smtp.messages.filter((message) => message.headers['x-compchem-notification-id'] === id)

async function finishedRun(result = 'PARTIAL'): Promise<{ name: string; id: string }> {
  const name = await startTestRun(service, recordId, {
    steps: {
      first: { seconds: 1, result: { status: 'SUCCESS', files: { 'water-dimer.log': 'SUCCESS' } } },
      second: { seconds: 1, result: { status: result, files: { 'water-dimer.log': result } } },
    },
  })
  return { name, id: notificationIdFor(name, 1) }
}

/** Waits for the notifier to have made `count` tries of the email, then for it to finish. */
async function triesOf(id: string, count = 1) {
  const tries = await eventually(async () => {
    const rows = (await deliveryTries(service.context.db.prisma, id)).filter((row) => row.channel === 'email')
    return rows.length >= count ? rows : undefined
  }, 30_000)
  return tries
}

test('a finished run sends exactly one email to the address Invenio gives for the user who started it', async () => {
  const { name, id } = await finishedRun()
  const [email] = await eventually(() => (emailsFor(id).length ? emailsFor(id) : undefined))
  await notifier().whenIdle()
  expect(await notifier().sweep(0)).toBe(0)
  expect(emailsFor(id)).toHaveLength(1)

  expect(email!.to).toEqual([starter.email])
  expect(email!.headers['message-id']).toBe(`<${id}@files.example.org>`)
  expect(email!.headers.subject).toBe(
    `[compchem] streamtest run ${name} on record ${recordId}: partly succeeded`,
  )
  expect(email!.headers.from).toBe('compchem <noreply@files.example.org>')
  expect(email!.headers['content-type']).toMatch(/^multipart\/alternative/)
  expect(email!.body).toContain(`Your streamtest run ${name} on record ${recordId} partly succeeded.`)
  expect(email!.body).toContain('water-dimer.log: partly succeeded (PARTIAL)')
  expect(email!.body).toContain(`See the run: ${PUBLIC_URL}/ui/records/${recordId}`)
  expect(email!.body).toContain(`${PUBLIC_URL}/api/v1/workflows/${name}`)
  expect(email!.body).toContain(`Notification id: ${id}`)

  // The outbox names the recipient, never the address.
  const tries = await triesOf(id)
  expect(tries.map(({ target, state }) => ({ target, state }))).toEqual([
    { target: `user:${starter.id}`, state: 'delivered' },
  ])
})

test('a user Invenio shows no address for gets no email, and nothing fails', async () => {
  invenio.showEmailsToService(false)
  const before = notifier().stats()
  try {
    const { name, id } = await finishedRun('SUCCESS')
    const tries = await triesOf(id)
    await notifier().whenIdle()
    expect(tries).toEqual([
      expect.objectContaining({ state: 'abandoned', error: expect.stringMatching(/no email address/) }),
    ])
    expect(emailsFor(id)).toHaveLength(0)
    const after = notifier().stats()
    expect(after.noRecipient).toBe(before.noRecipient + 1)
    const series = await service.context.metrics!.registry.getSingleMetricAsString(
      'fileprocessor_notification_deliveries_total',
    )
    expect(series).toMatch(/channel="email",result="no_recipient"} [1-9]/)
    expect(after.failedTries).toBe(before.failedTries)
    expect(after.abandoned).toBe(before.abandoned)
    // The outcome is kept as always, and the sweep does not come back to the email.
    expect((await findRunByName(service.context.db.prisma, name))!.outcomes).toHaveLength(1)
    expect(await notifier().sweep(0)).toBe(0)
  } finally {
    invenio.showEmailsToService(true)
  }
})

test('SMTP down: the try fails, the backoff tries again, and the email arrives once SMTP is back', async () => {
  await smtp.setMode('down')
  const before = notifier().stats()
  let id = ''
  try {
    ;({ id } = await finishedRun('FAILURE'))
    const [first] = await triesOf(id)
    expect(first).toEqual(expect.objectContaining({ try: 1, state: 'failed' }))
  } finally {
    await smtp.setMode('accept')
  }
  await eventually(() => (emailsFor(id).length ? true : undefined), 30_000)
  await notifier().whenIdle()
  expect(emailsFor(id)).toHaveLength(1)
  expect(emailsFor(id)[0]!.headers.subject).toMatch(/: failed$/)
  const tries = await deliveryTries(service.context.db.prisma, id)
  expect(tries.at(-1)).toEqual(expect.objectContaining({ state: 'delivered' }))
  expect(tries.slice(0, -1).every((row) => row.state === 'failed')).toBe(true)
  expect(notifier().stats().failedTries).toBe(before.failedTries + tries.length - 1)
}, 60_000)

test('Invenio down when the email is due: the lookup fails like a try, and the email goes once Invenio is back', async () => {
  invenio.setFailure('down')
  let id = ''
  try {
    ;({ id } = await finishedRun('SUCCESS'))
    const [first] = await triesOf(id)
    expect(first).toEqual(
      expect.objectContaining({ try: 1, state: 'failed', error: expect.stringMatching(/address/) }),
    )
  } finally {
    invenio.setFailure(null)
  }
  await eventually(() => (emailsFor(id).length ? true : undefined), 30_000)
  await notifier().whenIdle()
  expect(emailsFor(id)).toHaveLength(1)
  expect(emailsFor(id)[0]!.to).toEqual([starter.email])
}, 60_000)

test('SMTP refuses for good (5xx): given up at once, counted, not retried', async () => {
  await smtp.setMode(550)
  const before = notifier().stats()
  try {
    const { id } = await finishedRun()
    const tries = await triesOf(id)
    await notifier().whenIdle()
    expect(tries).toEqual([expect.objectContaining({ try: 1, state: 'abandoned', statusCode: 550 })])
    expect(tries[0]!.error).not.toContain(starter.email)
    expect(emailsFor(id)).toHaveLength(0)
    expect(notifier().stats().abandoned).toBe(before.abandoned + 1)
    expect(await notifier().sweep(0)).toBe(0)
  } finally {
    await smtp.setMode('accept')
  }
})
