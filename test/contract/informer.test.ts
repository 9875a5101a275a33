// client-node's makeInformer on workflows: it must report changes in order and end with the same cache
// as a fresh list. On the sandbox also through injected 410s and dropped connections: client-node's
// informer stops on errors, so the test restarts it, as any long-running client must.
import { makeInformer, type Informer, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node'
import {
  coordinatesOf,
  describeTargets,
  labelled,
  mergePatch,
  RUN_LABEL,
  until,
  type KubeList,
  type KubeObject,
  type Target,
} from './target.js'

interface RestartingInformer {
  informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>
  /** Resolves once the first list is in the cache. */
  synced: Promise<void>
  /** Times the informer stopped on an error and was started again. */
  restarts(): number
  /** Full lists so far: the first, then one per relist (after 410 Expired). */
  lists(): number
  stop(): Promise<void>
}

function startInformer(target: Target): RestartingInformer {
  const workflows = coordinatesOf(target, 'workflows')
  const labelSelector = `${RUN_LABEL}=${target.prefix}`
  let lists = 0
  const informer = makeInformer(
    target.kc,
    `/apis/argoproj.io/v1alpha1/namespaces/${target.namespace}/workflows`,
    async () => {
      lists++
      return (await target.custom.listNamespacedCustomObject({ ...workflows, labelSelector })) as never
    },
    labelSelector,
  )
  let restarts = 0
  let stopped = false
  informer.on('error', () => {
    if (stopped) return
    restarts++
    setTimeout(() => void (stopped ? undefined : informer.start()), 50)
  })
  // Resolves after the first list is cached and the watch is open.
  const synced = informer.start()
  return {
    informer,
    synced,
    restarts: () => restarts,
    lists: () => lists,
    stop: async () => {
      stopped = true
      await informer.stop()
    },
  }
}

function workflow(target: Target, name: string): KubeObject {
  // Suspended from the start, so a controller touches it as little as possible.
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: `${target.prefix}-${name}` },
    spec: {
      entrypoint: 'main',
      suspend: true,
      templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
    },
  })
}

const view = (objects: readonly KubernetesObject[]) =>
  objects.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort()

/** True when the informer's cache equals a fresh list of the run's workflows. */
async function sameAsFreshList(target: Target, informer: ObjectCache<KubernetesObject>): Promise<boolean> {
  const list = (await target.custom.listNamespacedCustomObject({
    ...coordinatesOf(target, 'workflows'),
    labelSelector: `${RUN_LABEL}=${target.prefix}`,
  })) as KubeList
  return JSON.stringify(view(informer.list())) === JSON.stringify(view(list.items as KubernetesObject[]))
}

describeTargets('client-node informer on workflows', (t) => {
  const running: RestartingInformer[] = []
  afterEach(async () => {
    for (const started of running.splice(0)) await started.stop()
  })
  const start = (target: Target) => {
    const started = startInformer(target)
    running.push(started)
    return started
  }

  test('sees ADDED, MODIFIED and DELETED in order and ends with the cache of a fresh list', async () => {
    const target = t()
    const workflows = coordinatesOf(target, 'workflows')
    const { informer, synced } = start(target)
    await synced
    const events: string[] = []
    const name = `${target.prefix}-order`
    informer.on('add', (o) => o.metadata?.name === name && events.push('ADDED'))
    informer.on('update', (o) => o.metadata?.name === name && events.push('MODIFIED'))
    informer.on('delete', (o) => o.metadata?.name === name && events.push('DELETED'))

    await target.custom.createNamespacedCustomObject({ ...workflows, body: workflow(target, 'order') })
    await until('the add', () => events.includes('ADDED'))
    await target.custom.patchNamespacedCustomObject(
      { ...workflows, name, body: { metadata: { labels: { step: 'patched' } } } },
      mergePatch(),
    )
    await until('the patch', () => informer.get(name, target.namespace)?.metadata?.labels?.step === 'patched')
    await target.custom.createNamespacedCustomObject({ ...workflows, body: workflow(target, 'stays') })
    await target.custom.deleteNamespacedCustomObject({ ...workflows, name })
    await until('the delete', () => events.includes('DELETED'))

    // A controller may add MODIFIED events of its own; the order is what counts.
    expect(events[0]).toBe('ADDED')
    expect(events.at(-1)).toBe('DELETED')
    expect(events.slice(1, -1).length).toBeGreaterThanOrEqual(1)
    expect(events.slice(1, -1).every((event) => event === 'MODIFIED')).toBe(true)
    expect(informer.get(name, target.namespace)).toBeUndefined()
    await until('the cache to equal a fresh list', () => sameAsFreshList(target, informer))
  })

  test('recovers from dropped connections and expired resourceVersions without missing a final state', async () => {
    const target = t()
    if (!target.sandbox) {
      console.log('informer fault injection needs the sandbox: this part is SKIPPED on a real cluster')
      return
    }
    const faults = target.sandbox.kube.faults
    const workflows = coordinatesOf(target, 'workflows')
    const started = start(target)
    const { informer } = started
    const deleted: string[] = []
    informer.on('delete', (o) => deleted.push(o.metadata!.name!))
    for (let round = 0; round < 3; round++)
      await target.custom.createNamespacedCustomObject({
        ...workflows,
        body: workflow(target, `keep-${round}`),
      })
    await until('the first objects', () => informer.list().length === 3 || undefined)

    // Dropped connections: the watch resumes from its resourceVersion and replays what it missed.
    for (let round = 0; round < 3; round++) {
      faults.dropWatches()
      await target.custom.patchNamespacedCustomObject(
        {
          ...workflows,
          name: `${target.prefix}-keep-${round}`,
          body: { metadata: { labels: { round: `${round}` } } },
        },
        mergePatch(),
      )
      await target.custom.createNamespacedCustomObject({
        ...workflows,
        body: workflow(target, `drop-${round}`),
      })
    }
    await until('the cache to catch up after drops', () => sameAsFreshList(target, informer))

    // Expired: keep the watch down while things change, then compact history so resuming gets 410.
    faults.failNext({ status: 503, count: 2, verb: 'watch' })
    faults.dropWatches()
    await target.custom.deleteNamespacedCustomObject({ ...workflows, name: `${target.prefix}-drop-0` })
    await target.custom.patchNamespacedCustomObject(
      { ...workflows, name: `${target.prefix}-keep-0`, body: { metadata: { labels: { round: 'final' } } } },
      mergePatch(),
    )
    faults.expireResourceVersions()
    const listsBefore = started.lists()

    await until('the cache to equal a fresh list after 410', () => sameAsFreshList(target, informer))
    expect(started.restarts()).toBeGreaterThanOrEqual(1)
    expect(started.lists()).toBeGreaterThan(listsBefore)
    expect(deleted).toContain(`${target.prefix}-drop-0`)
    expect(informer.get(`${target.prefix}-keep-0`, target.namespace)?.metadata?.labels?.round).toBe('final')
  })
})
