import {
  createInvenioClient,
  NoAccessError,
  NotFoundError,
  RefusedError,
  SERVICE_CREDENTIALS,
  UnavailableError,
  type InvenioClient,
} from '../../../src/invenio/index.js'
import { collectingLogger, draftShape, json, startTestServer, type TestServer } from './test-server.js'

const USER_TOKEN = 'user-token-0123456789abcdef'
const SERVICE_TOKEN = 'service-token-fedcba9876543210'

let server: TestServer
let client: InvenioClient
const log = collectingLogger()

beforeAll(async () => {
  server = await startTestServer()
  client = createInvenioClient({
    baseUrl: server.url,
    recordUrlTemplate: '{base}/api/experiments/{id}/draft',
    userCheckPath: '/api/me',
    serviceToken: SERVICE_TOKEN,
    timeoutMs: 1500,
    logger: log.logger,
  })
})
afterAll(() => server.close())

describe('credentials', () => {
  beforeAll(() => {
    server.on('GET', '/api/experiments/ab12c-3de45/draft', (_req, res) =>
      json(res, 200, draftShape(server.url)),
    )
  })

  test('a user token is sent as a Bearer token and the draft comes back', async () => {
    const draft = await client.getDraft('ab12c-3de45', USER_TOKEN)
    expect(draft.id).toBe('ab12c-3de45')
    expect(draft.links.files).toBe(`${server.url}/api/experiments/ab12c-3de45/draft/files`)
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${USER_TOKEN}`)
  })

  test('anonymous (null or empty) sends no Authorization; SERVICE_CREDENTIALS sends the service token', async () => {
    await client.getDraft('ab12c-3de45', null)
    expect(server.seen.at(-1)!.headers.authorization).toBeUndefined()
    await client.getDraft('ab12c-3de45', '')
    expect(server.seen.at(-1)!.headers.authorization).toBeUndefined()
    await client.getDraft('ab12c-3de45', SERVICE_CREDENTIALS)
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${SERVICE_TOKEN}`)
  })

  test('without a configured service token, SERVICE_CREDENTIALS is anonymous', async () => {
    const noService = createInvenioClient({
      baseUrl: server.url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      userCheckPath: '/api/me',
      timeoutMs: 1500,
      logger: log.logger,
    })
    await noService.getDraft('ab12c-3de45', SERVICE_CREDENTIALS)
    expect(server.seen.at(-1)!.headers.authorization).toBeUndefined()
  })

  test('record ids are percent-encoded into the pattern; dot segments are unknown records', async () => {
    await expect(client.getDraft('a/b c', USER_TOKEN)).rejects.toBeInstanceOf(NotFoundError)
    expect(server.seen.at(-1)!.rawPath).toBe('/api/experiments/a%2Fb%20c/draft')
    const before = server.seen.length
    await expect(client.getDraft('..', USER_TOKEN)).rejects.toBeInstanceOf(NotFoundError)
    await expect(client.getDraft('', USER_TOKEN)).rejects.toBeInstanceOf(NotFoundError)
    expect(server.seen.length).toBe(before)
  })
})

describe('status mapping', () => {
  const cases: [string, number, Record<string, string>, new (...args: never[]) => Error, number][] = [
    ['forbidden', 403, {}, NoAccessError, 403],
    ['unauthorized', 401, {}, NoAccessError, 403],
    ['missing', 404, {}, NotFoundError, 404],
    ['gone', 410, {}, NotFoundError, 404],
    ['broken', 500, {}, UnavailableError, 503],
    ['overloaded', 503, { 'retry-after': '17' }, UnavailableError, 503],
    ['throttled', 429, {}, UnavailableError, 503],
    ['bad-request', 400, {}, RefusedError, 502],
    ['conflict', 409, {}, RefusedError, 502],
  ]
  beforeAll(() => {
    for (const [id, status, headers] of cases) {
      server.on('GET', `/api/experiments/${id}/draft`, (_req, res) =>
        json(res, status, { status, message: status === 403 ? 'Permission denied.' : 'nope' }, headers),
      )
    }
  })

  test.each(cases)(
    '%s (%i) becomes the right error',
    async (id, status, _headers, errorClass, httpStatus) => {
      const error = await client.getDraft(id, USER_TOKEN).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(errorClass)
      expect(error).toMatchObject({ httpStatus, upstreamStatus: status })
    },
  )

  test("Invenio's message is kept and Retry-After is passed on", async () => {
    const denied = await client.getDraft('forbidden', USER_TOKEN).catch((e: unknown) => e)
    expect((denied as Error).message).toContain('Permission denied.')
    const unavailable = (await client
      .getDraft('overloaded', USER_TOKEN)
      .catch((e: unknown) => e)) as UnavailableError
    expect(unavailable.retryAfterSeconds).toBe(17)
    const broken = (await client.getDraft('broken', USER_TOKEN).catch((e: unknown) => e)) as UnavailableError
    expect(broken.retryAfterSeconds).toBeGreaterThan(0)
  })

  test('a 200 that is not a record is refused, not trusted', async () => {
    server.on('GET', '/api/experiments/html/draft', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>login</html>')
    })
    server.on('GET', '/api/experiments/shapeless/draft', (_req, res) => json(res, 200, { hits: [] }))
    await expect(client.getDraft('html', USER_TOKEN)).rejects.toBeInstanceOf(RefusedError)
    await expect(client.getDraft('shapeless', USER_TOKEN)).rejects.toBeInstanceOf(RefusedError)
  })

  test('no answer within the timeout is Unavailable', async () => {
    server.on('GET', '/api/experiments/slow/draft', () => undefined) // never answers
    const error = await client.getDraft('slow', USER_TOKEN).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect((error as Error).message).toContain('timed out')
  })

  test('a body that stalls after the headers is Unavailable too', async () => {
    server.on('GET', '/api/experiments/stall/draft', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"id": "stall",')
    })
    await expect(client.getDraft('stall', USER_TOKEN)).rejects.toBeInstanceOf(UnavailableError)
  })

  test('connection refused is Unavailable', async () => {
    const gone = await startTestServer()
    const url = gone.url
    await gone.close()
    const unreachable = createInvenioClient({
      baseUrl: url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      userCheckPath: '/api/me',
      timeoutMs: 1000,
      logger: log.logger,
    })
    const error = await unreachable.getDraft('ab12c-3de45', USER_TOKEN).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnavailableError)
    expect(error).toMatchObject({ httpStatus: 503, upstreamStatus: undefined })
  })
})

