// The step result convention end to end: the sandbox controller runs the steps and exposes
// /tmp/result.json as the output parameter `result`; the informer delivers the Workflow (with its
// nodes compressed, as Argo does for big workflows) and stepsOf reads results and pod names.
import {
  WorkflowInformer,
  isTerminal,
  phaseOf,
  stepsOf,
  type ArgoClient,
  type Workflow,
} from '../../../src/argo/index.js'
import { BEHAVIOR_ANNOTATION } from '../../../src/sandbox/argo/index.js'
import { logger, NAMESPACE, startSandbox, until, workflowManifest, type Sandbox } from './harness.js'

let sandbox: Sandbox
let argo: ArgoClient
let informer: WorkflowInformer

beforeAll(async () => {
  sandbox = await startSandbox({ controller: true, compressNodesAbove: 1 })
  argo = sandbox.client()
  informer = new WorkflowInformer({ client: argo, logger })
  await informer.start()
  await informer.whenSynced()
})

afterAll(async () => {
  await informer.stop()
  await sandbox.close()
})

const resultOutput = {
  parameters: [{ name: 'result', valueFrom: { path: '/tmp/result.json', default: '' } }],
}

function twoStepRun(name: string): Workflow {
  const manifest = workflowManifest(name, {
    annotations: {
      [BEHAVIOR_ANNOTATION]: JSON.stringify({
        analyse: {
          result: {
            status: 'PARTIAL',
            message: 'one file failed',
            files: { 'a.log': 'SUCCESS', 'b.log': 'FAILURE' },
          },
        },
        summarise: {},
      }),
    },
  })
  manifest.spec = {
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        dag: {
          tasks: [
            { name: 'analyse', template: 'analyse' },
            { name: 'summarise', template: 'summarise', dependencies: ['analyse'] },
          ],
        },
      },
      { name: 'analyse', container: { image: 'busybox' }, outputs: resultOutput },
      { name: 'summarise', container: { image: 'busybox' }, outputs: resultOutput },
    ],
  }
  return manifest
}

test('results and pod names of a finished run, read from the informer cache', async () => {
  await argo.createWorkflow(twoStepRun('results-1'))
  await until('the run to end', () => isTerminal(informer.get('results-1')?.status?.phase))
  const wf = informer.get('results-1')!
  expect(wf.status?.compressedNodes).toBeTruthy()
  expect(wf.status?.nodes).toBeUndefined()
  expect(phaseOf(wf)).toBe('Succeeded')

  const steps = stepsOf(wf)
  expect(steps.map((s) => s.displayName)).toEqual(['analyse', 'summarise'])
  expect(steps[0]?.result).toEqual({
    status: 'PARTIAL',
    message: 'one file failed',
    files: { 'a.log': 'SUCCESS', 'b.log': 'FAILURE' },
  })
  // A step that wrote no result file gets the parameter's default, which means "no result".
  expect(steps[1]?.result).toBeNull()
  for (const step of steps) {
    expect(step.podName).toMatch(new RegExp(`^results-1-${step.templateName}-\\d+$`))
  }
  const podNames = sandbox.store.list('pods', NAMESPACE).map((pod) => pod.metadata.name)
  for (const step of steps) expect(podNames).toContain(step.podName)
})
