// Every catalog type, built by the manifest builder and run by the sandbox's Argo controller
// simulator against the shipped WorkflowTemplates (both transfer variants): it validates, runs
// read-files → steps → write-files and the exit handler, and ends Succeeded. A behaviour annotation
// scripts the step results the way a real pod would write /tmp/result.json.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { parseStepResult } from '../../../src/argo/workflow-status.js'
import { buildWorkflowManifest, type FileTransfer } from '../../../src/catalog/manifest.js'
import { loadCatalogFile, type WorkflowType } from '../../../src/config/catalog.js'
import {
  ArgoControllerSimulator,
  BEHAVIOR_ANNOTATION,
  createSpeedClock,
  readNodes,
  type NodeStatus,
  type Workflow,
} from '../../../src/sandbox/argo/index.js'
import { MemoryPodLogStore, MemoryStore } from '../../../src/sandbox/kube/index.js'
import type { KubeObject } from '../../../src/sandbox/types.js'

const NAMESPACE = 'compchem'
const TEMPLATES_DIR = path.resolve('workflow-templates')

function installShippedTemplates(store: MemoryStore, variant: FileTransfer['mode']): void {
  const dir = variant === 'volume' ? TEMPLATES_DIR : path.join(TEMPLATES_DIR, 'artifacts')
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    store.create(
      'workflowtemplates',
      NAMESPACE,
      parse(readFileSync(path.join(dir, file), 'utf8')) as KubeObject,
    )
  }
}

const transfers: Record<FileTransfer['mode'], FileTransfer> = {
  volume: { mode: 'volume', size: '1Gi' },
  artifacts: {
    mode: 'artifacts',
    artifactRepositoryRef: { configMap: 'artifact-repositories', key: 'default' },
  },
}

interface Cluster {
  store: MemoryStore
  controller: ArgoControllerSimulator
}

let cluster: Cluster | undefined
afterEach(async () => {
  await cluster?.controller.stop()
  cluster = undefined
})

function startCluster(variant: FileTransfer['mode']): Cluster {
  const clock = createSpeedClock(500)
  const store = new MemoryStore({ clock })
  const controller = new ArgoControllerSimulator({
    store,
    logs: new MemoryPodLogStore({ clock }),
    clock,
    stepSeconds: 1,
  })
  installShippedTemplates(store, variant)
  controller.start()
  cluster = { store, controller }
  return cluster
}

async function finished(store: MemoryStore, name: string): Promise<Workflow> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const workflow = store.get('workflows', NAMESPACE, name) as Workflow | undefined
    if (workflow && ['Succeeded', 'Failed', 'Error'].includes(workflow.status?.phase ?? '')) return workflow
    if (Date.now() > deadline) throw new Error(`${name} did not finish: ${JSON.stringify(workflow?.status)}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function runType(type: WorkflowType, variant: FileTransfer['mode'], behavior?: object): Promise<Workflow> {
  const { store } = startCluster(variant)
  const extension = type.match.extensions[0] ?? '.dat'
  const manifest = buildWorkflowManifest({
    name: `${type.name}-ab12c-de34f-1`,
    namespace: NAMESPACE,
    recordId: 'ab12c-de34f',
    type: { name: type.name, steps: type.steps, activeDeadlineSeconds: type.activeDeadlineSeconds },
    seq: 1,
    files: [
      { key: `inputs/sample ö${extension}`, mimetype: 'application/octet-stream', checksum: null, size: 10 },
    ],
    parameters: {},
    serviceUrl: 'http://fileprocessor.compchem.svc:8080',
    runTokenSecretName: `${type.name}-ab12c-de34f-1-run-token`,
    transfer: transfers[variant],
    suspend: false,
  })
  if (behavior)
    (manifest.metadata.annotations as Record<string, string>)[BEHAVIOR_ANNOTATION] = JSON.stringify(behavior)
  store.create('workflows', NAMESPACE, manifest as unknown as KubeObject)
  return finished(store, manifest.metadata.name)
}

// The sandbox's node type and the service's differ only in how loosely they type parameters.
const resultOf = (node: NodeStatus) =>
  parseStepResult(node as unknown as Parameters<typeof parseStepResult>[0])

function podNodes(workflow: Workflow): NodeStatus[] {
  return Object.values(readNodes(workflow.status)).filter((node) => node.type === 'Pod')
}

const loaded = await loadCatalogFile('config/catalog.yaml')
if (!loaded.ok) throw new Error(`config/catalog.yaml does not load: ${JSON.stringify(loaded.errors)}`)
const types = loaded.catalog.types.map((type) => [type.name, type] as const)

describe.each(['volume', 'artifacts'] as const)('shipped templates in the sandbox, %s variant', (variant) => {
  test.each(types)(
    '%s runs to Succeeded; without a result file each step keeps the default',
    async (_, type) => {
      const workflow = await runType(type, variant)
      expect(workflow.status?.phase).toBe('Succeeded')
      const ran = podNodes(workflow).map((node) => node.displayName)
      expect(ran).toEqual(
        expect.arrayContaining(['read-files', ...type.steps.map((s) => s.name), 'write-files', 'exit']),
      )
      for (const node of podNodes(workflow).filter((n) => n.displayName !== 'exit')) {
        const result = node.outputs?.parameters?.find((p) => p.name === 'result')
        expect([node.displayName, result?.value]).toEqual([node.displayName, ''])
        expect(resultOf(node)).toBeNull()
      }
    },
  )

  test.each(types)('%s: a scripted result reaches the step outputs', async (_, type) => {
    const behavior = Object.fromEntries(
      type.steps.map((step, index) => [
        step.templateRef.template,
        {
          result: {
            status: index === 0 ? 'PARTIAL' : 'SUCCESS',
            message: `${step.name} done`,
            files: { 'inputs/sample.x': index === 0 ? 'PARTIAL' : 'SUCCESS' },
          },
        },
      ]),
    )
    const workflow = await runType(type, variant, behavior)
    expect(workflow.status?.phase).toBe('Succeeded')
    for (const [index, step] of type.steps.entries()) {
      const node = podNodes(workflow).find((n) => n.displayName === step.name)!
      expect(node.templateRef).toEqual(step.templateRef)
      const status = index === 0 ? 'PARTIAL' : 'SUCCESS'
      expect(resultOf(node)).toEqual({
        status,
        message: `${step.name} done`,
        files: { 'inputs/sample.x': status },
      })
    }
  })
})

test('a step that exits non-zero stops the run before write-files', async () => {
  const gromacs = types.find(([name]) => name === 'gromacs-tpr')![1]
  const workflow = await runType(gromacs, 'volume', {
    dump: { exitCode: 1, result: { status: 'FAILURE', message: 'gmx dump failed' } },
  })
  expect(workflow.status?.phase).toBe('Failed')
  const names = podNodes(workflow).map((n) => n.displayName)
  expect(names).toContain('exit')
  expect(names).not.toContain('write-files')
  expect(resultOf(podNodes(workflow).find((n) => n.displayName === 'dump')!)?.status).toBe('FAILURE')
})
