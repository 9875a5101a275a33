// POST /api/v1/events/invenio: signatures, exactly-once starts, and what is acknowledged without a run.
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

beforeAll(async () => {
  stack = await startAutomaticStack({
    env: { INVENIO_WEBHOOK_SECRETS: 'old-secret, automatic-test-webhook-secret' },
  })
}, DATABASE_BOOT_TIMEOUT)
afterAll(async () => {
  await stack?.close()
})

describe('signatures', () => {
  test('a bad signature, a stale or future timestamp and a missing header are refused with 401', async () => {
    const event = committed(stack, stack.recordId, 'water-dimer.log')
    const wrongSecret = await postEvent(stack, event, { secret: 'not-the-secret' })
    expect(wrongSecret.status).toBe(401)
    expect(wrongSecret.headers['content-type']).toMatch(/application\/problem\+json/)
    expect(wrongSecret.body.reason).toBe('mismatch')
    const now = Math.floor(Date.now() / 1000)
    expect((await postEvent(stack, event, { timestamp: now - 301 })).body.reason).toBe('stale')
    expect((await postEvent(stack, event, { timestamp: now + 301 })).body.reason).toBe('stale')
    expect((await postEvent(stack, event, { signature: 'sha256=abc' })).status).toBe(401)
    expect(await runsOf(stack, stack.recordId)).toEqual([])
  })

  test('any configured secret is accepted (rotation)', async () => {
    const answer = await postEvent(stack, committed(stack, stack.recordId, 'notes.txt'), {
      secret: 'old-secret',
    })
    expect(answer.status).toBe(202)
    expect(answer.body).toMatchObject({ status: 'ignored', reason: 'no-automatic-type' })
  })
})

describe('exactly once', () => {
  test('20 concurrent deliveries of one commit start one run; the rest are already handled', async () => {
    const event = committed(stack, stack.recordId, 'water-dimer.log')
    const answers = await Promise.all(Array.from({ length: 20 }, () => postEvent(stack, event)))
    expect(answers.map((answer) => [answer.status, answer.status === 202 ? '' : answer.text])).toEqual(
      Array(20).fill([202, '']),
    )
    const reasons = answers.map((answer) => answer.body.reason as string)
    expect(reasons.filter((reason) => reason === 'queued')).toHaveLength(1)
    expect(reasons.filter((reason) => reason === 'already-handled')).toHaveLength(19)
    await queueIdle(stack)
    const runs = await runsOf(stack, stack.recordId)
    expect(runs.map((run) => [run.workflowType, run.createdBy])).toEqual([
      ['gaussian-log', 'compchem:automatic'],
    ])
    expect(runs[0]!.templateDigest).toMatch(/^[0-9a-f]{64}$/)

    // Later deliveries, after the run exists, start nothing either.
    expect((await postEvent(stack, event)).body.reason).toBe('already-handled')
    await queueIdle(stack)
    expect(await runsOf(stack, stack.recordId)).toHaveLength(1)
    await eventually(() => isEnded(stack, runs[0]!.name))
  })

  test('a re-upload with a different checksum is a new file and runs again', async () => {
    await deleteFile(stack, stack.recordId, 'water-dimer.log')
    await stack.invenio.uploadFile(
      stack.recordId,
      'alice',
      'water-dimer.log',
      ' Entering Gaussian System, Link 0=g16\n second version\n Normal termination of Gaussian 16.\n',
    )
    const answer = await postEvent(stack, committed(stack, stack.recordId, 'water-dimer.log'))
    expect(answer.body).toMatchObject({ status: 'queued', types: ['gaussian-log'] })
    await queueIdle(stack)
    await eventually(async () => (await runsOf(stack, stack.recordId)).length === 2)
  })
})

describe('acknowledged without a run', () => {
  test('unmatched, generated, unknown-record and missing files answer 202 with the reason', async () => {
    const txt = await postEvent(stack, committed(stack, stack.recordId, 'notes.txt'))
    expect(txt.body).toMatchObject({ status: 'ignored', reason: 'no-automatic-type', queued: [] })
    const tpr = await postEvent(stack, committed(stack, stack.recordId, 'md/topol.tpr'))
    expect(tpr.body.reason).toBe('no-automatic-type') // gromacs-tpr is not automatic

    const generated = await postEvent(stack, {
      ...committed(stack, stack.recordId, 'water-dimer.log'),
      generatedByService: true,
    })
    expect(generated.body).toMatchObject({ status: 'ignored', reason: 'generated-file' })

    const unknown = await postEvent(stack, { type: 'file.committed', recordId: 'nope-00000', key: 'a.log' })
    expect(unknown.body).toMatchObject({ status: 'ignored', reason: 'unknown-record' })
    const missing = await postEvent(stack, {
      type: 'file.committed',
      recordId: stack.recordId,
      key: 'gone.log',
    })
    expect(missing.body).toMatchObject({ status: 'ignored', reason: 'file-not-in-draft' })
  })

  test('a file the service wrote back (marked in Invenio) is ignored even without the event flag', async () => {
    const draft = await stack.service.context.invenio.getDraft(
      stack.emptyRecordId,
      'automatic-test-service-token',
    )
    await stack.service.context.invenio.uploadResultFile(
      draft,
      'results/summary.log',
      ' Entering Gaussian System\n',
      'automatic-test-service-token',
    )
    const event = committed(stack, stack.emptyRecordId, 'results/summary.log')
    const answer = await postEvent(stack, { ...event, generatedByService: undefined })
    expect(answer.body).toMatchObject({ status: 'ignored', reason: 'generated-file' })
    await queueIdle(stack)
    expect(await runsOf(stack, stack.emptyRecordId)).toEqual([])
  })

  test('a malformed event is a 400 problem', async () => {
    const answer = await postEvent(stack, { type: 'file.exploded', recordId: 'x', key: 'y' } as never)
    expect(answer.status).toBe(400)
  })
})
