import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  BEHAVIOR_ANNOTATION,
  createArgoServerHandler,
  retryWorkflow,
} from '../../../../src/sandbox/argo/index.js'
import {
  container,
  getWorkflow,
  NS,
  nodeNamed,
  nodesOf,
  startCluster,
  submit,
  waitFor,
  waitForPhase,
  type Cluster,
} from './harness.js'

const TERMINAL = ['Succeeded', 'Failed', 'Error']

function wf(
  name: string,
  spec: Record<string, unknown>,
  annotations: Record<string, string> = {},
): Record<string, unknown> {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name, annotations }, spec }
}

describe('invalid specs are accepted by the API and failed by the controller', () => {
  let cluster: Cluster
  beforeAll(() => {
    cluster = startCluster()
  })
  afterAll(() => cluster.close())

  test.each([
    ['no-entry', { templates: [container('a')] }, 'invalid spec: spec.entrypoint is required'],
    [
      'bad-entry',
      { entrypoint: 'nope', templates: [container('a')] },
      "invalid spec: template name 'nope' undefined",
    ],
    [
      'bad-dep',
      {
        entrypoint: 'm',
        templates: [
          { name: 'm', dag: { tasks: [{ name: 'a', template: 'a', depends: 'ghost' }] } },
          container('a'),
        ],
      },
      "invalid spec: templates.m.tasks.a dependency 'ghost' not defined",
    ],
    [
      'cycle',
      {
        entrypoint: 'm',
        templates: [
          {
            name: 'm',
            dag: {
              tasks: [
                { name: 'a', template: 'a', dependencies: ['b'] },
                { name: 'b', template: 'a', dependencies: ['a'] },
              ],
            },
          },
          container('a'),
        ],
      },
      'invalid spec: templates.m.tasks dependency cycle detected: b->a->b',
    ],
    [
      'bad-step-name',
      {
        entrypoint: 'm',
        templates: [{ name: 'm', steps: [[{ name: 'under_score', template: 'a' }]] }, container('a')],
      },
      "invalid spec: templates.m.steps[0].name 'under_score' is invalid: name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character (e.g. My-name1-2, 123-NAME)",
    ],
    [
      'missing-ref',
      {
        entrypoint: 'm',
        templates: [{ name: 'm', steps: [[{ name: 's', templateRef: { name: 'absent', template: 'x' } }]] }],
      },
      'invalid spec: templates.m.steps[0].s workflowtemplates.argoproj.io "absent" not found',
    ],
    [
      'no-image',
      { entrypoint: 'a', templates: [{ name: 'a', container: { command: ['x'] } }] },
      'invalid spec: templates.a.container.image may not be empty',
    ],
  ])('%s', async (name, spec, message) => {
    submit(cluster.store, wf(name, spec))
    const result = await waitForPhase(cluster.store, name, TERMINAL)
    expect(result.status?.phase).toBe('Failed')
    expect(result.status?.message).toBe(message)
    expect(result.metadata.labels?.['workflows.argoproj.io/completed']).toBe('true')
    expect(
      cluster.store
        .list('pods', NS)
        .filter((p) => p.metadata.labels?.['workflows.argoproj.io/workflow'] === name),
    ).toEqual([])
  })

  test('a missing workflowTemplateRef ends the workflow in Error with the API server message', async () => {
    submit(cluster.store, wf('orphan', { workflowTemplateRef: { name: 'x' } }))
    const result = await waitForPhase(cluster.store, 'orphan', TERMINAL)
    expect(result.status?.phase).toBe('Error')
    expect(result.status?.message).toBe('workflowtemplates.argoproj.io "x" not found')
  })
})

