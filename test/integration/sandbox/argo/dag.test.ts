import { fnv32a, podName } from '../../../../src/sandbox/argo/index.js'
import type { KubeObject } from '../../../../src/sandbox/types.js'
import {
  container,
  NS,
  nodeNamed,
  nodesOf,
  startCluster,
  submit,
  waitForPhase,
  type Cluster,
} from './harness.js'

const RESULT_OUTPUT = {
  parameters: [{ name: 'result', valueFrom: { path: '/tmp/result.json', default: '{"status":"DEFAULT"}' } }],
}

function pipelineTemplate(): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: {
      name: 'pipeline',
      annotations: {
        'sandbox.compchem.cz/behavior': JSON.stringify({
          process: {
            logLines: ['processing input', 'writing output'],
            result: { status: 'PARTIAL', message: 'half' },
          },
        }),
      },
    },
    spec: {
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'read-files', template: 'read' },
              { name: 'process', template: 'process', depends: 'read-files' },
              { name: 'write-files', template: 'write', depends: 'process' },
            ],
          },
        },
        container('read'),
        container('process', { outputs: RESULT_OUTPUT }),
        container('write', { outputs: RESULT_OUTPUT }),
      ],
    },
  }
}

describe('a 3-step DAG from a WorkflowTemplate', () => {
  let cluster: Cluster
  beforeEach(() => {
    cluster = startCluster()
    cluster.store.create('workflowtemplates', NS, pipelineTemplate())
  })
  afterEach(() => cluster.close())

  test('workflowTemplateRef: runs to Succeeded with Argo node tree, pods and logs', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'run-1' },
      spec: { workflowTemplateRef: { name: 'pipeline' } },
    })
    const wf = await waitForPhase(cluster.store, 'run-1', ['Succeeded', 'Failed', 'Error'])
    expect(wf.status?.phase).toBe('Succeeded')
    expect(wf.metadata.labels).toMatchObject({
      'workflows.argoproj.io/phase': 'Succeeded',
      'workflows.argoproj.io/completed': 'true',
    })
    expect(wf.status?.progress).toBe('3/3')
    expect(wf.status?.startedAt).toBeTruthy()
    expect(wf.status?.finishedAt).toBeTruthy()

    const root = nodeNamed(wf, 'run-1')
    const read = nodeNamed(wf, 'run-1.read-files')
    const process = nodeNamed(wf, 'run-1.process')
    const write = nodeNamed(wf, 'run-1.write-files')
    expect(root).toMatchObject({
      id: 'run-1',
      type: 'DAG',
      templateName: 'main',
      phase: 'Succeeded',
      children: [read.id],
      progress: '3/3',
    })
    expect(read.id).toBe(`run-1-${fnv32a('run-1.read-files')}`)
    expect(read).toMatchObject({
      type: 'Pod',
      displayName: 'read-files',
      boundaryID: 'run-1',
      templateName: 'read',
      children: [process.id],
    })
    expect(process.children).toEqual([write.id])
    expect(write.children ?? []).toEqual([])
    expect(nodesOf(wf)).toHaveLength(4)
    expect(process.outputs?.parameters).toEqual([
      { name: 'result', value: '{"status":"PARTIAL","message":"half"}' },
    ])
    expect(write.outputs?.parameters).toEqual([{ name: 'result', value: '{"status":"DEFAULT"}' }])
    expect(process.outputs?.exitCode).toBe('0')

    const pods = cluster.store.list('pods', NS)
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(
      [
        podName('run-1', read, 'read'),
        podName('run-1', process, 'process'),
        podName('run-1', write, 'write'),
      ].sort(),
    )
    const pod = cluster.store.get('pods', NS, `run-1-process-${fnv32a('run-1.process')}`)!
    expect(pod.metadata.labels).toMatchObject({
      'workflows.argoproj.io/workflow': 'run-1',
      'workflows.argoproj.io/completed': 'true',
    })
    expect(pod.metadata.annotations).toMatchObject({
      'workflows.argoproj.io/node-name': 'run-1.process',
      'workflows.argoproj.io/node-id': process.id,
    })
    expect(pod.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Workflow', name: 'run-1', uid: wf.metadata.uid, controller: true }),
    ])
    expect((pod.status as { phase: string }).phase).toBe('Succeeded')
    expect(cluster.logs.lines(NS, pod.metadata.name!, 'main').map((l) => l.text)).toEqual([
      'processing input',
      'writing output',
    ])
    expect(cluster.logs.state(NS, pod.metadata.name!, 'main')).toBe('terminated')
  })

  test('templateRef inside tasks: nodes record the reference and pods use the referenced template name', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'run-2' },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            dag: {
              tasks: [
                { name: 'read-files', templateRef: { name: 'pipeline', template: 'read' } },
                {
                  name: 'process',
                  templateRef: { name: 'pipeline', template: 'process' },
                  depends: 'read-files',
                },
                {
                  name: 'write-files',
                  templateRef: { name: 'pipeline', template: 'write' },
                  depends: 'process',
                },
              ],
            },
          },
        ],
      },
    })
    const wf = await waitForPhase(cluster.store, 'run-2', ['Succeeded', 'Failed', 'Error'])
    expect(wf.status?.phase).toBe('Succeeded')
    const process = nodeNamed(wf, 'run-2.process')
    expect(process.templateRef).toEqual({ name: 'pipeline', template: 'process' })
    expect(process.templateName).toBeUndefined()
    expect(cluster.store.get('pods', NS, `run-2-process-${fnv32a('run-2.process')}`)).toBeDefined()
    // the WorkflowTemplate's behaviour annotation applies to its templates
    expect(process.outputs?.parameters?.[0]?.value).toBe('{"status":"PARTIAL","message":"half"}')
  })

  test('a failing step fails the DAG and the workflow, and later tasks never start', async () => {
    submit(cluster.store, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        name: 'run-3',
        annotations: { 'sandbox.compchem.cz/behavior': JSON.stringify({ process: { exitCode: 2 } }) },
      },
      spec: { workflowTemplateRef: { name: 'pipeline' } },
    })
    const wf = await waitForPhase(cluster.store, 'run-3', ['Succeeded', 'Failed', 'Error'])
    const process = nodeNamed(wf, 'run-3.process')
    expect(process).toMatchObject({ phase: 'Failed', message: 'Error (exit code 2)' })
    expect(wf.status?.phase).toBe('Failed')
    expect(wf.status?.message).toBe(`child '${process.id}' failed`)
    expect(nodesOf(wf).some((n) => n.name === 'run-3.write-files')).toBe(false)
    expect(wf.status?.progress).toBe('1/2')
  })
})
