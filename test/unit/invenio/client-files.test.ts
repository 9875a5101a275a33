import {
  createInvenioClient,
  isCompletedFile,
  isGeneratedFile,
  NotFoundError,
  RefusedError,
  SERVICE_CREDENTIALS,
  type InvenioClient,
  type InvenioFileEntry,
  type InvenioRecord,
} from '../../../src/invenio/index.js'
import {
  collectingLogger,
  draftShape,
  fileEntryShape,
  json,
  startTestServer,
  type TestServer,
} from './test-server.js'

const TOKEN = 'user-token-abc'
const SERVICE_TOKEN = 'service-token-xyz'
const CONTENT = Buffer.from('0123456789'.repeat(20))
const KEYS = ['water-dimer.log', 'md/topol ö.tpr', 'with space %41.txt']

let server: TestServer
let elsewhere: TestServer
let client: InvenioClient
let draft: InvenioRecord
const log = collectingLogger()

/** Serves CONTENT for a raw content path, honouring (or ignoring) a single Range. */
function serveContent(rawPath: string, honourRange = true) {
  server.on('GET', rawPath, (req, res) => {
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (!honourRange || !match) {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(CONTENT.length),
      })
      return void res.end(CONTENT)
    }
    const start = Number(match[1])
    const end = Math.min(match[2] ? Number(match[2]) : CONTENT.length - 1, CONTENT.length - 1)
    if (start >= CONTENT.length) {
      res.writeHead(416, { 'content-range': `bytes */${CONTENT.length}` })
      return void res.end()
    }
    res.writeHead(206, {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${start}-${end}/${CONTENT.length}`,
      'accept-ranges': 'bytes',
      etag: '"v1"',
    })
    res.end(CONTENT.subarray(start, end + 1))
  })
}

beforeAll(async () => {
  server = await startTestServer()
  elsewhere = await startTestServer()
  client = createInvenioClient({
    baseUrl: server.url,
    recordUrlTemplate: '{base}/api/experiments/{id}/draft',
    userCheckPath: '/api/me',
    serviceToken: SERVICE_TOKEN,
    timeoutMs: 5000,
    logger: log.logger,
    redirectOrigins: [elsewhere.url],
  })
  // The listing lives under a prefix the client could not guess: it must follow links.files.
  const filesUrl = `${server.url}/api/nrp-model/ab12c-3de45/draft/files`
  const shape = draftShape(server.url)
  shape.links.files = filesUrl
  server.on('GET', '/api/experiments/ab12c-3de45/draft', (_req, res) => json(res, 200, shape))
  server.on('GET', '/api/nrp-model/ab12c-3de45/draft/files', (_req, res) =>
    json(res, 200, {
      enabled: true,
      entries: [
        ...KEYS.map((key) => fileEntryShape(filesUrl, key)),
        fileEntryShape(filesUrl, 'notes.txt', { status: 'pending', checksum: null, size: null }),
      ],
      links: { self: filesUrl },
    }),
  )
  for (const key of KEYS)
    serveContent(`/api/nrp-model/ab12c-3de45/draft/files/${encodeURIComponent(key)}/content`)
  draft = await client.getDraft('ab12c-3de45', TOKEN)
})
afterAll(async () => {
  await server.close()
  await elsewhere.close()
})

function entry(overrides: Partial<InvenioFileEntry>): InvenioFileEntry {
  return {
    key: 'x',
    status: 'completed',
    checksum: null,
    size: null,
    mimetype: null,
    links: {},
    metadata: null,
    ...overrides,
  }
}

describe('listDraftFiles', () => {
  test('follows links.files and returns every entry with its status', async () => {
    const files = await client.listDraftFiles(draft, TOKEN)
    expect(server.seen.at(-1)!.rawPath).toBe('/api/nrp-model/ab12c-3de45/draft/files')
    expect(files.map((f) => f.key)).toEqual([...KEYS, 'notes.txt'])
    expect(files.filter(isCompletedFile).map((f) => f.key)).toEqual(KEYS)
    expect(files[3]).toMatchObject({ status: 'pending', checksum: null, size: null })
    expect(files[0]).toEqual({
      key: 'water-dimer.log',
      status: 'completed',
      checksum: 'md5:00000000000000000000000000000000',
      size: 10,
      mimetype: 'application/octet-stream',
      links: expect.objectContaining({ content: expect.stringContaining('/water-dimer.log/content') }),
      metadata: null,
    })
  })
})

describe('readFileHead', () => {
  test('uses the encoded content link as given and a Range request', async () => {
    const [, topol, spaced] = await client.listDraftFiles(draft, TOKEN)
    const head = await client.readFileHead(topol!, TOKEN, 16)
    expect(Buffer.from(head).toString()).toBe(CONTENT.subarray(0, 16).toString())
    const request = server.seen.at(-1)!
    expect(request.rawPath).toBe('/api/nrp-model/ab12c-3de45/draft/files/md%2Ftopol%20%C3%B6.tpr/content')
    expect(request.headers.range).toBe('bytes=0-15')
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
    await client.readFileHead(spaced!, TOKEN, 4)
    expect(server.seen.at(-1)!.rawPath).toBe(
      '/api/nrp-model/ab12c-3de45/draft/files/with%20space%20%2541.txt/content',
    )
  })

  test('a server that ignores Range answers 200 and the head is truncated', async () => {
    serveContent('/whole/content', false)
    const head = await client.readFileHead(
      entry({ links: { content: `${server.url}/whole/content` } }),
      TOKEN,
      25,
    )
    expect(head.byteLength).toBe(25)
    expect(Buffer.from(head).equals(CONTENT.subarray(0, 25))).toBe(true)
  })

  test('the default head is 64 KiB, and a shorter file is returned whole', async () => {
    const [first] = await client.listDraftFiles(draft, TOKEN)
    const head = await client.readFileHead(first!, TOKEN)
    expect(server.seen.at(-1)!.headers.range).toBe('bytes=0-65535')
    expect(head.byteLength).toBe(CONTENT.length)
  })

  test('416 (an empty file) gives an empty head; 404 is NotFound', async () => {
    server.on('GET', '/empty/content', (_req, res) => {
      res.writeHead(416, { 'content-range': 'bytes */0' })
      res.end()
    })
    expect(
      (await client.readFileHead(entry({ links: { content: `${server.url}/empty/content` } }), TOKEN))
        .byteLength,
    ).toBe(0)
    await expect(
      client.readFileHead(entry({ links: { content: `${server.url}/missing/content` } }), TOKEN),
    ).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('streamFileContent', () => {
  test('passes a Range through and returns status, headers and the body stream', async () => {
    const [first] = await client.listDraftFiles(draft, TOKEN)
    const result = await client.streamFileContent(first!, SERVICE_CREDENTIALS, 'bytes=10-19')
    expect(result.status).toBe(206)
    expect(result.headers).toMatchObject({ contentRange: `bytes 10-19/${CONTENT.length}`, etag: '"v1"' })
    expect(Buffer.from(await new Response(result.body).arrayBuffer()).toString()).toBe('0123456789')
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${SERVICE_TOKEN}`)
  })

  test('without or with an invalid Range the whole file comes back', async () => {
    const [first] = await client.listDraftFiles(draft, TOKEN)
    for (const range of [undefined, 'bytes=abc', 'lines=1-2']) {
      const result = await client.streamFileContent(first!, TOKEN, range)
      expect(result.status).toBe(200)
      expect(server.seen.at(-1)!.headers.range).toBeUndefined()
      expect((await new Response(result.body).arrayBuffer()).byteLength).toBe(CONTENT.length)
    }
  })

  test('an unsatisfiable range is reported as 416', async () => {
    const [first] = await client.listDraftFiles(draft, TOKEN)
    const result = await client.streamFileContent(first!, TOKEN, 'bytes=9999-')
    expect(result.status).toBe(416)
    await result.body.cancel()
  })
})

