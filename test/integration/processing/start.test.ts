// Matching and starting runs by hand, through the real service: supertest → app → fake Invenio and
// the sandbox cluster over HTTP → the database. The sandbox runs slowly here, so started runs stay
// Running for the whole file (start-runs.test.ts watches runs end).
import { FILES_ANNOTATION } from '../../../src/argo/index.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath } from './start-helpers.js'

describe('starting runs', () => {
  let stack: TestStack
  let alice: string
  let recordId: string
  let http: ReturnType<typeof api>

  beforeAll(async () => {
    stack = await startTestStack({ cluster: { speed: 1, stepSeconds: 60 } })
    alice = stack.tokens.alice
    recordId = stack.recordId
    http = api(stack)
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('GET /workflow-types lists the catalog; without or with a bad token → 401', async () => {
    const response = await http.get('/api/v1/workflow-types', alice)
    expect(response.status).toBe(200)
    const names = response.body.items.map((type: { name: string }) => type.name)
    expect(names).toEqual(expect.arrayContaining(['gaussian-log', 'gromacs-tpr', 'xyz-structure']))
    expect(response.body.items[0]).toEqual(
      expect.objectContaining({ match: expect.any(Object), parameters: expect.any(Object), automatic: true }),
    )
    expect((await http.get('/api/v1/workflow-types')).status).toBe(401)
    expect((await http.get('/api/v1/workflow-types', 'not-a-known-token')).status).toBe(401)
  })

  test('POST /workflows/available matches by mimetype and extension, listing content-pattern types apart', async () => {
    const response = await http.post(
      '/api/v1/workflows/available',
      {
        files: [
          { key: 'water-dimer.log', mimetype: 'application/octet-stream' },
          { key: 'md/topol.tpr', mimetype: 'application/octet-stream' },
          { key: 'notes.txt', mimetype: 'text/plain' },
        ],
      },
      alice,
    )
    expect(response.status).toBe(200)
    expect(response.body.files).toEqual([
      {
        key: 'water-dimer.log',
        mimetype: 'application/octet-stream',
        types: [],
        needsContent: ['gaussian-log', 'orca-out'],
      },
      { key: 'md/topol.tpr', mimetype: 'application/octet-stream', types: ['gromacs-tpr'], needsContent: [] },
      { key: 'notes.txt', mimetype: 'text/plain', types: [], needsContent: [] },
    ])
    expect((await http.post('/api/v1/workflows/available', { files: [] }, alice)).status).toBe(400)
  })

  test("GET /records/{id}/files: types decided with the file's head; bob 403, unknown 404, no token 401", async () => {
    const response = await http.get(`/api/v1/records/${recordId}/files`, alice)
    expect(response.status).toBe(200)
    const byKey = Object.fromEntries(response.body.files.map((file: { key: string }) => [file.key, file]))
    expect(byKey['water-dimer.log']).toMatchObject({
      types: ['gaussian-log'],
      lockedBy: null,
      lastOutcome: null,
    })
    expect(byKey['md/topol.tpr']).toMatchObject({ types: ['gromacs-tpr'], status: 'completed' })
    expect(byKey['notes.txt']).toMatchObject({ types: [] })
    expect((await http.get(`/api/v1/records/${recordId}/files`, stack.tokens.bob)).status).toBe(403)
    expect((await http.get('/api/v1/records/zzzzz-99999/files', alice)).status).toBe(404)
    expect((await http.get(`/api/v1/records/${recordId}/files`)).status).toBe(401)
  })

  test('start, a second start on the busy file → 409 naming the holder, dry run warns, files show the holder', async () => {
    const started = await http.post(
      startPath(recordId),
      { type: 'gaussian-log', files: ['water-dimer.log'] },
      alice,
    )
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({
      type: 'gaussian-log',
      files: ['water-dimer.log'],
      links: { self: `/api/v1/workflows/${started.body.name}` },
    })
    expect(started.body.name).toBe(`gaussian-log-${recordId}-${started.body.seq}`)
    const name: string = started.body.name

    const again = await http.post(
      startPath(recordId),
      { type: 'gaussian-log', files: ['water-dimer.log'] },
      alice,
    )
    expect(again.status).toBe(409)
    expect(again.body.busyFiles).toEqual([
      { key: 'water-dimer.log', heldBy: name, phase: expect.any(String) },
    ])

    const dry = await http.post(
      startPath(recordId),
      { type: 'gaussian-log', files: ['water-dimer.log'], dryRun: true },
      alice,
    )
    expect(dry.status).toBe(200)
    expect(dry.body.wouldStart).toMatchObject({ type: 'gaussian-log', files: ['water-dimer.log'] })
    expect(dry.body.warnings).toEqual([
      expect.objectContaining({ code: 'file-busy', files: ['water-dimer.log'], heldBy: name }),
    ])

    const files = await http.get(`/api/v1/records/${recordId}/files`, alice)
    expect(files.body.files.find((file: { key: string }) => file.key === 'water-dimer.log').lockedBy).toBe(
      name,
    )
  })

  test('as bob every record route → 403; unknown record → 404; no token → 401', async () => {
    const body = { type: 'gromacs-tpr', files: ['md/topol.tpr'] }
    expect((await http.post(startPath(recordId), body, stack.tokens.bob)).status).toBe(403)
    expect((await http.post(`${startPath(recordId)}/batch`, {}, stack.tokens.bob)).status).toBe(403)
    expect((await http.post(startPath('zzzzz-99999'), body, alice)).status).toBe(404)
    expect((await http.post(startPath(recordId), body)).status).toBe(401)
  })

  describe('bad input', () => {
    const start = (body: object) => http.post(startPath(recordId), body, alice)

    test('unknown type → 422 listing the available ones', async () => {
      const response = await start({ type: 'nwchem', files: ['water-dimer.log'] })
      expect(response.status).toBe(422)
      expect(response.body.type).toBe('https://compchem.cz/problems/unprocessable')
      expect(response.body.available).toEqual(expect.arrayContaining(['gaussian-log', 'gromacs-tpr']))
      expect(response.body.detail).toContain('nwchem')
    })

    test('empty, duplicate or missing file list, unknown members → 400 from the OpenAPI schema', async () => {
      for (const body of [
        { type: 'gaussian-log', files: [] },
        { type: 'gaussian-log', files: ['water-dimer.log', 'water-dimer.log'] },
        { type: 'gaussian-log' },
        { type: 'gaussian-log', files: ['water-dimer.log'], extra: true },
      ]) {
        const response = await start(body)
        expect(response.status).toBe(400)
        expect(response.body.type).toBe('https://compchem.cz/problems/validation')
      }
    })

    test('a file not in the draft or still pending → 422 naming it', async () => {
      stack.invenio.addRecord({ id: 'pend1-00001', owner: 'alice', files: [] })
      const response = await start({ type: 'xyz-structure', files: ['missing.xyz'] })
      expect(response.status).toBe(422)
      expect(response.body.files).toEqual([{ key: 'missing.xyz', reason: 'not-in-draft' }])
      expect(response.body.detail).toContain('missing.xyz')

      stack.invenio.addRecord({
        id: 'pend2-00002',
        owner: 'alice',
        files: [{ key: 'half.xyz', content: '1\n\nH 0 0 0\n', status: 'pending' }],
      })
      const pending = await http.post(
        startPath('pend2-00002'),
        { type: 'xyz-structure', files: ['half.xyz'] },
        alice,
      )
      expect(pending.status).toBe(422)
      expect(pending.body.files).toEqual([{ key: 'half.xyz', reason: 'pending' }])
    })

    test('a file the type does not apply to → 422', async () => {
      const response = await start({ type: 'gaussian-log', files: ['notes.txt'] })
      expect(response.status).toBe(422)
      expect(response.body.files).toEqual([{ key: 'notes.txt', reason: 'type-mismatch' }])
    })

    test('parameters failing the schema → 422 with the schema errors', async () => {
      const response = await start({
        type: 'gromacs-tpr',
        files: ['md/topol.tpr'],
        parameters: { nsteps: 0, x: 1 },
      })
      expect(response.status).toBe(422)
      const codes = response.body.errors.map((error: { errorCode: string }) => error.errorCode)
      expect(codes).toEqual(expect.arrayContaining(['minimum', 'additionalProperties']))
      expect(response.body.errors[0].path).toMatch(/^\/parameters/)
    })

    test('more files than maxFiles → 422', async () => {
      const response = await start({ type: 'gromacs-tpr', files: ['md/topol.tpr', 'water-dimer.log'] })
      expect(response.status).toBe(422)
      expect(response.body.maxFiles).toBe(1)
    })
  })

  test("keys with '/', spaces, Unicode, '..' and '%' are used literally", async () => {
    const keys = ['dir/sub dir/ünïcødé.xyz', 'a/../b.xyz', '100%25 done %2F.xyz']
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: keys.map((key) => ({ key, content: '1\nwater\nO 0 0 0\n' })),
    })
    const files = await http.get(`/api/v1/records/${record.id}/files`, alice)
    expect(files.status).toBe(200)
    expect(files.body.files.map((file: { key: string }) => file.key).sort()).toEqual([...keys].sort())

    const dry = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: keys, dryRun: true },
      alice,
    )
    expect(dry.status).toBe(200)
    expect(dry.body.warnings).toEqual([
      expect.objectContaining({ code: 'files-locked-together', files: keys }),
    ])

    const started = await http.post(startPath(record.id), { type: 'xyz-structure', files: keys }, alice)
    expect(started.status).toBe(201)
    expect(started.body.files).toEqual(keys)
    const workflow = stack.cluster.store.get('workflows', 'default', started.body.name)
    expect(JSON.parse(workflow!.metadata!.annotations![FILES_ANNOTATION]!)).toEqual(keys)
    const stored = await stack.db.db.prisma.compchemFile.findMany({ where: { recordId: record.id } })
    expect(stored.map((file) => file.fileKey).sort()).toEqual([...keys].sort())
  })
})
