import { BEHAVIOR_ANNOTATION, readNodes, resumeWorkflow } from '../../../../src/sandbox/argo/index.js'
import type { MemoryStore } from '../../../../src/sandbox/kube/index.js'
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

function withExitHandler(
  name: string,
  behavior: object,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify(behavior) } },
    spec: {
      entrypoint: 'main',
      onExit: 'cleanup',
      templates: [
        {
          name: 'main',
          steps: [[{ name: 'work', template: 'work' }], [{ name: 'after', template: 'work' }]],
        },
        container('work'),
        container('cleanup', { container: { image: 'busybox', args: ['{{workflow.status}}'] } }),
      ],
      ...extra,
    },
  }
}

function patchSpec(store: MemoryStore, name: string, patch: Record<string, unknown>): void {
  for (;;) {
    const wf = getWorkflow(store, name)!
    Object.assign(wf.spec, patch)
    try {
      store.update('workflows', NS, wf)
      return
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error
    }
  }
}

function runningPod(cluster: Cluster, wfName: string, nodeName: string): Promise<string> {
  return waitFor(`${nodeName} running`, () => {
    const wf = getWorkflow(cluster.store, wfName)
    const node = wf && nodesOf(wf).find((n) => n.name === nodeName)
    return node?.phase === 'Running' ? node.id : undefined
  })
}

