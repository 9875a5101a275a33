import {
  MANAGED_BY_LABEL,
  OUTCOME_FINALIZER,
  WorkflowInformer,
  type ArgoClient,
  type Workflow,
} from '../../../src/argo/index.js'
import type { KubeObject } from '../../../src/sandbox/types.js'
import { logger, NAMESPACE, startSandbox, until, workflowManifest, type Sandbox } from './harness.js'

let sandbox: Sandbox
let argo: ArgoClient
const informers: WorkflowInformer[] = []

beforeEach(async () => {
  sandbox = await startSandbox({ server: { bookmarkIntervalMs: 200 } })
  argo = sandbox.client()
})

afterEach(async () => {
  for (const informer of informers.splice(0)) await informer.stop()
  await sandbox.close()
})

function startInformer(
  options: Partial<ConstructorParameters<typeof WorkflowInformer>[0]> = {},
): WorkflowInformer {
  const informer = new WorkflowInformer({
    client: argo,
    logger,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  })
  informers.push(informer)
  void informer.start()
  return informer
}

/** What the server holds for our label, as name@resourceVersion. */
function serverView(): string[] {
  return sandbox.store
    .list('workflows', NAMESPACE)
    .filter((wf) => wf.metadata.labels?.[MANAGED_BY_LABEL])
    .map((wf) => `${wf.metadata.name}@${wf.metadata.resourceVersion}`)
    .sort()
}

function cacheView(informer: WorkflowInformer): string[] {
  return informer
    .list()
    .map((wf) => `${wf.metadata.name}@${wf.metadata.resourceVersion}`)
    .sort()
}

function sameAsServer(informer: WorkflowInformer): boolean {
  return JSON.stringify(cacheView(informer)) === JSON.stringify(serverView())
}

function record(informer: WorkflowInformer): string[] {
  const events: string[] = []
  informer.on('add', (wf) => events.push(`add ${wf.metadata.name}`))
  informer.on('update', (wf, old) =>
    events.push(
      `update ${wf.metadata.name} ${old?.metadata.resourceVersion}->${wf.metadata.resourceVersion}`,
    ),
  )
  informer.on('delete', (wf) => events.push(`delete ${wf.metadata.name}`))
  return events
}

function setPhase(name: string, phase: string): void {
  const stored = sandbox.store.get('workflows', NAMESPACE, name) as KubeObject
  sandbox.store.update('workflows', NAMESPACE, { ...stored, status: { phase } })
}

test('sees add, update and delete in order, with the old object and the last one', async () => {
  await argo.createWorkflow(workflowManifest('pre-1'))
  const informer = startInformer()
  await informer.whenSynced()
  expect(informer.get('pre-1')).toBeDefined()
  const events = record(informer)
  const deleted: Workflow[] = []
  informer.on('delete', (wf) => deleted.push(wf))

  const created = await argo.createWorkflow(workflowManifest('live-1'))
  const patched = await argo.patchWorkflowSpec('live-1', { shutdown: 'Stop' })
  sandbox.store.delete('workflows', NAMESPACE, 'live-1')
  await until('the delete', () => events.length === 3)

  expect(events).toEqual([
    'add live-1',
    `update live-1 ${created.metadata.resourceVersion}->${patched.metadata.resourceVersion}`,
    'delete live-1',
  ])
  expect(deleted[0]?.spec).toMatchObject({ shutdown: 'Stop' })
  expect(informer.get('live-1')).toBeUndefined()
})

test('holds only the service’s workflows and indexes them by record', async () => {
  await argo.createWorkflow(workflowManifest('a-1', { recordId: 'rec-a' }))
  await argo.createWorkflow(workflowManifest('a-2', { recordId: 'rec-a', seq: 2 }))
  await argo.createWorkflow(workflowManifest('b-1', { recordId: 'rec-b' }))
  await argo.createWorkflow(workflowManifest('foreign-1', { labels: { [MANAGED_BY_LABEL]: 'someone-else' } }))
  const informer = startInformer()
  await informer.whenSynced()
  expect(informer.synced()).toBe(true)
  expect(
    informer
      .byRecord('rec-a')
      .map((wf) => wf.metadata.name)
      .sort(),
  ).toEqual(['a-1', 'a-2'])
  expect(informer.get('foreign-1')).toBeUndefined()
  expect(informer.stats()).toMatchObject({ objects: 3, relists: 1, restarts: 0 })
})

