import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  startFakeInvenio,
  type FakeInvenio,
  type RecordInfo,
  type User,
} from '../../../../src/sandbox/invenio/index.js'
import { getJson, send, type FileLinks } from './helpers.js'

const referenceDir = path.resolve(process.cwd(), process.env.INVENIO_REFERENCE_DIR ?? '../shared/invenio')
const haveReference = existsSync(path.join(referenceDir, 'draft-files.json'))
if (!haveReference)
  console.log(
    `Invenio reference shapes not found at ${referenceDir} (INVENIO_REFERENCE_DIR): shape comparison skipped`,
  )
const describeWithReference = haveReference ? describe : describe.skip

const reference = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(referenceDir, name), 'utf8')) as Record<string, unknown>

function kind(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

/** Same keys and same JSON types, recursively (arrays: their first elements). */
function expectSameShape(actual: unknown, expected: unknown, where = '$'): void {
  expect(`${where}: ${kind(actual)}`).toBe(`${where}: ${kind(expected)}`)
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length > 0 && expected.length > 0) expectSameShape(actual[0], expected[0], `${where}[0]`)
    return
  }
  if (kind(actual) !== 'object') return
  const actualObject = actual as Record<string, unknown>
  const expectedObject = expected as Record<string, unknown>
  expect(`${where}: ${Object.keys(actualObject).sort().join(',')}`).toBe(
    `${where}: ${Object.keys(expectedObject).sort().join(',')}`,
  )
  for (const key of Object.keys(expectedObject))
    expectSameShape(actualObject[key], expectedObject[key], `${where}.${key}`)
}

const md5 = (content: Buffer | string): string => 'md5:' + createHash('md5').update(content).digest('hex')

describe('fake Invenio record and file shapes', () => {
  let invenio: FakeInvenio
  let alice: User
  let record: RecordInfo
  const gaussian = Buffer.from(
    ' Entering Gaussian System\n SCF Done:  E(RMP2) =  -152.4\n Normal termination\n',
  )
  const tpr = Buffer.from([0, 1, 2, 3, 250, 251, 252, 253])

  beforeAll(async () => {
    invenio = await startFakeInvenio()
    alice = invenio.addUser({ name: 'alice' })
    record = invenio.addRecord({
      owner: 'alice',
      title: 'Water dimer',
      files: [
        { key: 'water-dimer.log', content: gaussian },
        { key: 'md/topol.tpr', content: tpr },
        { key: 'notes.txt', content: 'later', status: 'pending' },
      ],
    })
  })
  afterAll(() => invenio.close())

  test('the draft links point to this server and lead to the files', async () => {
    const draft = await getJson(record.links.draft, alice.token)
    expect(draft.status).toBe(200)
    const links = draft.body.links as Record<string, string | undefined>
    expect(links.self).toBe(`${invenio.url}/api/experiments/${record.id}/draft`)
    expect(links.files).toBe(`${invenio.url}/api/experiments/${record.id}/draft/files`)
    expect(links.record).toBe(`${invenio.url}/api/experiments/${record.id}`)
    expect(links.self_html?.startsWith(invenio.url)).toBe(true)
    expect(draft.body).toMatchObject({ id: record.id, is_draft: true, is_published: false })
    expect(draft.body.parent).toMatchObject({ access: { owned_by: { user: alice.id } } })
  })

  test('checksums are md5 of the content, sizes its length, pending files have neither', async () => {
    const listing = await getJson(record.links.files, alice.token)
    const entries = listing.body.entries as Array<Record<string, unknown>>
    expect(entries.map((entry) => [entry.key, entry.status, entry.checksum, entry.size])).toEqual([
      ['water-dimer.log', 'completed', md5(gaussian), gaussian.length],
      ['md/topol.tpr', 'completed', md5(tpr), tpr.length],
      ['notes.txt', 'pending', null, null],
    ])
  })

  test('mimetypes come from the extension only', async () => {
    invenio.addRecord({
      owner: 'alice',
      id: 'mimes-00001',
      files: ['a.log', 'b.out', 'c.tpr', 'd.txt', 'e.XYZ', 'f.pdb', 'g', 'h.json'].map((key) => ({
        key,
        content: 'plain text content',
      })),
    })
    const listing = await getJson(`${invenio.url}/api/experiments/mimes-00001/draft/files`, alice.token)
    const entries = listing.body.entries as Array<{ key: string; mimetype: string }>
    expect(Object.fromEntries(entries.map((entry) => [entry.key, entry.mimetype]))).toEqual({
      'a.log': 'application/octet-stream',
      'b.out': 'application/octet-stream',
      'c.tpr': 'application/octet-stream',
      'd.txt': 'text/plain',
      'e.XYZ': 'chemical/x-xyz',
      'f.pdb': 'chemical/x-pdb',
      g: 'application/octet-stream',
      'h.json': 'application/json',
    })
  })

  test("a key with '/', space, non-ASCII and '%' round-trips through the upload flow and its links", async () => {
    const key = 'a/b c ü%.log'
    const content = Buffer.from('odd key content')
    const init = await send(record.links.files, 'POST', alice.token, [{ key }])
    expect(init.status).toBe(201)
    const entry = (init.body.entries as Array<{ key: string; links: FileLinks }>).find(
      (candidate) => candidate.key === key,
    )
    expect(entry?.links.self).toBe(`${record.links.files}/a%2Fb%20c%20%C3%BC%25.log`)
    expect((await send(entry!.links.content, 'PUT', alice.token, content)).status).toBe(200)
    expect((await send(entry!.links.commit, 'POST', alice.token)).status).toBe(200)

    const listing = await getJson(record.links.files, alice.token)
    const listed = (listing.body.entries as Array<Record<string, unknown>>).find(
      (candidate) => candidate.key === key,
    )
    expect(listed).toMatchObject({ status: 'completed', checksum: md5(content), size: content.length })
    const download = await fetch((listed!.links as FileLinks).content, {
      headers: { Authorization: `Bearer ${alice.token}` },
    })
    expect(Buffer.from(await download.arrayBuffer())).toEqual(content)
    // Invenio's path converter also accepts the '/' unencoded.
    const unencoded = await fetch(`${record.links.files}/a/b%20c%20%C3%BC%25.log/content`, {
      headers: { Authorization: `Bearer ${alice.token}` },
    })
    expect(unencoded.status).toBe(200)
    expect(Buffer.from(await unencoded.arrayBuffer())).toEqual(content)
  })

  describeWithReference('compared with the reference shapes', () => {
    test('the draft has the keys and types of draft.json', async () => {
      expectSameShape((await getJson(record.links.draft, alice.token)).body, reference('draft.json'))
    })

    test('the listing and its completed and pending entries match draft-files.json', async () => {
      const ours = (await getJson(record.links.files, alice.token)).body
      const theirs = reference('draft-files.json')
      const split = (listing: Record<string, unknown>, status: string): unknown =>
        (listing.entries as Array<{ status: string }>).find((entry) => entry.status === status)
      expectSameShape({ ...ours, entries: [] }, { ...theirs, entries: [] })
      expectSameShape(split(ours, 'completed'), split(theirs, 'completed'), '$.entries[completed]')
      expectSameShape(split(ours, 'pending'), split(theirs, 'pending'), '$.entries[pending]')
    })

    test('errors are the reference bodies', async () => {
      expect((await getJson(record.links.draft)).body).toEqual(reference('error-403.json'))
      expect((await getJson(`${invenio.url}/api/experiments/nope0-nope0/draft`, alice.token)).body).toEqual(
        reference('error-404.json'),
      )
    })
  })
})
