// Runs the service starts, watched to their end in a fast sandbox: every type of the shipped catalog
// builds a Workflow the sandbox accepts and runs to Succeeded, and a run that ended frees its files.
import { join } from 'node:path'
import { sampleGaussianLog, sampleTpr } from '../../../src/sandbox/invenio/index.js'
import { applyWorkflowTemplates, SHIPPED_TEMPLATES_DIR } from '../../../src/sandbox/templates.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath, waitForEnd } from './start-helpers.js'

const XYZ = '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n'
const ORCA =
  '                                 * O   R   C   A *\nFINAL SINGLE POINT ENERGY -76.0\n****ORCA TERMINATED NORMALLY****\n'
const PDB = 'ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\nEND\n'

describe.each(['volume', 'artifacts'])('runs started by the service (%s transfer)', (transfer) => {
  let stack: TestStack
  let http: ReturnType<typeof api>

  beforeAll(async () => {
    stack = await startTestStack({ env: { FILE_TRANSFER: transfer }, applyTemplates: false })
    // The shipped templates come in one variant per transfer mode.
    const templates = transfer === 'volume' ? SHIPPED_TEMPLATES_DIR : join(SHIPPED_TEMPLATES_DIR, 'artifacts')
    await applyWorkflowTemplates(stack.cluster.store, 'default', templates)
    http = api(stack)
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('every type of the catalog builds a Workflow the sandbox accepts and runs to Succeeded', async () => {
    const files = [
      { key: 'g.log', content: sampleGaussianLog(), type: 'gaussian-log' },
      { key: 'o.out', content: ORCA, type: 'orca-out' },
      { key: 'topol.tpr', content: sampleTpr(), type: 'gromacs-tpr' },
      { key: 'm.xyz', content: XYZ, type: 'xyz-structure' },
      { key: 'p.pdb', content: PDB, type: 'pdb-structure' },
    ]
    const catalogTypes = stack.service.context.catalog.current().types.map((type) => type.name)
    expect(files.map((file) => file.type).sort()).toEqual([...catalogTypes].sort())
    const record = stack.invenio.addRecord({ owner: 'alice', files })
    const names: string[] = []
    for (const file of files) {
      const response = await http.post(
        startPath(record.id),
        { type: file.type, files: [file.key] },
        stack.tokens.alice,
      )
      expect(response.status).toBe(201)
      names.push(response.body.name)
    }
    const phases = await Promise.all(names.map((name) => waitForEnd(stack, name)))
    expect(phases).toEqual(names.map(() => 'Succeeded'))
  })

  test('a run that ended frees its file: no holder in the listing, and a new start is accepted', async () => {
    const key = 'dir/ünï cødé %2F ../x.xyz'
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key, content: XYZ }] })
    const first = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: [key] },
      stack.tokens.alice,
    )
    expect(first.status).toBe(201)
    expect(await waitForEnd(stack, first.body.name)).toBe('Succeeded')
    const files = await http.get(`/api/v1/records/${record.id}/files`, stack.tokens.alice)
    expect(files.body.files).toEqual([
      expect.objectContaining({ key, lockedBy: null, types: ['xyz-structure'] }),
    ])
    const second = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: [key] },
      stack.tokens.alice,
    )
    expect(second.status).toBe(201)
    expect(second.body.seq).toBe(2)
  })
})