test('recovers from dropped watches and ends equal to the server', async () => {
  const informer = startInformer()
  await informer.whenSynced()
  const versions = new Map<string, number[]>()
  const track = (wf: Workflow) => {
    const list = versions.get(wf.metadata.name!) ?? []
    list.push(Number(wf.metadata.resourceVersion))
    versions.set(wf.metadata.name!, list)
  }
  informer.on('add', track)
  informer.on('update', track)

  for (let round = 0; round < 5; round++) {
    await argo.createWorkflow(workflowManifest(`drop-${round}`, { seq: round + 1 }))
    sandbox.server.faults.dropWatches()
    setPhase(`drop-${round}`, 'Running')
    if (round > 0) sandbox.store.delete('workflows', NAMESPACE, `drop-${round - 1}`)
  }
  await until('the cache to match the server', () => sameAsServer(informer))
  expect(informer.stats().restarts).toBeGreaterThanOrEqual(1)
  for (const seen of versions.values()) expect(seen).toEqual([...seen].sort((a, b) => a - b))
})

test('relists after 410 Gone when its resourceVersion has expired', async () => {
  await argo.createWorkflow(workflowManifest('gone-1'))
  await argo.createWorkflow(workflowManifest('gone-2', { seq: 2 }))
  const informer = startInformer()
  await informer.whenSynced()
  const relistsBefore = informer.stats().relists

  // Keep the watch down while things change, then compact history so resuming gets 410.
  sandbox.server.faults.failNext({ status: 503, count: 2, verb: 'watch' })
  sandbox.server.faults.dropWatches()
  sandbox.store.delete('workflows', NAMESPACE, 'gone-1')
  await argo.createWorkflow(workflowManifest('gone-3', { seq: 3 }))
  sandbox.server.faults.expireResourceVersions()

  await until('a relist', () => informer.stats().relists > relistsBefore)
  await until('the cache to match the server', () => sameAsServer(informer))
  expect(informer.get('gone-1')).toBeUndefined()
  expect(informer.get('gone-3')).toBeDefined()
})

test('restarts with backoff while the API server fails, then syncs', async () => {
  await argo.createWorkflow(workflowManifest('flaky-1'))
  sandbox.server.faults.failNext({ status: 503, count: 3, verb: 'list' })
  const informer = startInformer()
  await informer.whenSynced()
  expect(informer.stats().restarts).toBeGreaterThanOrEqual(3)
  expect(informer.get('flaky-1')).toBeDefined()
})

test('never misses a final state while disconnected', async () => {
  const informer = startInformer()
  await informer.whenSynced()
  const manifest = workflowManifest('final-1')
  manifest.metadata.finalizers = [OUTCOME_FINALIZER]
  await argo.createWorkflow(manifest)
  await until('the add', () => informer.get('final-1') !== undefined)
  const phases: string[] = []
  informer.on('update', (wf) => phases.push(wf.status?.phase ?? ''))

  sandbox.server.faults.failNext({ status: 503, count: 3, verb: 'watch' })
  sandbox.server.faults.dropWatches()
  setPhase('final-1', 'Running')
  setPhase('final-1', 'Succeeded')
  sandbox.store.delete('workflows', NAMESPACE, 'final-1')

  await until('the final state', () => informer.get('final-1')?.status?.phase === 'Succeeded')
  expect(phases).toContain('Succeeded')
  expect(informer.get('final-1')?.metadata.deletionTimestamp).toBeTruthy()
})

test('periodic resync relists without reporting unchanged objects', async () => {
  await argo.createWorkflow(workflowManifest('steady-1'))
  const informer = startInformer({ resyncIntervalMs: 100 })
  await informer.whenSynced()
  const events = record(informer)
  await until('three more relists', () => informer.stats().relists >= 4)
  expect(events).toEqual([])
  expect(informer.stats().lastSyncAt).toBeInstanceOf(Date)

  // A change the watch could have missed is repaired by the next relist.
  sandbox.server.faults.failNext({ status: 503, count: 1000, verb: 'watch' })
  sandbox.server.faults.dropWatches()
  setPhase('steady-1', 'Running')
  await until('the resync to find the change', () => informer.get('steady-1')?.status?.phase === 'Running')
  sandbox.server.faults.clear()
})

test('stop closes its watch and emits nothing more', async () => {
  const informer = startInformer()
  await informer.whenSynced()
  await until('the watch to open', () => sandbox.server.faults.state().openWatches === 1)
  const events = record(informer)
  await informer.stop()
  await until('the watch to close', () => sandbox.server.faults.state().openWatches === 0)
  await argo.createWorkflow(workflowManifest('after-stop-1'))
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(events).toEqual([])
})
