// The client against the response shapes in the shared Invenio reference (INVENIO_REFERENCE_DIR,
// default ../shared/invenio), served by a local server with their links moved onto its origin.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  createInvenioClient,
  isCompletedFile,
  NoAccessError,
  NotFoundError,
  RefusedError,
  type InvenioClient,
} from '../../../src/invenio/index.js'
import { collectingLogger, startTestServer, type TestServer } from './test-server.js'

const referenceDir = path.resolve(process.env.INVENIO_REFERENCE_DIR ?? '../shared/invenio')
const present = ['draft.json', 'draft-files.json', 'error-403.json', 'error-404.json'].every((name) =>
  existsSync(path.join(referenceDir, name)),
)
if (!present)
  console.log(`Invenio reference shapes not found in ${referenceDir}: reference shape tests skipped`)
const describeWithReference = present ? describe : describe.skip

const REFERENCE_ORIGIN = 'https://repo.example.org'

function reference(name: string): string {
  return readFileSync(path.join(referenceDir, name), 'utf8')
}

describeWithReference('Invenio reference shapes', () => {
  let server: TestServer
  let client: InvenioClient
  let recordId: string

  beforeAll(async () => {
    server = await startTestServer()
    const onServer = (text: string) => text.replaceAll(REFERENCE_ORIGIN, server.url)
    const draft = JSON.parse(onServer(reference('draft.json'))) as {
      id: string
      links: Record<string, string>
    }
    recordId = draft.id
    const reply =
      (status: number, body: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(body)
      }
    const draftPath = new URL(draft.links.self!).pathname
    server.on('GET', draftPath, reply(200, JSON.stringify(draft)))
    server.on(
      'GET',
      new URL(draft.links.files!).pathname,
      reply(200, onServer(reference('draft-files.json'))),
    )
    server.on('GET', '/api/experiments/forbidden-record/draft', reply(403, reference('error-403.json')))
    server.on('GET', '/api/experiments/unknown-record/draft', reply(404, reference('error-404.json')))
    // The reference draft as Invenio would send it from its own origin: links point elsewhere.
    server.on('GET', '/api/experiments/foreign-links/draft', reply(200, reference('draft.json')))
    client = createInvenioClient({
      baseUrl: server.url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      userCheckPath: '/api/me',
      timeoutMs: 5000,
      logger: collectingLogger().logger,
    })
  })
  afterAll(() => server.close())

  test('the draft is read and its file listing followed; pending files are not usable', async () => {
    const draft = await client.getDraft(recordId, 'token')
    expect(draft.id).toBe(recordId)
    const files = await client.listDraftFiles(draft, 'token')
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      expect(typeof file.key).toBe('string')
      expect(file.links.content).toBeDefined()
      if (isCompletedFile(file)) expect(file.checksum).not.toBeNull()
      else expect(file.size).toBeNull()
    }
    expect(files.some((file) => !isCompletedFile(file))).toBe(true)
    const slashed = files.find((file) => file.key.includes('/'))
    if (slashed) expect(slashed.links.content).toContain(encodeURIComponent(slashed.key))
  })

  test('the 403 and 404 bodies map to NoAccess and NotFound', async () => {
    const denied = await client.getDraft('forbidden-record', null).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(NoAccessError)
    expect((denied as Error).message).toContain(JSON.parse(reference('error-403.json')).message)
    await expect(client.getDraft('unknown-record', 'token')).rejects.toBeInstanceOf(NotFoundError)
  })

  test("links on the reference's own origin are refused by a client configured for another", async () => {
    const draft = await client.getDraft('foreign-links', 'token')
    await expect(client.listDraftFiles(draft, 'token')).rejects.toBeInstanceOf(RefusedError)
  })
})
