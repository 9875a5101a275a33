// "Start all": one single-file run per matching (file, type); busy files skipped with a reason; a
// file matching several types gets one run, the other types are skipped as busy. The sandbox runs
// slowly here, so started runs hold their files for the whole file.
import { sampleGaussianLog } from '../../../src/sandbox/invenio/index.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath } from './start-helpers.js'

const XYZ = '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n'
const ORCA =
  '                                 * O   R   C   A *\nFINAL SINGLE POINT ENERGY -76.0\n****ORCA TERMINATED NORMALLY****\n'

interface Result {
  type: string | null
  outcome: string
  reason?: string
  name?: string
  heldBy?: string
}

describe('batch starts', () => {
  let stack: TestStack
  let http: ReturnType<typeof api>

  beforeAll(async () => {
    stack = await startTestStack({ cluster: { speed: 1, stepSeconds: 60 } })
    http = api(stack)
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('one run per matching (file, type); several types → the first runs, the rest are busy', async () => {
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: [
        { key: 'both.log', content: sampleGaussianLog() + ORCA },
        { key: 'mol.xyz', content: XYZ },
        { key: 'readme.txt', content: 'nothing to do' },
        { key: 'later.xyz', content: XYZ, status: 'pending' },
      ],
    })
    const response = await http.post(`${startPath(record.id)}/batch`, {}, stack.tokens.alice)
    expect(response.status).toBe(200)
    const byKey: Record<string, Result[]> = Object.fromEntries(
      response.body.files.map((file: { key: string; results: Result[] }) => [file.key, file.results]),
    )
    expect(Object.keys(byKey).sort()).toEqual(['both.log', 'mol.xyz', 'readme.txt'])
    const [gaussian, orca] = byKey['both.log']!
    expect(gaussian).toMatchObject({ type: 'gaussian-log', outcome: 'started' })
    expect(orca).toMatchObject({
      type: 'orca-out',
      outcome: 'skipped',
      reason: 'busy',
      heldBy: gaussian!.name,
    })
    expect(byKey['mol.xyz']).toEqual([expect.objectContaining({ type: 'xyz-structure', outcome: 'started' })])
    expect(byKey['readme.txt']).toEqual([expect.objectContaining({ type: null, reason: 'no-matching-type' })])

    // Again at once: every file is held by the runs just started.
    const again = await http.post(
      `${startPath(record.id)}/batch`,
      { files: ['mol.xyz', 'later.xyz', 'gone.xyz'] },
      stack.tokens.alice,
    )
    expect(again.status).toBe(200)
    expect(again.body.files).toEqual([
      {
        key: 'mol.xyz',
        results: [
          expect.objectContaining({ outcome: 'skipped', reason: 'busy', heldBy: byKey['mol.xyz']![0]!.name }),
        ],
      },
      { key: 'later.xyz', results: [expect.objectContaining({ outcome: 'skipped', reason: 'pending' })] },
      { key: 'gone.xyz', results: [expect.objectContaining({ outcome: 'skipped', reason: 'not-in-draft' })] },
    ])
    const seqs = (await stack.db.db.prisma.compchemWorkflow.findMany({ where: { recordId: record.id } })).map(
      (run) => run.seq,
    )
    expect(seqs.sort()).toEqual([1, 2])
  })

  test('types narrows the batch; an unknown type → 422 listing the available ones', async () => {
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: [
        { key: 'one.xyz', content: XYZ },
        { key: 'two.log', content: sampleGaussianLog() },
      ],
    })
    const response = await http.post(
      `${startPath(record.id)}/batch`,
      { types: ['xyz-structure'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(200)
    expect(response.body.files).toEqual([
      { key: 'one.xyz', results: [expect.objectContaining({ type: 'xyz-structure', outcome: 'started' })] },
      { key: 'two.log', results: [expect.objectContaining({ type: null, reason: 'no-matching-type' })] },
    ])
    const unknown = await http.post(
      `${startPath(record.id)}/batch`,
      { types: ['nwchem'] },
      stack.tokens.alice,
    )
    expect(unknown.status).toBe(422)
    expect(unknown.body.available).toContain('xyz-structure')
  })
})