describe('links to another origin are refused (no SSRF)', () => {
  test('a files link elsewhere is never requested', async () => {
    const evil = { ...draft, links: { ...draft.links, files: `${elsewhere.url}/steal` } }
    await expect(client.listDraftFiles(evil, TOKEN)).rejects.toBeInstanceOf(RefusedError)
    const metadataService = {
      ...draft,
      links: { ...draft.links, files: 'http://169.254.169.254/latest/meta-data' },
    }
    await expect(client.listDraftFiles(metadataService, TOKEN)).rejects.toBeInstanceOf(RefusedError)
    expect(elsewhere.seen).toHaveLength(0)
  })

  test('content, record and upload links elsewhere are refused too', async () => {
    const far = entry({ links: { content: `${elsewhere.url}/x`, commit: `${elsewhere.url}/c` } })
    await expect(client.readFileHead(far, TOKEN)).rejects.toBeInstanceOf(RefusedError)
    await expect(client.streamFileContent(far, TOKEN)).rejects.toBeInstanceOf(RefusedError)
    const evilRecord = {
      ...draft,
      links: { ...draft.links, record: `${elsewhere.url}/r`, files: `${elsewhere.url}/f` },
    }
    await expect(client.getPublishedRecord('ab12c-3de45', TOKEN, evilRecord)).rejects.toBeInstanceOf(
      RefusedError,
    )
    await expect(client.uploadResultFile(evilRecord, 'a.txt', 'x', TOKEN)).rejects.toBeInstanceOf(
      RefusedError,
    )
    expect(elsewhere.seen).toHaveLength(0)
  })

  test('a missing link is refused rather than guessed', async () => {
    await expect(client.readFileHead(entry({ links: {} }), TOKEN)).rejects.toBeInstanceOf(RefusedError)
  })

  test('redirects: same origin followed; listed storage origin followed without credentials; others refused', async () => {
    server.on('GET', '/moved/content', (_req, res) => {
      res.writeHead(302, { location: '/whole/content' })
      res.end()
    })
    server.on('GET', '/to-storage/content', (_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/bucket/object?X-Signature=secret-signature` })
      res.end()
    })
    elsewhere.on('GET', '/bucket/object', (_req, res) => {
      res.writeHead(200)
      res.end(CONTENT)
    })
    const moved = await client.readFileHead(
      entry({ links: { content: `${server.url}/moved/content` } }),
      TOKEN,
      5,
    )
    expect(moved.byteLength).toBe(5)
    const stored = await client.readFileHead(
      entry({ links: { content: `${server.url}/to-storage/content` } }),
      TOKEN,
      5,
    )
    expect(Buffer.from(stored).toString()).toBe('01234')
    expect(elsewhere.seen.at(-1)!.headers.authorization).toBeUndefined()
    expect(log.lines.join('\n')).not.toContain('secret-signature')

    const strict = createInvenioClient({
      baseUrl: server.url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      userCheckPath: '/api/me',
      timeoutMs: 5000,
      logger: log.logger,
    })
    const before = elsewhere.seen.length
    await expect(
      strict.readFileHead(entry({ links: { content: `${server.url}/to-storage/content` } }), TOKEN),
    ).rejects.toBeInstanceOf(RefusedError)
    expect(elsewhere.seen.length).toBe(before)
  })
})

describe('uploadResultFile', () => {
  const filesPath = '/api/nrp-model/ab12c-3de45/draft/files'
  const stored = new Map<string, { metadata: unknown; content?: Buffer; committed: boolean }>()

  beforeAll(() => {
    const filesUrl = `${server.url}${filesPath}`
    server.on('POST', filesPath, (_req, res, body) => {
      const requested = JSON.parse(body.toString()) as { key: string; metadata: unknown }[]
      for (const { key, metadata } of requested) {
        stored.set(key, { metadata, committed: false })
        const path = `${filesPath}/${encodeURIComponent(key)}`
        server.on('PUT', `${path}/content`, (_q, r, content) => {
          stored.get(key)!.content = content
          json(r, 200, fileEntryShape(filesUrl, key, { status: 'pending', metadata }))
        })
        server.on('POST', `${path}/commit`, (_q, r) => {
          const file = stored.get(key)!
          file.committed = true
          json(r, 200, fileEntryShape(filesUrl, key, { size: file.content?.length, metadata }))
        })
      }
      json(res, 201, {
        entries: requested.map(({ key, metadata }) =>
          fileEntryShape(filesUrl, key, { status: 'pending', metadata }),
        ),
      })
    })
  })

  test('init, upload and commit, marked as generated by the service', async () => {
    const key = 'results/énergie 1.json'
    const committed = await client.uploadResultFile(draft, key, '{"energy": -152.1}', SERVICE_CREDENTIALS)
    expect(committed).toMatchObject({ key, status: 'completed', size: 18 })
    expect(isGeneratedFile(committed)).toBe(true)
    const file = stored.get(key)!
    expect(file).toMatchObject({ metadata: { 'compchem:generated': true }, committed: true })
    expect(file.content!.toString()).toBe('{"energy": -152.1}')
    const calls = server.seen.slice(-3)
    expect(calls.map((c) => `${c.method} ${c.rawPath}`)).toEqual([
      `POST ${filesPath}`,
      `PUT ${filesPath}/results%2F%C3%A9nergie%201.json/content`,
      `POST ${filesPath}/results%2F%C3%A9nergie%201.json/commit`,
    ])
    expect(calls.every((c) => c.headers.authorization === `Bearer ${SERVICE_TOKEN}`)).toBe(true)
    expect(calls[1]!.headers['content-type']).toBe('application/octet-stream')
  })

  test('content can be streamed', async () => {
    const chunks = [Buffer.from('part one, '), Buffer.from('part two')]
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk))
        controller.close()
      },
    })
    await client.uploadResultFile(draft, 'streamed.txt', stream, SERVICE_CREDENTIALS, { contentLength: 18 })
    expect(stored.get('streamed.txt')!.content!.toString()).toBe('part one, part two')
  })
})
