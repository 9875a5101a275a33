// The built Workflow run by the sandbox's Argo controller simulator (which validates specs the way
// Argo's validate.go does): created suspended, resumed, then read-files → steps → write-files and
// the exit handler, every template resolved through templateRef from WorkflowTemplates that follow
// the contract in src/catalog/manifest-contract.ts.
import { buildWorkflowManifest, type WorkflowManifest } from '../../../src/catalog/manifest.js'
import { PARAM } from '../../../src/catalog/manifest-contract.js'
import { ArgoControllerSimulator, createSpeedClock } from '../../../src/sandbox/argo/index.js'
import { MemoryPodLogStore, MemoryStore } from '../../../src/sandbox/kube/index.js'
import type { KubeObject } from '../../../src/sandbox/types.js'
import { manifestInput } from './manifest-fixtures.js'

const NAMESPACE = 'compchem'

function container(name: string, inputs: string[], artifacts: { input: boolean; output: boolean }) {
  return {
    name,
    inputs: {
      parameters: inputs.map((input) => ({ name: input })),
      ...(artifacts.input ? { artifacts: [{ name: 'input', path: '/input' }] } : {}),
    },
    ...(artifacts.output ? { outputs: { artifacts: [{ name: 'output', path: '/output' }] } } : {}),
    container: { image: 'busybox', command: ['true'] },
  }
}

function workflowTemplate(name: string, templates: object[], cluster = false): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: cluster ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate',
    metadata: cluster ? { name } : { name, namespace: NAMESPACE },
    spec: { templates },
  }
}

const common = [PARAM.recordId, PARAM.files, PARAM.parameters, PARAM.serviceUrl]

function installTemplates(store: MemoryStore, mode: 'volume' | 'artifacts') {
  const volume = mode === 'volume'
  const paths = (input: boolean, output: boolean) =>
    volume ? [...(input ? [PARAM.inputPath] : []), ...(output ? [PARAM.outputPath] : [])] : []
  const art = (input: boolean, output: boolean) => ({ input: !volume && input, output: !volume && output })
  store.create(
    'workflowtemplates',
    NAMESPACE,
    workflowTemplate('compchem-fileprocessor-io', [
      container('read-files', [...common, PARAM.runTokenSecret, ...paths(false, true)], art(false, true)),
      container('write-files', [...common, PARAM.runTokenSecret, ...paths(true, false)], art(true, false)),
      container('exit-handler', [PARAM.recordId, PARAM.workflowStatus], art(false, false)),
    ]),
  )
  store.create(
    'workflowtemplates',
    NAMESPACE,
    workflowTemplate('gaussian-tools', [
      container('parse-log', [...common, ...paths(true, true)], art(true, true)),
    ]),
  )
  store.create(
    'clusterworkflowtemplates',
    undefined,
    workflowTemplate(
      'molecule-render',
      [container('render', [...common, ...paths(true, true)], art(true, true))],
      true,
    ),
  )
}

type Status = {
  phase?: string
  message?: string
  nodes?: Record<string, { displayName: string; phase: string }>
}

async function runUntil(
  controller: ArgoControllerSimulator,
  store: MemoryStore,
  name: string,
  done: (status: Status) => boolean,
): Promise<Status> {
  for (let i = 0; i < 500; i++) {
    controller.tick()
    const status = (store.get('workflows', NAMESPACE, name)?.status ?? {}) as Status
    if (done(status)) return status
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(
    `workflow ${name} did not get there: ${JSON.stringify(store.get('workflows', NAMESPACE, name)?.status)}`,
  )
}

describe.each(['volume', 'artifacts'] as const)('the sandbox controller runs a %s-mode manifest', (mode) => {
  test('suspended until resumed, then every task succeeds in order', async () => {
    const clock = createSpeedClock(10_000)
    const store = new MemoryStore({ clock })
    const controller = new ArgoControllerSimulator({
      store,
      logs: new MemoryPodLogStore(),
      clock,
      stepSeconds: 0.01,
    })
    installTemplates(store, mode)
    const transfer =
      mode === 'volume'
        ? { mode, size: '1Gi' }
        : { mode, artifactRepositoryRef: { configMap: 'repo', key: 'minio' } }
    const manifest: WorkflowManifest = buildWorkflowManifest(
      manifestInput({ namespace: NAMESPACE, transfer }),
    )
    const name = manifest.metadata.name
    store.create('workflows', NAMESPACE, manifest as unknown as KubeObject)

    const suspended = await runUntil(
      controller,
      store,
      name,
      (s) => s.phase !== undefined && s.phase !== 'Pending',
    )
    expect(suspended.phase).toBe('Running')
    const tasksRun = () => Object.values(suspended.nodes ?? {}).filter((n) => n.displayName === 'read-files')
    expect(tasksRun()).toHaveLength(0)

    const current = store.get('workflows', NAMESPACE, name)!
    store.update('workflows', NAMESPACE, {
      ...current,
      spec: { ...(current.spec as object), suspend: false },
    })
    const finished = await runUntil(controller, store, name, (s) =>
      ['Succeeded', 'Failed', 'Error'].includes(s.phase ?? ''),
    )
    expect(finished).toMatchObject({ phase: 'Succeeded' })
    const succeeded = Object.values(finished.nodes ?? {})
      .filter((n) => n.phase === 'Succeeded')
      .map((n) => n.displayName)
    for (const task of ['read-files', 'parse', 'thumbnail', 'write-files', 'exit'])
      expect(succeeded).toContain(task)
  })
})
