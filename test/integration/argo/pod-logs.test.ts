import { PassThrough } from 'node:stream'
import {
  LogsGoneError,
  LogsWaitingError,
  stepsOf,
  type ArgoClient,
  type Step,
  type Workflow,
} from '../../../src/argo/index.js'
import { BEHAVIOR_ANNOTATION } from '../../../src/sandbox/argo/index.js'
import { NAMESPACE, startSandbox, until, workflowManifest, type Sandbox } from './harness.js'

let sandbox: Sandbox
let argo: ArgoClient

beforeAll(async () => {
  // Slow enough that a 20 s step is still running when a loaded machine gets round to following it.
  sandbox = await startSandbox({ controller: true, speed: 10 })
  argo = sandbox.client()
})

afterAll(() => sandbox.close())

/** A DAG with one referenced-by-name step, so the pod name carries a template and a hash. */
function dagWorkflow(name: string, behavior: object): Workflow {
  const manifest = workflowManifest(name, {
    annotations: { [BEHAVIOR_ANNOTATION]: JSON.stringify(behavior) },
  })
  manifest.spec = {
    entrypoint: 'main',
    templates: [
      { name: 'main', dag: { tasks: [{ name: 'parse', template: 'parse-log' }] } },
      { name: 'parse-log', container: { image: 'busybox', command: ['parse'] } },
    ],
  }
  return manifest
}

async function stepWhen(name: string, ready: (step: Step) => boolean): Promise<Step> {
  let found: Step | undefined
  await until(`a step of ${name}`, async () => {
    const wf = await argo.getWorkflow(name)
    found = wf ? stepsOf(wf).find(ready) : undefined
    return found !== undefined
  })
  return found!
}

function collect(stream: PassThrough): () => string {
  let text = ''
  stream.on('data', (chunk) => (text += String(chunk)))
  return () => text
}

test('follows a running step’s log until the step ends, on the pod name computed from the node', async () => {
  await argo.createWorkflow(
    dagWorkflow('logs-follow-1', { 'parse-log': { seconds: 20, logLines: ['one', 'two', 'three'] } }),
  )
  const step = await stepWhen('logs-follow-1', (s) => s.phase !== 'Pending')
  expect(sandbox.store.get('pods', NAMESPACE, step.podName)).toBeDefined()

  const out = new PassThrough()
  const text = collect(out)
  const stream = await argo.streamPodLogs(step.podName, { follow: true }, out)
  await stream.done
  expect(text().trim().split('\n')).toEqual(['one', 'two', 'three'])
  const finished = await argo.getWorkflow('logs-follow-1')
  expect(stepsOf(finished!)[0]?.phase).not.toBe('Running')
})

test('reads the tail of a finished step’s log', async () => {
  await argo.createWorkflow(
    dagWorkflow('logs-tail-1', { 'parse-log': { seconds: 2, logLines: ['a', 'b', 'c'] } }),
  )
  const step = await stepWhen('logs-tail-1', (s) => s.phase === 'Succeeded')
  const out = new PassThrough()
  const text = collect(out)
  await (
    await argo.streamPodLogs(step.podName, { tailLines: 2 }, out)
  ).done
  expect(text()).toBe('b\nc\n')
})

test('abort stops a follow that would never end', async () => {
  await argo.createWorkflow(
    dagWorkflow('logs-hang-1', { 'parse-log': { hang: true, logLines: ['forever'] } }),
  )
  const step = await stepWhen('logs-hang-1', (s) => s.phase === 'Running')
  const out = new PassThrough()
  const text = collect(out)
  const stream = await argo.streamPodLogs(step.podName, { follow: true }, out)
  await until('the first line', () => text().includes('forever'))
  stream.abort()
  await stream.done
  expect(out.writableEnded).toBe(true)
  await argo.patchWorkflowSpec('logs-hang-1', { shutdown: 'Terminate' })
})

test('a consumer that goes away ends the follow', async () => {
  await argo.createWorkflow(
    dagWorkflow('logs-hang-2', { 'parse-log': { hang: true, logLines: ['forever'] } }),
  )
  const step = await stepWhen('logs-hang-2', (s) => s.phase === 'Running')
  const out = new PassThrough()
  const text = collect(out)
  const stream = await argo.streamPodLogs(step.podName, { follow: true }, out)
  await until('the first line', () => text().includes('forever'))
  out.destroy()
  await stream.done
  await argo.patchWorkflowSpec('logs-hang-2', { shutdown: 'Terminate' })
})

test('a container still waiting says so', async () => {
  sandbox.store.create('pods', NAMESPACE, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'waiting-pod' },
    spec: { containers: [{ name: 'main', image: 'busybox' }] },
  })
  await expect(argo.streamPodLogs('waiting-pod', { follow: true }, new PassThrough())).rejects.toBeInstanceOf(
    LogsWaitingError,
  )
})

test('a pod that is gone says so', async () => {
  await expect(argo.streamPodLogs('no-such-pod', {}, new PassThrough())).rejects.toBeInstanceOf(LogsGoneError)
})
