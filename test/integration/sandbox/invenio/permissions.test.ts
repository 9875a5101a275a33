import { startFakeInvenio, type FakeInvenio, type RecordInfo } from '../../../../src/sandbox/invenio/index.js'
import { getJson, send } from './helpers.js'

const DENIED = { status: 403, message: 'Permission denied.' }
const UNKNOWN = { status: 404, message: 'The persistent identifier does not exist.' }
const SERVICE_TOKEN = 'service-token-for-tests'

describe('fake Invenio permissions', () => {
  let invenio: FakeInvenio
  let draft: RecordInfo
  let published: RecordInfo
  const tokens: Record<string, string | undefined> = {}

  beforeAll(async () => {
    invenio = await startFakeInvenio({ serviceToken: SERVICE_TOKEN })
    for (const name of ['alice', 'carol', 'bob']) tokens[name] = invenio.addUser({ name }).token
    tokens.curator = invenio.addUser({ name: 'cora', curator: true }).token
    tokens.service = SERVICE_TOKEN
    tokens.anonymous = undefined
    tokens.badToken = 'not-a-token'
    draft = invenio.addRecord({
      owner: 'alice',
      sharedWith: ['carol'],
      files: [{ key: 'water.log', content: 'SCF Done' }],
    })
    published = invenio.addRecord({
      owner: 'alice',
      draft: false,
      published: true,
      files: [{ key: 'final.xyz', content: '3\nwater\n' }],
    })
  })
  afterAll(() => invenio.close())

  const readers = ['alice', 'carol', 'curator', 'service']
  const writers = ['alice', 'carol', 'service']
  const everyone = ['alice', 'carol', 'curator', 'service', 'bob', 'anonymous', 'badToken']

  test.each(everyone)('draft, its listing and its content for %s', async (who) => {
    const expected = readers.includes(who) ? 200 : 403
    const token = tokens[who]
    for (const url of [draft.links.draft, draft.links.files, `${draft.links.files}/water.log/content`]) {
      const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
      const where = url.slice(invenio.url.length)
      expect(`${where} ${response.status}`).toBe(`${where} ${expected}`)
      if (expected === 403) expect(await response.json()).toEqual(DENIED)
      else await response.arrayBuffer()
    }
  })

  test.each(everyone)('upload into the draft for %s', async (who) => {
    const key = `upload-by-${who}.txt`
    const init = await send(draft.links.files, 'POST', tokens[who], [{ key }])
    expect(init.status).toBe(writers.includes(who) ? 201 : 403)
    if (init.status === 403) expect(init.body).toEqual(DENIED)
  })

  test('a file of a draft the caller may not read is 403 whether or not it exists', async () => {
    for (const key of ['water.log', 'no-such-file.log']) {
      const answer = await getJson(`${draft.links.files}/${key}`, tokens.bob)
      expect(answer.status).toBe(403)
    }
    expect((await getJson(`${draft.links.files}/no-such-file.log`, tokens.alice)).status).toBe(404)
  })

  test('unknown records are 404 for everyone', async () => {
    for (const who of everyone) {
      const answer = await getJson(`${invenio.url}/api/experiments/zzzzz-zzzzz/draft`, tokens[who])
      expect([who, answer.status, answer.body]).toEqual([who, 404, UNKNOWN])
    }
  })

  test('a published record is readable by anyone, its absent draft is 404, and drafts are never public', async () => {
    for (const who of everyone) {
      expect([who, (await getJson(published.links.record, tokens[who])).status]).toEqual([who, 200])
      expect([who, (await getJson(published.links.draft, tokens[who])).status]).toEqual([who, 404])
    }
    const listing = await getJson(published.links.files)
    expect((listing.body.entries as Array<{ key: string }>).map((entry) => entry.key)).toEqual(['final.xyz'])
    expect((await getJson(draft.links.record, tokens.alice)).status).toBe(404)
  })

  test('the curator may read but not write', async () => {
    expect((await send(`${draft.links.files}/water.log`, 'DELETE', tokens.curator)).status).toBe(403)
    expect(invenio.getFile(draft.id, 'water.log')?.status).toBe('completed')
  })

  test('GET /api/me names the logged-in user and refuses anonymous callers and bad tokens', async () => {
    const alice = await getJson(`${invenio.url}/api/me`, tokens.alice)
    expect(alice.status).toBe(200)
    expect(alice.body).toMatchObject({
      id: expect.any(String),
      username: 'alice',
      email: 'alice@example.org',
    })
    expect(await getJson(`${invenio.url}/api/me`)).toMatchObject({ status: 403, body: DENIED })
    expect(await getJson(`${invenio.url}/api/me`, tokens.badToken)).toMatchObject({
      status: 403,
      body: DENIED,
    })
  })

  test('the request log names who called, with a bad token logged as anonymous', async () => {
    invenio.requests.length = 0
    await getJson(draft.links.draft, tokens.bob)
    await getJson(draft.links.draft, tokens.badToken)
    await getJson(draft.links.draft, SERVICE_TOKEN)
    const path = `/api/experiments/${draft.id}/draft`
    expect(invenio.requests).toEqual([
      { method: 'GET', path, user: 'bob' },
      { method: 'GET', path, user: null },
      { method: 'GET', path, user: 'service' },
    ])
  })
})