describe('published records', () => {
  beforeAll(() => {
    server.on('GET', '/api/experiments/pub01-00001', (_req, res) =>
      json(res, 200, { ...draftShape(server.url, 'pub01-00001'), is_draft: false, is_published: true }),
    )
    server.on('GET', '/api/elsewhere/pub01-00001', (_req, res) =>
      json(res, 200, { ...draftShape(server.url, 'pub01-00001'), is_draft: false, is_published: true }),
    )
  })

  test('without a draft the published template (pattern minus /draft) is used', async () => {
    const record = await client.getPublishedRecord('pub01-00001', USER_TOKEN)
    expect(record.is_published).toBe(true)
    expect(server.seen.at(-1)!.rawPath).toBe('/api/experiments/pub01-00001')
  })

  test('with a draft its links.record is followed', async () => {
    const draft = { ...draftShape(server.url, 'pub01-00001') }
    draft.links = { ...draft.links, record: `${server.url}/api/elsewhere/pub01-00001` }
    await client.getPublishedRecord('pub01-00001', USER_TOKEN, draft)
    expect(server.seen.at(-1)!.rawPath).toBe('/api/elsewhere/pub01-00001')
  })

  test('resolveRecord gives the draft when readable, else the published record', async () => {
    server.on('GET', '/api/experiments/ab12c-3de45/draft', (_req, res) =>
      json(res, 200, draftShape(server.url)),
    )
    expect((await client.resolveRecord('ab12c-3de45', USER_TOKEN)).kind).toBe('draft')
    const published = await client.resolveRecord('pub01-00001', USER_TOKEN)
    expect(published.kind).toBe('published')
    await expect(client.resolveRecord('nothing-here', USER_TOKEN)).rejects.toBeInstanceOf(NotFoundError)
    // 'forbidden' has a draft this user may not read and no published version: still 403.
    await expect(client.resolveRecord('forbidden', USER_TOKEN)).rejects.toBeInstanceOf(NoAccessError)
  })

  test('a configured published template is honoured', async () => {
    const custom = createInvenioClient({
      baseUrl: server.url,
      recordUrlTemplate: '{base}/api/experiments/{id}/draft',
      publishedRecordUrlTemplate: '{base}/api/elsewhere/{id}',
      userCheckPath: '/api/me',
      timeoutMs: 1500,
      logger: log.logger,
    })
    await custom.getPublishedRecord('pub01-00001', USER_TOKEN)
    expect(server.seen.at(-1)!.rawPath).toBe('/api/elsewhere/pub01-00001')
  })
})

describe('checkUser', () => {
  test('200 means a logged-in user, with the id when the endpoint reports one', async () => {
    server.on('GET', '/api/me', (req, res) =>
      req.headers.authorization === `Bearer ${USER_TOKEN}`
        ? json(res, 200, { id: 12, username: 'alice' })
        : json(res, 403, { status: 403, message: 'Permission denied.' }),
    )
    await expect(client.checkUser(USER_TOKEN)).resolves.toEqual({ id: '12', username: 'alice' })
    await expect(client.checkUser('bad-token')).rejects.toBeInstanceOf(NoAccessError)
    await expect(client.checkUser(null)).rejects.toBeInstanceOf(NoAccessError)
  })
})

describe('configuration and logs', () => {
  test('patterns must contain {id} and stay on the Invenio origin', () => {
    const base = { baseUrl: server.url, userCheckPath: '/api/me', timeoutMs: 1500, logger: log.logger }
    expect(() => createInvenioClient({ ...base, recordUrlTemplate: '{base}/api/experiments/draft' })).toThrow(
      TypeError,
    )
    expect(() =>
      createInvenioClient({ ...base, recordUrlTemplate: 'https://elsewhere.example/{id}' }),
    ).toThrow(RefusedError)
    expect(() =>
      createInvenioClient({
        ...base,
        recordUrlTemplate: '{base}/r/{id}',
        userCheckPath: 'https://evil.example/me',
      }),
    ).toThrow(RefusedError)
  })

  test('no token ever reaches the logs', () => {
    expect(log.lines.length).toBeGreaterThan(0)
    const all = log.lines.join('\n')
    expect(all).not.toContain(USER_TOKEN)
    expect(all).not.toContain(SERVICE_TOKEN)
  })
})
