import { createHash, createHmac } from 'node:crypto'
import {
  startFakeInvenio,
  type FakeInvenio,
  type RecordInfo,
  type User,
} from '../../../../src/sandbox/invenio/index.js'
import { getJson, send, startHookReceiver, type FileLinks, type ReceivedHook } from './helpers.js'

const SECRET = 'webhook-secret-for-tests'
const SERVICE_TOKEN = 'service-token-for-tests'

/** What the service will do: recompute the HMAC over `${timestamp}.${body}` and compare. */
function verify(hook: ReceivedHook, secret: string): boolean {
  const timestamp = String(hook.headers['x-compchem-timestamp'])
  const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${hook.body}`).digest('hex')
  return hook.headers['x-compchem-signature'] === expected
}

describe('fake Invenio upload flow and webhook', () => {
  let invenio: FakeInvenio
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>
  let alice: User
  let record: RecordInfo

  beforeAll(async () => {
    receiver = await startHookReceiver()
    invenio = await startFakeInvenio({
      webhook: { url: receiver.url, secret: SECRET },
      serviceToken: SERVICE_TOKEN,
    })
    alice = invenio.addUser({ name: 'alice' })
    record = invenio.addRecord({ owner: 'alice', files: [] })
  })
  afterAll(async () => {
    await invenio.close()
    await receiver.close()
  })
  beforeEach(() => {
    receiver.received.length = 0
  })

  test('init → content → commit over HTTP, then one signed file.committed event', async () => {
    const content = Buffer.from(' Entering Gaussian System\n Normal termination\n')
    const init = await send(record.links.files, 'POST', alice.token, [{ key: 'dimer.log' }])
    expect(init.status).toBe(201)
    const entry = (init.body.entries as Array<{ key: string; status: string; links: FileLinks }>)[0]!
    expect(entry.status).toBe('pending')
    expect((await send(entry.links.content, 'PUT', alice.token, content)).body).toMatchObject({
      status: 'pending',
    })
    expect(receiver.received).toEqual([])

    const committed = await send(entry.links.commit, 'POST', alice.token)
    const checksum = 'md5:' + createHash('md5').update(content).digest('hex')
    expect(committed.body).toMatchObject({
      key: 'dimer.log',
      status: 'completed',
      checksum,
      size: content.length,
    })
    await invenio.flushWebhooks()

    expect(receiver.received).toHaveLength(1)
    const hook = receiver.received[0]!
    expect(JSON.parse(hook.body)).toEqual({
      type: 'file.committed',
      recordId: record.id,
      key: 'dimer.log',
      checksum,
      mimetype: 'application/octet-stream',
      size: content.length,
    })
    expect(hook.headers['content-type']).toBe('application/json')
    expect(Math.abs(Number(hook.headers['x-compchem-timestamp']) - Date.now() / 1000)).toBeLessThan(300)
    expect(verify(hook, SECRET)).toBe(true)
    expect(verify(hook, 'another-secret')).toBe(false)
    expect(verify({ ...hook, body: hook.body.replace('dimer', 'other') }, SECRET)).toBe(false)
  })

  test('committing twice sends the event once; deleting sends file.deleted', async () => {
    await invenio.uploadFile(record.id, 'alice', 'notes.txt', 'hello')
    const commit = `${record.links.files}/notes.txt/commit`
    expect((await send(commit, 'POST', alice.token)).status).toBe(200)
    expect((await send(`${record.links.files}/notes.txt`, 'DELETE', alice.token)).status).toBe(204)
    await invenio.flushWebhooks()
    const events = receiver.received.map((hook) => JSON.parse(hook.body) as Record<string, unknown>)
    expect(events.map((event) => [event.type, event.key, event.mimetype])).toEqual([
      ['file.committed', 'notes.txt', 'text/plain'],
      ['file.deleted', 'notes.txt', 'text/plain'],
    ])
    expect(receiver.received.every((hook) => verify(hook, SECRET))).toBe(true)
    expect((await getJson(`${record.links.files}/notes.txt`, alice.token)).status).toBe(404)
  })

  test('a result the service writes with the generated mark is flagged; a user cannot set the flag', async () => {
    const mark = { 'compchem:generated': true }
    for (const [token, key] of [
      [SERVICE_TOKEN, 'result.json'],
      [alice.token, 'sneaky.json'],
    ] as const) {
      const init = await send(record.links.files, 'POST', token, [{ key, metadata: mark }])
      const links = (init.body.entries as Array<{ key: string; links: FileLinks }>).find(
        (e) => e.key === key,
      )!.links
      await send(links.content, 'PUT', token, '{"energy": -152.4}')
      await send(links.commit, 'POST', token)
    }
    await invenio.flushWebhooks()
    const events = receiver.received.map((hook) => JSON.parse(hook.body) as Record<string, unknown>)
    expect(events.map((event) => [event.key, event.generatedByService])).toEqual([
      ['result.json', true],
      ['sneaky.json', undefined],
    ])
    expect(invenio.getFile(record.id, 'result.json')?.metadata).toEqual(mark)
    expect(invenio.getFile(record.id, 'result.json')?.content?.toString()).toBe('{"energy": -152.4}')
  })

  test('uploadFile as a user goes through the same flow and notifies', async () => {
    const file = await invenio.uploadFile(record.id, alice, 'mol/ethanol.xyz', '9\nethanol\n')
    expect(file).toMatchObject({ status: 'completed', mimetype: 'chemical/x-xyz', size: 10 })
    await invenio.flushWebhooks()
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      type: 'file.committed',
      key: 'mol/ethanol.xyz',
    })
  })

  test('refusals: duplicate key, empty or malformed init body, commit before content', async () => {
    await invenio.uploadFile(record.id, 'alice', 'dup.txt', 'x')
    expect((await send(record.links.files, 'POST', alice.token, [{ key: 'dup.txt' }])).status).toBe(400)
    expect((await send(record.links.files, 'POST', alice.token, [])).status).toBe(400)
    expect((await send(record.links.files, 'POST', alice.token, [{ name: 'x' }])).status).toBe(400)
    expect((await send(record.links.files, 'POST', alice.token, [{ key: 'early.txt' }])).status).toBe(201)
    expect((await send(`${record.links.files}/early.txt/commit`, 'POST', alice.token)).status).toBe(400)
  })

  test('a service answering 5xx gets the event again; a 4xx is not retried', async () => {
    const statuses = [503, 202]
    const flaky = await startHookReceiver(() => statuses.shift() ?? 202)
    const refusing = await startHookReceiver(() => 401)
    const first = await startFakeInvenio({ webhook: { url: flaky.url, secret: SECRET } })
    const second = await startFakeInvenio({ webhook: { url: refusing.url, secret: SECRET } })
    try {
      for (const fake of [first, second]) {
        fake.addUser({ name: 'alice' })
        const { id } = fake.addRecord({ owner: 'alice' })
        await fake.uploadFile(id, 'alice', 'a.log', 'x')
        await fake.flushWebhooks()
      }
      expect(flaky.received).toHaveLength(2)
      expect(verify(flaky.received[1]!, SECRET)).toBe(true)
      expect(first.webhookDeliveries).toMatchObject([{ status: 202, attempts: 2 }])
      expect(refusing.received).toHaveLength(1)
      expect(second.webhookDeliveries).toMatchObject([{ status: 401, attempts: 1 }])
    } finally {
      await Promise.all([first.close(), second.close(), flaky.close(), refusing.close()])
    }
  })
})
