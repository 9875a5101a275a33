// The read side on runs the service itself started (POST /api/v1/records/{recordId}/workflows):
// the list follows the run to its end, and the detail shows its steps with scripted results.
import request from 'supertest'
import type { RunDetail, RunList } from '../../../src/processing/status.js'
import { BEHAVIOR_ANNOTATION } from '../../../src/sandbox/argo/behavior.js'
import { sampleGaussianLog } from '../../../src/sandbox/invenio/index.js'
import { startTestStack, type TestStack } from '../../helpers/stack.js'
import { NAMESPACE, until } from './runs-fixtures.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack()
  await stack.service.context.informer.whenSynced()
})

afterAll(async () => {
  await stack?.close()
})

const authorised = (req: request.Test) => req.set('Authorization', `Bearer ${stack.tokens.alice}`)

test('a started run is listed, followed to Succeeded, and its steps carry the results', async () => {
  // The shipped WorkflowTemplate scripts the step's result for the sandbox, as a real pod would write it.
  const template = stack.cluster.store.get('workflowtemplates', NAMESPACE, 'compchem-gaussian')!
  template.metadata.annotations = {
    ...template.metadata.annotations,
    [BEHAVIOR_ANNOTATION]: JSON.stringify({
      summarize: { result: { status: 'PARTIAL', message: 'no frequencies', files: { 'w.log': 'PARTIAL' } } },
    }),
  }
  stack.cluster.store.update('workflowtemplates', NAMESPACE, template)

  const record = stack.invenio.addRecord({
    owner: 'alice',
    files: [{ key: 'w.log', content: sampleGaussianLog() }],
  })
  const started = await authorised(request(stack.service.app).post(`/api/v1/records/${record.id}/workflows`))
    .send({ type: 'gaussian-log', files: ['w.log'] })
    .expect(201)
  const name = started.body.name as string
  expect(name).toBe(`gaussian-log-${record.id}-1`)

  const list = async () =>
    (await authorised(request(stack.service.app).get(`/api/v1/records/${record.id}/workflows`)).expect(200))
      .body as RunList
  const first = await list()
  expect(first.items).toHaveLength(1)
  expect(first.items[0]).toMatchObject({ name, seq: 1, type: 'gaussian-log', files: ['w.log'] })
  // A fast sandbox (speed 20) on a loaded machine may already have finished it.
  expect(['Pending', 'Running', 'Succeeded']).toContain(first.items[0]!.phase)

  const done = await until('the run to succeed', async () => {
    const item = (await list()).items[0]
    return item?.phase === 'Succeeded' ? item : undefined
  })
  expect(done.finishedAt).toBeTruthy()

  const detail = (await authorised(request(stack.service.app).get(`/api/v1/workflows/${name}`)).expect(200))
    .body as RunDetail
  const summarize = detail.steps.find((step) => step.displayName === 'summarize')
  expect(summarize?.result).toEqual({
    status: 'PARTIAL',
    message: 'no frequencies',
    files: { 'w.log': 'PARTIAL' },
    source: 'step',
  })
  expect(summarize?.podName).toMatch(new RegExp(`^${name}-summarize-\\d+$`))

  // Another user of Invenio without access to this record sees neither the list nor the run.
  await request(stack.service.app)
    .get(`/api/v1/workflows/${name}`)
    .set('Authorization', `Bearer ${stack.tokens.bob}`)
    .expect(403)
})