describe('retry (Argo Server)', () => {
  let cluster: Cluster
  let server: Server
  let base: string
  beforeEach(async () => {
    cluster = startCluster()
    const handler = createArgoServerHandler({ store: cluster.store, token: 'secret' })
    server = createServer((req, res) => handler(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    await new Promise((r) => server.close(r))
    await cluster.close()
  })

  function threeSteps(name: string): Record<string, unknown> {
    return wf(
      name,
      {
        entrypoint: 'm',
        onExit: 'bye',
        templates: [
          {
            name: 'm',
            dag: {
              tasks: [
                { name: 'a', template: 'a' },
                { name: 'b', template: 'b', depends: 'a' },
                { name: 'c', template: 'a', depends: 'b' },
              ],
            },
          },
          container('a'),
          container('b'),
          container('bye'),
        ],
      },
      { [BEHAVIOR_ANNOTATION]: JSON.stringify({ b: { exitCode: 1 } }) },
    )
  }

  test('resets only the failed nodes and their ancestors; succeeded work is kept', async () => {
    submit(cluster.store, threeSteps('again'))
    const failed = await waitForPhase(cluster.store, 'again', TERMINAL)
    expect(failed.status?.phase).toBe('Failed')
    const a = nodeNamed(failed, 'again.a')
    const b = nodeNamed(failed, 'again.b')
    const podOfB = `again-b-${b.id.slice('again-'.length)}`
    expect(cluster.store.get('pods', NS, podOfB)).toBeDefined()

    // let the workflow succeed on the second try
    const stored = getWorkflow(cluster.store, 'again')!
    stored.metadata.annotations = {}
    cluster.store.update('workflows', NS, stored)

    const retried = retryWorkflow(cluster.store, NS, 'again')
    expect(retried.status?.phase).toBe('Running')
    expect(retried.status?.message).toBe('')
    expect(retried.metadata.labels?.['workflows.argoproj.io/completed']).toBeUndefined()
    const names = nodesOf(retried)
      .map((n) => n.name)
      .sort()
    expect(names).toEqual(['again', 'again.a'])
    expect(nodeNamed(retried, 'again.a')).toEqual({ ...a, children: [] })
    expect(nodeNamed(retried, 'again')).toMatchObject({ phase: 'Running', finishedAt: null })
    expect(cluster.store.get('pods', NS, podOfB)).toBeUndefined()

    const done = await waitForPhase(cluster.store, 'again', TERMINAL)
    expect(done.status?.phase).toBe('Succeeded')
    expect(nodeNamed(done, 'again.a').startedAt).toBe(a.startedAt)
    expect(nodeNamed(done, 'again.c').phase).toBe('Succeeded')
  })

  test('PUT /api/v1/workflows/{ns}/{name}/retry answers like the Argo Server', async () => {
    submit(cluster.store, threeSteps('via-http'))
    await waitForPhase(cluster.store, 'via-http', TERMINAL)
    const headers = { authorization: 'Bearer secret', 'content-type': 'application/json' }

    const unauthorized = await fetch(`${base}/api/v1/workflows/${NS}/via-http/retry`, { method: 'PUT' })
    expect(unauthorized.status).toBe(401)
    expect(await unauthorized.json()).toMatchObject({ code: 16 })

    const missing = await fetch(`${base}/api/v1/workflows/${NS}/nope/retry`, {
      method: 'PUT',
      headers,
      body: '{}',
    })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ code: 5, message: 'workflows.argoproj.io "nope" not found' })

    // the retried step hangs, so the run is still going when it is stopped below
    const stored = getWorkflow(cluster.store, 'via-http')!
    stored.metadata.annotations = { [BEHAVIOR_ANNOTATION]: JSON.stringify({ b: { hang: true } }) }
    cluster.store.update('workflows', NS, stored)
    const ok = await fetch(`${base}/api/v1/workflows/${NS}/via-http/retry`, {
      method: 'PUT',
      headers,
      body: '{}',
    })
    expect(ok.status).toBe(200)
    const body = (await ok.json()) as { metadata: { name: string }; status: { phase: string } }
    expect(body.metadata.name).toBe('via-http')
    expect(body.status.phase).toBe('Running')

    const running = await fetch(`${base}/api/v1/workflows/${NS}/via-http/retry`, {
      method: 'PUT',
      headers,
      body: '{}',
    })
    expect(running.status).toBe(400)
    expect(await running.json()).toEqual({ code: 3, message: 'Cannot retry a workflow in phase Running' })

    const stop = await fetch(`${base}/api/v1/workflows/${NS}/via-http/stop`, {
      method: 'PUT',
      headers,
      body: '{}',
    })
    expect(stop.status).toBe(200)
    await waitFor('stopped', () => getWorkflow(cluster.store, 'via-http')?.status?.phase === 'Failed')
  })
})
