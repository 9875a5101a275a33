// Numbering continues from Argo's state: with an empty database, after the record's Workflows in
// the cluster; past a name some other Workflow holds; and from the API server before the informer syncs.
import { pino } from 'pino'
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  RECORD_ID_LABEL,
  SEQ_LABEL,
  WORKFLOW_TYPE_LABEL,
  WorkflowInformer,
} from '../../../src/argo/index.js'
import { maxSeqOfRecordInArgo } from '../../../src/processing/seq.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { api, startPath, waitFor } from './start-helpers.js'

function existingWorkflow(name: string, recordId: string, seq: number, managed = true) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      labels: {
        ...(managed ? { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } : {}),
        [RECORD_ID_LABEL]: recordId,
        [WORKFLOW_TYPE_LABEL]: 'xyz-structure',
        [SEQ_LABEL]: String(seq),
      },
    },
    // Suspended so the controller leaves it alone.
    spec: { entrypoint: 'main', suspend: true, templates: [{ name: 'main', suspend: {} }] },
  }
}

describe('numbering continues from Argo', () => {
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

  test('empty database + Workflows of the record in the cluster → the next seq follows them', async () => {
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: [{ key: 'a.xyz', content: '1\nH\nH 0 0 0\n' }],
    })
    for (const seq of [1, 2, 7])
      stack.cluster.store.create(
        'workflows',
        'default',
        existingWorkflow(`old-${record.id}-${seq}`, record.id, seq),
      )
    await waitFor(() => stack.service.context.informer.byRecord(record.id).length === 3)
    expect(await stack.db.db.prisma.compchemWorkflow.count({ where: { recordId: record.id } })).toBe(0)

    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['a.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(201)
    expect(response.body.seq).toBe(8)
    expect(response.body.name).toBe(`xyz-structure-${record.id}-8`)
  })

  test('a name already taken by a Workflow the service does not know → recorded as Error, next seq used', async () => {
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: [{ key: 'b.xyz', content: '1\nH\nH 0 0 0\n' }],
    })
    // Not managed by the service: the informer never sees it, only the create answers AlreadyExists.
    stack.cluster.store.create(
      'workflows',
      'default',
      existingWorkflow(`xyz-structure-${record.id}-1`, `other-${record.id}`, 1, false),
    )
    const response = await http.post(
      startPath(record.id),
      { type: 'xyz-structure', files: ['b.xyz'] },
      stack.tokens.alice,
    )
    expect(response.status).toBe(201)
    expect(response.body.seq).toBe(2)
    const first = await stack.db.db.prisma.compchemWorkflow.findFirst({
      where: { recordId: record.id, seq: 1 },
      include: { outcomes: true },
    })
    expect(first?.outcomes).toEqual([expect.objectContaining({ phase: 'Error', attempt: 1 })])
  })

  test('before the informer has synced, the highest seq comes from a labelled list on the API server', async () => {
    const recordId = 'unsyn-00001'
    stack.cluster.store.create('workflows', 'default', existingWorkflow(`old-${recordId}-5`, recordId, 5))
    const informer = new WorkflowInformer({
      client: stack.service.context.argo,
      logger: pino({ level: 'silent' }),
    })
    expect(informer.synced()).toBe(false)
    expect(await maxSeqOfRecordInArgo({ informer, argo: stack.service.context.argo }, recordId)).toBe(5)
  })
})
