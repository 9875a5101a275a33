// Concurrent starts on one record: every run gets its own consecutive seq, and the lock rule lets
// exactly one of many starts on the same file through.
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath } from './start-helpers.js'

describe('concurrent starts', () => {
  let stack: TestStack
  let http: ReturnType<typeof api>

  beforeAll(async () => {
    stack = await startTestStack({ cluster: { speed: 1, stepSeconds: 30 } })
    http = api(stack)
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('50 concurrent starts with distinct files → 50 distinct consecutive seqs, no 5xx', async () => {
    const keys = Array.from({ length: 50 }, (_, index) => `structures/molecule-${index}.xyz`)
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: keys.map((key) => ({ key, content: '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n' })),
    })
    const responses = await Promise.all(
      keys.map((key) =>
        http.post(startPath(record.id), { type: 'xyz-structure', files: [key] }, stack.tokens.alice),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual(keys.map(() => 201))
    const seqs = responses.map((response) => response.body.seq as number).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, index) => index + 1))
    const names = new Set(responses.map((response) => response.body.name))
    expect(names.size).toBe(50)
    expect(await stack.db.db.prisma.compchemWorkflow.count({ where: { recordId: record.id } })).toBe(50)
    const inCluster = stack.cluster.store
      .list('workflows', 'default')
      .filter((workflow) => names.has(workflow.metadata?.name))
    expect(inCluster).toHaveLength(50)
  })

  test('20 concurrent starts on the same file → exactly one 201 and nineteen 409', async () => {
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: [{ key: 'shared.xyz', content: '1\nH\nH 0 0 0\n' }],
    })
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.post(startPath(record.id), { type: 'xyz-structure', files: ['shared.xyz'] }, stack.tokens.alice),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(19)
    const winner = responses.find((response) => response.status === 201)!.body.name
    for (const response of responses.filter((each) => each.status === 409))
      expect(response.body.busyFiles).toEqual([
        { key: 'shared.xyz', heldBy: winner, phase: expect.any(String) },
      ])
    expect(await stack.db.db.prisma.compchemWorkflow.count({ where: { recordId: record.id } })).toBe(1)
  })
})
