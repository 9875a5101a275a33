// Outside systems failing around a start: Invenio down (503, nothing written), Kubernetes failing
// beyond the retries (503) or refusing the Workflow (502) — then an Error outcome frees the files.
import { MINIMAL_SCHEMA } from '../../../src/sandbox/kube/schema.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath } from './start-helpers.js'

const XYZ = '1\nH\nH 0 0 0\n'

async function rowCounts(stack: TestStack) {
  const prisma = stack.db.db.prisma
  return {
    runs: await prisma.compchemWorkflow.count(),
    files: await prisma.compchemFile.count(),
    outcomes: await prisma.compchemWorkflowOutcome.count(),
  }
}

describe('a start while an outside system fails', () => {
  let stack: TestStack
  let http: ReturnType<typeof api>

  beforeAll(async () => {
    stack = await startTestStack()
    http = api(stack)
    await stack.service.context.informer.whenSynced()
  })

  afterAll(async () => {
    await stack?.close()
  })

  afterEach(() => {
    stack.invenio.setFailure(null)
    stack.cluster.kube.faults.clear()
  })

  test('Invenio down → 503 with Retry-After and nothing written', async () => {
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key: 'a.xyz', content: XYZ }] })
    // Warm the access cache, so the failure hits the use case's own Invenio reads.
    expect((await http.get(`/api/v1/records/${record.id}/files`, stack.tokens.alice)).status).toBe(200)
    const before = await rowCounts(stack)
    stack.invenio.setFailure('down')
    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['a.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toMatch(/^\d+$/)
    expect(response.body.type).toBe('https://compchem.cz/problems/service-unavailable')
    expect(await rowCounts(stack)).toEqual(before)
  })

  test('Invenio down before any access check → 503 (fail closed)', async () => {
    stack.invenio.setFailure('down')
    const response = await http.post(
      startPath('fresh-00001'),
      { type: 'xyz-structure', files: ['a.xyz'] },
      stack.tokens.cora,
    )
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toMatch(/^\d+$/)
  })

  test('Kubernetes failing beyond the retries → 503, an Error outcome, and the file is free again', async () => {
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key: 'b.xyz', content: XYZ }] })
    stack.cluster.kube.faults.failNext({ status: 500, count: 10, verb: 'create', path: '/workflows' })
    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['b.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toMatch(/^\d+$/)
    expect(response.body.run).toBe(`xyz-structure-${record.id}-1`)
    const row = await stack.db.db.prisma.compchemWorkflow.findFirst({
      where: { recordId: record.id },
      include: { outcomes: true },
    })
    expect(row?.outcomes).toEqual([expect.objectContaining({ phase: 'Error', attempt: 1 })])
    expect(row?.outcomes[0]?.message).toMatch(/could not be created/)

    stack.cluster.kube.faults.clear()
    const retry = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['b.xyz'] },
      stack.tokens.alice,
    )
    expect(retry.status).toBe(201)
    expect(retry.body.seq).toBe(2)
  })

  test('a brief Kubernetes failure is retried and the start succeeds', async () => {
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key: 'c.xyz', content: XYZ }] })
    stack.cluster.kube.faults.failNext({ status: 503, count: 1, verb: 'create', path: '/workflows' })
    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['c.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(201)
    expect(response.body.seq).toBe(1)
  })
})

describe('a start Kubernetes refuses', () => {
  let stack: TestStack

  beforeAll(async () => {
    // A CRD schema no built Workflow satisfies: the API server answers 422 Invalid.
    const refusing = { ...MINIMAL_SCHEMA, required: [...(MINIMAL_SCHEMA.required ?? []), 'neverSent'] }
    stack = await startTestStack({
      cluster: { crdSchemas: { workflows: refusing, workflowtemplates: MINIMAL_SCHEMA } },
    })
  })

  afterAll(async () => {
    await stack?.close()
  })

  test('→ 502, the run recorded with an Error outcome, its file free for the next start', async () => {
    const record = stack.invenio.addRecord({ owner: 'alice', files: [{ key: 'd.xyz', content: XYZ }] })
    const http = api(stack)
    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['d.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(502)
    expect(response.body.type).toBe('https://compchem.cz/problems/bad-gateway')
    const rows = await stack.db.db.prisma.compchemWorkflow.findMany({
      where: { recordId: record.id },
      include: { outcomes: true },
    })
    expect(rows).toHaveLength(1)
    expect(rows[0]!.outcomes).toEqual([expect.objectContaining({ phase: 'Error' })])
    const dry = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['d.xyz'], dryRun: true },
      stack.tokens.alice,
    )
    expect(dry.body.warnings).toEqual([])
  })
})
