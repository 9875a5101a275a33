// The Invenio client against the sandbox's fake NRP Invenio over real HTTP: permissions, link
// following, heads, streaming, write-back and failure modes, with no mock in between.
import {
  createInvenioClient,
  isCompletedFile,
  isGeneratedFile,
  NoAccessError,
  NotFoundError,
  SERVICE_CREDENTIALS,
  UnavailableError,
  type InvenioClient,
} from '../../../src/invenio/index.js'
import { startFakeInvenio, type FakeInvenio, type RecordInfo } from '../../../src/sandbox/invenio/index.js'

const SERVICE_TOKEN = 'fake-service-token-for-tests'
const LOG_TEXT = ' Entering Gaussian System, Link 0=g16\n'.repeat(200)

describe('Invenio client against the fake Invenio', () => {
  let invenio: FakeInvenio
  let client: InvenioClient
  let alice: string
  let bob: string
  let record: RecordInfo
  let publishedOnly: RecordInfo
  const logLines: string[] = []

  beforeAll(async () => {
    invenio = await startFakeInvenio({ serviceToken: SERVICE_TOKEN, modelPrefix: 'experiments' })
    alice = invenio.addUser({ name: 'alice' }).token
    bob = invenio.addUser({ name: 'bob' }).token
    record = invenio.addRecord({
      owner: 'alice',
      files: [
        { key: 'water-dimer.log', content: LOG_TEXT },
        { key: 'md/topol ö.tpr', content: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) },
        { key: 'notes.txt', content: 'later', status: 'pending' },
      ],
    })
    publishedOnly = invenio.addRecord({ owner: 'alice', draft: false, published: true, files: [] })
    const log = (obj: object, msg?: string) => void logLines.push(JSON.stringify({ ...obj, msg }))
    client = createInvenioClient({
      baseUrl: invenio.url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      userCheckPath: '/api/me',
      serviceToken: SERVICE_TOKEN,
      timeoutMs: 2000,
      logger: { debug: log, warn: log },
    })
  })
  afterAll(() => invenio.close())
  afterEach(() => invenio.setFailure(null))

  test('the owner reads the draft and its files; another user and anonymous get 403', async () => {
    const draft = await client.getDraft(record.id, alice)
    expect(draft.id).toBe(record.id)
    const files = await client.listDraftFiles(draft, alice)
    expect(files.map((f) => [f.key, isCompletedFile(f)])).toEqual([
      ['water-dimer.log', true],
      ['md/topol ö.tpr', true],
      ['notes.txt', false],
    ])
    await expect(client.getDraft(record.id, bob)).rejects.toBeInstanceOf(NoAccessError)
    await expect(client.getDraft(record.id, null)).rejects.toBeInstanceOf(NoAccessError)
    await expect(client.getDraft(record.id, 'not-a-real-token')).rejects.toBeInstanceOf(NoAccessError)
    await expect(client.getDraft('zzzzz-00000', alice)).rejects.toBeInstanceOf(NotFoundError)
  })

  test('heads and streams go through the encoded content links', async () => {
    const draft = await client.getDraft(record.id, alice)
    const [log, tpr] = await client.listDraftFiles(draft, alice)
    const head = await client.readFileHead(log!, alice, 64)
    expect(Buffer.from(head).toString()).toBe(LOG_TEXT.slice(0, 64))
    expect(invenio.requests.at(-1)!.path).toContain('/draft/files/water-dimer.log/content')

    const streamed = await client.streamFileContent(tpr!, SERVICE_CREDENTIALS, 'bytes=2-5')
    expect(streamed.status).toBe(206)
    expect([...new Uint8Array(await new Response(streamed.body).arrayBuffer())]).toEqual([3, 4, 5, 6])
    expect(invenio.requests.at(-1)).toMatchObject({ user: 'service' })
    expect(invenio.requests.at(-1)!.path).toMatch(/md%2Ftopol%20%C3%B6\.tpr\/content$/)
  })

  test('the service writes a result back, marked as generated', async () => {
    const draft = await client.getDraft(record.id, SERVICE_CREDENTIALS)
    const committed = await client.uploadResultFile(
      draft,
      'results/summary ö.json',
      '{"ok":true}',
      SERVICE_CREDENTIALS,
    )
    expect(committed).toMatchObject({ key: 'results/summary ö.json', status: 'completed' })
    expect(isGeneratedFile(committed)).toBe(true)
    const stored = invenio.getFile(record.id, 'results/summary ö.json')!
    expect(stored.content!.toString()).toBe('{"ok":true}')
    expect(stored.metadata).toEqual({ 'compchem:generated': true })
  })

  test('checkUser knows logged-in users and refuses anonymous or bad tokens', async () => {
    await expect(client.checkUser(alice)).resolves.toMatchObject({ username: 'alice' })
    await expect(client.checkUser('bad-token')).rejects.toBeInstanceOf(NoAccessError)
    await expect(client.checkUser(null)).rejects.toBeInstanceOf(NoAccessError)
  })

  test('a record without a draft resolves to its published version', async () => {
    const resolved = await client.resolveRecord(publishedOnly.id, alice)
    expect(resolved.kind).toBe('published')
    if (resolved.kind === 'published') expect(resolved.record.id).toBe(publishedOnly.id)
    // Another user's unpublished draft stays "no access", not "unknown".
    await expect(client.resolveRecord(record.id, bob)).rejects.toBeInstanceOf(NoAccessError)
  })

  test.each(['down', 'error500', 'slow'] as const)('Invenio %s is Unavailable (503)', async (mode) => {
    invenio.setFailure(mode, { delayMs: 10_000 })
    const error = await client.getDraft(record.id, alice).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error).toMatchObject({ httpStatus: 503 })
  })

  test('no token ever appears in the client logs', () => {
    const all = logLines.join('\n')
    expect(all.length).toBeGreaterThan(0)
    for (const token of [alice, bob, SERVICE_TOKEN]) expect(all).not.toContain(token)
  })
})
