import * as k8s from '@kubernetes/client-node'
import { GROUP, startSandbox, until, workflow, type Sandbox } from './harness.js'

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ bookmarkIntervalMs: 50 })
})
afterAll(() => sb.close())

const wfs = { ...GROUP, plural: 'workflows', namespace: 'default' }
const path = '/apis/argoproj.io/v1alpha1/namespaces/default/workflows'
type Obj = k8s.KubernetesObject & { spec?: Record<string, unknown> }

/** client-node informers stop on errors: the service wraps them with restart, and so does this test. */
function restartingInformer(kc: k8s.KubeConfig, custom: k8s.CustomObjectsApi) {
  const informer = k8s.makeInformer<Obj>(
    kc,
    path,
    () => custom.listNamespacedCustomObject({ ...wfs }) as Promise<k8s.KubernetesListObject<Obj>>,
  )
  const events: string[] = []
  let errors = 0
  let stopped = false
  informer.on('add', (o) => events.push(`ADDED ${o.metadata?.name}`))
  informer.on('update', (o) => events.push(`MODIFIED ${o.metadata?.name}`))
  informer.on('delete', (o) => events.push(`DELETED ${o.metadata?.name}`))
  informer.on('error', () => {
    errors++
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 20)
  })
  return {
    informer,
    events,
    errors: () => errors,
    stop: async () => {
      stopped = true
      await informer.stop()
    },
  }
}

function serverState(sb: Sandbox): string[] {
  return sb.store.list('workflows', 'default').map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
}

function cacheState(informer: k8s.Informer<Obj> & k8s.ObjectCache<Obj>): string[] {
  return informer
    .list('default')
    .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
    .sort()
}

test('an informer with injected 410s and dropped connections ends with the same cache as the server', async () => {
  const { informer, events, errors, stop } = restartingInformer(sb.kc, sb.custom)
  await informer.start()
  await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('inf-a') })
  await until(() => events.includes('ADDED inf-a'), 'ADDED inf-a')
  await sb.custom.patchNamespacedCustomObject(
    { ...wfs, name: 'inf-a', body: { spec: { suspend: true } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )
  await until(() => events.includes('MODIFIED inf-a'), 'MODIFIED inf-a')
  await sb.custom.deleteNamespacedCustomObject({ ...wfs, name: 'inf-a' })
  await until(() => events.includes('DELETED inf-a'), 'DELETED inf-a')
  expect(events).toEqual(['ADDED inf-a', 'MODIFIED inf-a', 'DELETED inf-a'])

  // Dropped connection while writes continue: the restarted informer relists or resumes.
  sb.server.faults.dropWatches()
  await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('inf-b') })
  await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('inf-c') })
  await until(() => errors() >= 1, 'the informer to notice the dropped connection')

  // Expired history: the next watch gets an in-stream 410 and the informer relists.
  sb.server.faults.expireResourceVersions()
  sb.server.faults.dropWatches()
  await sb.custom.deleteNamespacedCustomObject({ ...wfs, name: 'inf-b' })
  await sb.custom.patchNamespacedCustomObject(
    { ...wfs, name: 'inf-c', body: { metadata: { labels: { done: 'yes' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )
  sb.server.faults.failNext({ status: 503, count: 2, verb: 'list' })
  sb.server.faults.dropWatches()
  await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('inf-d') })

  await until(
    () => JSON.stringify(cacheState(informer)) === JSON.stringify(serverState(sb)),
    'cache = server',
  )
  expect(cacheState(informer)).toEqual(serverState(sb))
  await stop()
})

test('a watch from a compacted resourceVersion gets HTTP 200 and an in-stream ERROR 410 Expired', async () => {
  const created = await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('expired-1') })
  const rv = (created as Obj).metadata?.resourceVersion as string
  sb.server.faults.expireResourceVersions()
  const events: { type: string; object: Record<string, unknown> }[] = []
  let finished = false
  await new k8s.Watch(sb.kc).watch(
    path,
    { resourceVersion: rv },
    (type, object) => events.push({ type, object }),
    () => (finished = true),
  )
  await until(() => finished, 'the watch to end')
  expect(events).toHaveLength(1)
  expect(events[0]?.type).toBe('ERROR')
  expect(events[0]?.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 })
})

test('watch semantics: replay from "0", resume after a version, bookmarks, timeoutSeconds, filtered moves', async () => {
  const a = (await sb.custom.createNamespacedCustomObject({
    ...wfs,
    body: workflow('w-1', { metadata: { labels: { pick: 'me' } } }),
  })) as Obj
  const seen: string[] = []
  let done = false
  const controller = await new k8s.Watch(sb.kc).watch(
    path,
    { resourceVersion: a.metadata?.resourceVersion, allowWatchBookmarks: true, labelSelector: 'pick=me' },
    (type, object: Obj) => seen.push(type === 'BOOKMARK' ? type : `${type} ${object.metadata?.name}`),
    () => (done = true),
  )
  await sb.custom.createNamespacedCustomObject({
    ...wfs,
    body: workflow('w-2', { metadata: { labels: { pick: 'me' } } }),
  })
  await sb.custom.patchNamespacedCustomObject(
    { ...wfs, name: 'w-2', body: { metadata: { labels: { pick: 'other' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )
  await until(() => seen.includes('BOOKMARK') && seen.includes('DELETED w-2'), 'events and a bookmark')
  expect(seen.filter((s) => s !== 'BOOKMARK')).toEqual(['ADDED w-2', 'DELETED w-2'])
  controller.abort()
  await until(() => done, 'abort')

  const replay: string[] = []
  let ended = false
  await new k8s.Watch(sb.kc).watch(
    path,
    { resourceVersion: '0', timeoutSeconds: 1, labelSelector: 'pick' },
    (type, object: Obj) => replay.push(`${type} ${object.metadata?.name}`),
    () => (ended = true),
  )
  await until(() => ended, 'timeoutSeconds to end the watch')
  expect(replay).toEqual(['ADDED w-1', 'ADDED w-2'])
})
