import { startFakeInvenio, seedSampleData, type FakeInvenio } from '../../../../src/sandbox/invenio/index.js'
import { getJson } from './helpers.js'

describe('fake Invenio sample data for the demo', () => {
  let invenio: FakeInvenio

  beforeAll(async () => {
    invenio = await startFakeInvenio()
  })
  afterAll(() => invenio.close())

  test('alice owns a record with a Gaussian .log, a GROMACS .tpr and a .txt; bob may not read it', async () => {
    const data = seedSampleData(invenio, { tokens: { alice: 'alice-demo-token' } })
    const token = (name: string): string => data.users.find((user) => user.name === name)!.token
    expect(token('alice')).toBe('alice-demo-token')
    const [manual] = data.records
    expect(manual!.files).toEqual([
      { key: 'water-dimer.log', mimetype: 'application/octet-stream' },
      { key: 'md/topol.tpr', mimetype: 'application/octet-stream' },
      { key: 'notes.txt', mimetype: 'text/plain' },
    ])
    const draftUrl = `${invenio.url}/api/experiments/${manual!.id}/draft`
    expect((await getJson(draftUrl, token('alice'))).status).toBe(200)
    expect((await getJson(draftUrl, token('bob'))).status).toBe(403)
    expect((await getJson(draftUrl, token('cora'))).status).toBe(200)

    const log = await fetch(`${draftUrl}/files/water-dimer.log/content`, {
      headers: { Authorization: `Bearer ${token('alice')}`, Range: 'bytes=0-23' },
    })
    expect(await log.text()).toBe(' Entering Gaussian Syste')
  })

  test('the record page lists the files and the spot for the workflows widget', async () => {
    const { id } = invenio.addRecord({
      owner: 'alice',
      title: 'Page <test>',
      files: [{ key: 'a b.log', content: 'x' }],
    })
    const response = await fetch(`${invenio.url}/records/${id}`)
    const html = await response.text()
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(html).toContain('a b.log')
    expect(html).toContain('Page &#60;test&#62;')
    expect(html).toContain('id="compchem-workflows"')
    expect((await fetch(`${invenio.url}/experiments/uploads/${id}`)).status).toBe(200)
    expect((await fetch(`${invenio.url}/records/nope0-nope0`)).status).toBe(404)
  })
})
