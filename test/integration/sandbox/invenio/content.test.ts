import { startFakeInvenio, type FakeInvenio } from '../../../../src/sandbox/invenio/index.js'

describe('fake Invenio file content and Range requests', () => {
  let invenio: FakeInvenio
  let token: string
  let contentUrl: string
  const content = Buffer.from('0123456789abcdefghij')

  beforeAll(async () => {
    invenio = await startFakeInvenio()
    token = invenio.addUser({ name: 'alice' }).token
    const record = invenio.addRecord({
      owner: 'alice',
      files: [
        { key: 'out/ethanol opt.log', content },
        { key: 'empty.txt', content: '' },
        { key: 'pending.log', content: 'x', status: 'pending' },
      ],
    })
    contentUrl = `${record.links.files}/${encodeURIComponent('out/ethanol opt.log')}/content`
  })
  afterAll(() => invenio.close())

  const get = async (
    range?: string,
    url = contentUrl,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` }
    if (range) headers.Range = range
    const response = await fetch(url, { headers })
    return {
      status: response.status,
      body: Buffer.from(await response.arrayBuffer()),
      headers: response.headers,
    }
  }

  test('without Range the whole file comes with its mimetype and byte-range support announced', async () => {
    const answer = await get()
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual(content)
    expect(answer.headers.get('content-type')).toBe('application/octet-stream')
    expect(answer.headers.get('accept-ranges')).toBe('bytes')
    expect(answer.headers.get('content-disposition')).toContain("filename*=UTF-8''ethanol%20opt.log")
  })

  test.each([
    ['bytes=0-3', '0123', 'bytes 0-3/20'],
    ['bytes=10-', 'abcdefghij', 'bytes 10-19/20'],
    ['bytes=-5', 'fghij', 'bytes 15-19/20'],
    ['bytes=15-999', 'fghij', 'bytes 15-19/20'],
    ['bytes=-100', '0123456789abcdefghij', 'bytes 0-19/20'],
  ])('%s → 206 %s', async (range, body, contentRange) => {
    const answer = await get(range)
    expect(answer.status).toBe(206)
    expect(answer.body.toString()).toBe(body)
    expect(answer.headers.get('content-range')).toBe(contentRange)
    expect(answer.headers.get('content-length')).toBe(String(body.length))
  })

  test.each(['bytes=20-', 'bytes=100-200', 'bytes=-0'])('%s → 416 with the size', async (range) => {
    const answer = await get(range)
    expect(answer.status).toBe(416)
    expect(answer.headers.get('content-range')).toBe('bytes */20')
  })

  test.each(['bytes=5-2', 'items=0-3', 'bytes=0-1,4-5'])(
    '%s is ignored: the whole file, 200',
    async (range) => {
      const answer = await get(range)
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual(content)
    },
  )

  test('an empty file downloads as empty and any range on it is unsatisfiable', async () => {
    const url = contentUrl.replace(encodeURIComponent('out/ethanol opt.log'), 'empty.txt')
    expect(await get(undefined, url)).toMatchObject({ status: 200, body: Buffer.alloc(0) })
    expect((await get('bytes=0-0', url)).status).toBe(416)
  })

  test('a pending file has no content yet', async () => {
    const url = contentUrl.replace(encodeURIComponent('out/ethanol opt.log'), 'pending.log')
    expect((await get(undefined, url)).status).toBe(404)
  })

  test('HEAD answers the headers without the body', async () => {
    const response = await fetch(contentUrl, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('20')
  })
})
