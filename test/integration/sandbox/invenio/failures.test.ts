import { startFakeInvenio, type FakeInvenio, type RecordInfo } from '../../../../src/sandbox/invenio/index.js'
import { getJson } from './helpers.js'

describe('fake Invenio failure modes', () => {
  let invenio: FakeInvenio
  let token: string
  let record: RecordInfo

  beforeAll(async () => {
    invenio = await startFakeInvenio()
    token = invenio.addUser({ name: 'alice' }).token
    record = invenio.addRecord({ owner: 'alice', files: [{ key: 'a.log', content: 'x' }] })
  })
  afterAll(() => invenio.close())
  afterEach(() => invenio.setFailure(null))

  test('down: connections are dropped without an answer, and it recovers', async () => {
    expect((await getJson(record.links.draft, token)).status).toBe(200)
    invenio.setFailure('down')
    await expect(
      fetch(record.links.draft, { headers: { Authorization: `Bearer ${token}` } }),
    ).rejects.toThrow()
    invenio.setFailure(null)
    expect((await getJson(record.links.draft, token)).status).toBe(200)
  })

  test('error500: every request answers 500 in Invenio style', async () => {
    invenio.setFailure('error500')
    expect(await getJson(record.links.files, token)).toMatchObject({
      status: 500,
      body: { status: 500, message: 'Internal server error.' },
    })
    expect((await getJson(`${invenio.url}/api/me`, token)).status).toBe(500)
  })

  test('slow: answers are held back past a client timeout', async () => {
    invenio.setFailure('slow', { delayMs: 10_000 })
    const request = fetch(record.links.draft, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(100),
    })
    await expect(request).rejects.toThrow(/timeout|aborted/i)
  })

  test('slow with a short delay still answers correctly', async () => {
    invenio.setFailure('slow', { delayMs: 20 })
    expect((await getJson(record.links.draft, token)).status).toBe(200)
  })
})