describe('workflow lifecycle', () => {
  let cluster: Cluster
  beforeEach(() => {
    cluster = startCluster()
  })
  afterEach(() => cluster.close())

  test('spec.shutdown Stop: the running step is stopped, the exit handler runs, the workflow ends Failed', async () => {
    submit(cluster.store, withExitHandler('stop-me', { work: { hang: true } }))
    await runningPod(cluster, 'stop-me', 'stop-me[0].work')
    patchSpec(cluster.store, 'stop-me', { shutdown: 'Stop' })
    const wf = await waitForPhase(cluster.store, 'stop-me', TERMINAL)
    expect(wf.status?.phase).toBe('Failed')
    expect(wf.status?.message).toBe("Stopped with strategy 'Stop'")
    expect(nodeNamed(wf, 'stop-me[0].work')).toMatchObject({
      phase: 'Failed',
      message: "Stopped with strategy 'Stop'",
    })
    expect(nodeNamed(wf, 'stop-me.onExit')).toMatchObject({
      phase: 'Succeeded',
      type: 'Pod',
      templateName: 'cleanup',
    })
    expect(nodesOf(wf).some((n) => n.name.endsWith('.after'))).toBe(false)
    const exitPod = cluster.store
      .list('pods', NS)
      .find((p) => p.metadata.annotations?.['workflows.argoproj.io/node-name'] === 'stop-me.onExit')
    expect(exitPod?.metadata.labels?.['workflows.argoproj.io/on-exit']).toBe('true')
    expect((exitPod?.spec as { containers: { name: string; args: string[] }[] }).containers[1]!.args).toEqual(
      ['Failed'],
    )
  })

  test('spec.shutdown Terminate: no exit handler, Failed with the Terminate message', async () => {
    submit(cluster.store, withExitHandler('term-me', { work: { hang: true } }))
    await runningPod(cluster, 'term-me', 'term-me[0].work')
    patchSpec(cluster.store, 'term-me', { shutdown: 'Terminate' })
    const wf = await waitForPhase(cluster.store, 'term-me', TERMINAL)
    expect(wf.status?.phase).toBe('Failed')
    expect(wf.status?.message).toBe("Stopped with strategy 'Terminate'")
    expect(nodesOf(wf).some((n) => n.name.startsWith('term-me.onExit'))).toBe(false)
  })

  test('the exit handler sees {{workflow.status}} of a succeeded run', async () => {
    submit(cluster.store, withExitHandler('exit-ok', {}))
    const wf = await waitForPhase(cluster.store, 'exit-ok', TERMINAL)
    expect(wf.status?.phase).toBe('Succeeded')
    const exitPod = cluster.store
      .list('pods', NS)
      .find((p) => p.metadata.annotations?.['workflows.argoproj.io/node-name'] === 'exit-ok.onExit')
    expect((exitPod?.spec as { containers: { args: string[] }[] }).containers[1]!.args).toEqual(['Succeeded'])
  })

  test('spec.suspend pauses scheduling new steps; clearing it resumes', async () => {
    submit(cluster.store, withExitHandler('pause-me', { work: { seconds: 4 } }))
    await runningPod(cluster, 'pause-me', 'pause-me[0].work')
    patchSpec(cluster.store, 'pause-me', { suspend: true })
    await waitFor('first step to finish', () => {
      const wf = getWorkflow(cluster.store, 'pause-me')!
      return nodesOf(wf).find((n) => n.name === 'pause-me[0].work')?.phase === 'Succeeded'
    })
    // several controller ticks later nothing new has started and the workflow is still Running
    await new Promise((r) => setTimeout(r, 150))
    let wf = getWorkflow(cluster.store, 'pause-me')!
    expect(wf.status?.phase).toBe('Running')
    expect(nodesOf(wf).some((n) => n.name === 'pause-me[1].after')).toBe(false)
    patchSpec(cluster.store, 'pause-me', { suspend: false })
    wf = await waitForPhase(cluster.store, 'pause-me', TERMINAL)
    expect(wf.status?.phase).toBe('Succeeded')
    expect(nodeNamed(wf, 'pause-me[1].after').phase).toBe('Succeeded')
  })

  test('a suspend template holds its node Running until resumed', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'approve' },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'wait', template: 'gate' }], [{ name: 'go', template: 'go' }]] },
          { name: 'gate', suspend: {} },
          container('go'),
        ],
      },
    })
    await waitFor('suspend node', () =>
      nodesOf(getWorkflow(cluster.store, 'approve')!).find(
        (n) => n.type === 'Suspend' && n.phase === 'Running',
      ),
    )
    resumeWorkflow(cluster.store, NS, 'approve')
    const wf = await waitForPhase(cluster.store, 'approve', TERMINAL)
    expect(wf.status?.phase).toBe('Succeeded')
    expect(nodeNamed(wf, 'approve[0].wait')).toMatchObject({ type: 'Suspend', phase: 'Succeeded' })
  })

  test('retryStrategy: a Retry node whose children are the attempts', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'flaky',
        annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify({ flaky: { failAttempts: 2 } }) },
      },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            dag: {
              tasks: [
                { name: 'a', template: 'flaky' },
                { name: 'b', template: 'ok', depends: 'a' },
              ],
            },
          },
          container('flaky', { retryStrategy: { limit: 3 } }),
          container('ok'),
        ],
      },
    })
    const wf = await waitForPhase(cluster.store, 'flaky', TERMINAL)
    expect(wf.status?.phase).toBe('Succeeded')
    const retry = nodeNamed(wf, 'flaky.a')
    const attempts = [0, 1, 2].map((i) => nodeNamed(wf, `flaky.a(${i})`))
    expect(retry).toMatchObject({ type: 'Retry', phase: 'Succeeded', children: attempts.map((a) => a.id) })
    expect(attempts.map((a) => [a.displayName, a.phase, a.message])).toEqual([
      ['a(0)', 'Failed', 'Error (exit code 1)'],
      ['a(1)', 'Failed', 'Error (exit code 1)'],
      ['a(2)', 'Succeeded', undefined],
    ])
    // the next task hangs off the successful attempt, as in Argo's status samples
    expect(attempts[2]!.children).toEqual([nodeNamed(wf, 'flaky.b').id])
  })

  test('retryStrategy exhausted: No more retries left', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'doomed',
        annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify({ '*': { exitCode: 1 } }) },
      },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'fail', template: 'fail' }]] },
          container('fail', { retryStrategy: { limit: 1 } }),
        ],
      },
    })
    const wf = await waitForPhase(cluster.store, 'doomed', TERMINAL)
    expect(nodeNamed(wf, 'doomed[0].fail')).toMatchObject({
      type: 'Retry',
      phase: 'Failed',
      message: 'No more retries left',
    })
    expect(nodeNamed(wf, 'doomed[0].fail').children).toHaveLength(2)
    expect(wf.status?.phase).toBe('Failed')
  })

  test('activeDeadlineSeconds: running steps fail with Step exceeded its deadline', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'late',
        annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify({ '*': { hang: true } }) },
      },
      spec: { entrypoint: 'slow', activeDeadlineSeconds: 5, templates: [container('slow')] },
    })
    const wf = await waitForPhase(cluster.store, 'late', TERMINAL)
    expect(wf.status?.phase).toBe('Failed')
    expect(wf.status?.message).toBe('Step exceeded its deadline')
    expect(nodeNamed(wf, 'late')).toMatchObject({
      type: 'Pod',
      phase: 'Failed',
      message: 'Step exceeded its deadline',
    })
    const pod = cluster.store.get('pods', NS, 'late')!
    expect((pod.status as { phase: string }).phase).toBe('Failed')
  })

  test('ttlStrategy deletes a finished workflow; a finalizer keeps it until removed', async () => {
    const ttl = { ttlStrategy: { secondsAfterCompletion: 2 } }
    submit(cluster.store, {
      ...withExitHandler('ttl-free', {}),
      spec: { ...(withExitHandler('x', {}).spec as object), ...ttl },
    })
    submit(cluster.store, {
      ...withExitHandler('ttl-held', {}),
      metadata: { name: 'ttl-held', finalizers: ['compchem.cz/outcome'] },
      spec: { ...(withExitHandler('x', {}).spec as object), ...ttl },
    })
    await waitFor('ttl-free deleted', () => !getWorkflow(cluster.store, 'ttl-free'))
    const held = await waitFor('ttl-held marked for deletion', () => {
      const wf = getWorkflow(cluster.store, 'ttl-held')
      return wf?.metadata.deletionTimestamp ? wf : undefined
    })
    expect(held.status?.phase).toBe('Succeeded')
    held.metadata.finalizers = []
    cluster.store.update('workflows', NS, held)
    await waitFor('ttl-held deleted', () => !getWorkflow(cluster.store, 'ttl-held'))
  })

  test('podGC OnPodSuccess deletes succeeded pods and keeps failed ones', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'gc',
        annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify({ bad: { exitCode: 3 } }) },
      },
      spec: {
        entrypoint: 'main',
        podGC: { strategy: 'OnPodSuccess' },
        templates: [
          { name: 'main', steps: [[{ name: 'good', template: 'good' }], [{ name: 'bad', template: 'bad' }]] },
          container('good'),
          container('bad'),
        ],
      },
    })
    const wf = await waitForPhase(cluster.store, 'gc', TERMINAL)
    expect(wf.status?.phase).toBe('Failed')
    await waitFor('succeeded pod collected', () => cluster.store.list('pods', NS).length === 1)
    expect(cluster.store.list('pods', NS)[0]!.metadata.annotations?.['workflows.argoproj.io/node-name']).toBe(
      'gc[1].bad',
    )
  })

  test('big node maps are written as compressedNodes that decode to the same nodes', async () => {
    await cluster.close()
    cluster = startCluster({ compressNodesAbove: 200 })
    submit(cluster.store, withExitHandler('big', {}))
    const wf = await waitForPhase(cluster.store, 'big', TERMINAL)
    expect(wf.status?.nodes).toBeUndefined()
    expect(typeof wf.status?.compressedNodes).toBe('string')
    const nodes = readNodes(wf.status)
    expect(Object.keys(nodes)).toHaveLength(nodesOf(wf).length)
    expect(nodes.big).toMatchObject({ id: 'big', type: 'Steps', phase: 'Succeeded' })
    expect(
      Object.values(nodes)
        .map((n) => n.name)
        .sort(),
    ).toEqual(['big', 'big.onExit', 'big[0]', 'big[0].work', 'big[1]', 'big[1].after'])
  })
})
