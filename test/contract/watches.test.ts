// Watches as clients see them: resuming from a list's resourceVersion, bookmarks, timeoutSeconds ending
// the stream cleanly, label-filtered watches, and a deletion held by finalizers, on both targets.
import { Watch } from '@kubernetes/client-node'
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

interface WatchEvent {
  type: string
  object: KubeObject
}

interface OpenWatch {
  events: WatchEvent[]
  /** Resolves with the error (or null) the watch ended with. */
  ended: Promise<unknown>
  stop(): void
}

async function openWatch(
  target: Target,
  query: Record<string, string | number | boolean>,
): Promise<OpenWatch> {
  const events: WatchEvent[] = []
  let end: (error: unknown) => void = () => undefined
  const ended = new Promise<unknown>((resolve) => (end = resolve))
  const request = await new Watch(target.kc).watch(
    `/apis/argoproj.io/v1alpha1/namespaces/${target.namespace}/workflowtemplates`,
    query,
    (type, object) => events.push({ type, object: object as KubeObject }),
    (error) => end(error ?? null),
  )
  return { events, ended, stop: () => request.abort() }
}

function template(target: Target, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: `${target.prefix}-${name}`, ...extra },
    spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
  })
}

describeTargets('Kubernetes watches', (t) => {
  const templates = (target: Target) => coordinatesOf(target, 'workflowtemplates')
  const listVersion = async (target: Target) =>
    (
      (await target.custom.listNamespacedCustomObject({
        ...templates(target),
        labelSelector: `${RUN_LABEL}=${target.prefix}`,
      })) as KubeList
    ).metadata.resourceVersion!
  const ofThisRun = (events: WatchEvent[], target: Target) =>
    events.filter((e) => e.type !== 'BOOKMARK' && e.object.metadata.name?.startsWith(`${target.prefix}-`))

  test('a watch from a list resourceVersion sends only later changes, in order, then DELETED', async () => {
    const target = t()
    await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'before'),
    })
    const watch = await openWatch(target, {
      resourceVersion: await listVersion(target),
      labelSelector: `${RUN_LABEL}=${target.prefix}`,
    })
    try {
      const name = `${target.prefix}-after`
      const created = (await target.custom.createNamespacedCustomObject({
        ...templates(target),
        body: template(target, 'after'),
      })) as KubeObject
      const patched = (await target.custom.patchNamespacedCustomObject(
        { ...templates(target), name, body: { metadata: { labels: { step: 'two' } } } },
        mergePatch(),
      )) as KubeObject
      await target.custom.deleteNamespacedCustomObject({ ...templates(target), name })
      await until('three events', () => ofThisRun(watch.events, target).length >= 3 || undefined)
      const seen = ofThisRun(watch.events, target).map((e) => [
        e.type,
        e.object.metadata.name,
        e.object.metadata.resourceVersion,
      ])
      expect(seen[0]).toEqual(['ADDED', name, created.metadata.resourceVersion])
      expect(seen[1]).toEqual(['MODIFIED', name, patched.metadata.resourceVersion])
      expect(seen[2]?.slice(0, 2)).toEqual(['DELETED', name])
      expect(Number(seen[2]?.[2])).toBeGreaterThan(Number(patched.metadata.resourceVersion))
      expect(seen).toHaveLength(3)
    } finally {
      watch.stop()
    }
  })

  test('an object patched out of a label-filtered watch is reported DELETED, patched back in ADDED', async () => {
    const target = t()
    const name = `${target.prefix}-filtered`
    await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'filtered', { labels: { shown: 'yes' } }),
    })
    const watch = await openWatch(target, {
      resourceVersion: await listVersion(target),
      labelSelector: `${RUN_LABEL}=${target.prefix},shown=yes`,
    })
    try {
      for (const shown of ['no', 'yes'])
        await target.custom.patchNamespacedCustomObject(
          { ...templates(target), name, body: { metadata: { labels: { shown } } } },
          mergePatch(),
        )
      await until('two events', () => ofThisRun(watch.events, target).length >= 2 || undefined)
      // DELETED carries the object as the watch last matched it, at the version that moved it out.
      expect(ofThisRun(watch.events, target).map((e) => [e.type, e.object.metadata.labels?.shown])).toEqual([
        ['DELETED', 'yes'],
        ['ADDED', 'yes'],
      ])
      const [out, back] = ofThisRun(watch.events, target)
      expect(Number(out!.object.metadata.resourceVersion)).toBeLessThan(
        Number(back!.object.metadata.resourceVersion),
      )
    } finally {
      watch.stop()
    }
  })

  test('with allowWatchBookmarks a watch gets a BOOKMARK before timeoutSeconds ends it cleanly', async () => {
    const target = t()
    const since = await listVersion(target)
    const watch = await openWatch(target, {
      resourceVersion: since,
      allowWatchBookmarks: true,
      timeoutSeconds: 4,
      labelSelector: `${RUN_LABEL}=${target.prefix}`,
    })
    const ending = await Promise.race([
      watch.ended,
      new Promise((resolve) => setTimeout(() => resolve('still open'), 15_000)),
    ])
    watch.stop()
    expect(ending).toBeNull()
    const bookmarks = watch.events.filter((e) => e.type === 'BOOKMARK')
    expect(bookmarks.length).toBeGreaterThanOrEqual(1)
    for (const bookmark of bookmarks) {
      expect(bookmark.object).toMatchObject({ kind: 'WorkflowTemplate', apiVersion: 'argoproj.io/v1alpha1' })
      expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(since))
      expect(bookmark.object.spec).toBeUndefined()
    }
  })

  test('deleting an object with finalizers sends MODIFIED with deletionTimestamp, then DELETED when freed', async () => {
    const target = t()
    const name = `${target.prefix}-held`
    await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'held', { finalizers: ['contract.compchem.test/hold'] }),
    })
    const watch = await openWatch(target, {
      resourceVersion: await listVersion(target),
      labelSelector: `${RUN_LABEL}=${target.prefix}`,
    })
    try {
      const answer = (await target.custom.deleteNamespacedCustomObject({
        ...templates(target),
        name,
      })) as KubeObject
      // A held object is answered with the object itself, marked for deletion.
      expect(answer.metadata?.deletionTimestamp).toBeTruthy()
      const marked = await until('the MODIFIED event', () =>
        ofThisRun(watch.events, target).find((e) => e.type === 'MODIFIED'),
      )
      expect(marked.object.metadata.deletionTimestamp).toBeTruthy()
      expect(marked.object.metadata.deletionGracePeriodSeconds).toBe(0)
      const freed = (await target.custom.patchNamespacedCustomObject(
        { ...templates(target), name, body: { metadata: { finalizers: null } } },
        mergePatch(),
      )) as KubeObject
      // The patch answers the object without finalizers, but that state is never stored: the object is
      // deleted in its last stored state, and the watch sees no MODIFIED for it.
      expect(freed.metadata.finalizers).toBeUndefined()
      expect(freed.metadata.resourceVersion).toBe(marked.object.metadata.resourceVersion)
      const deleted = await until('the DELETED event', () =>
        ofThisRun(watch.events, target).find((e) => e.type === 'DELETED'),
      )
      expect(ofThisRun(watch.events, target).map((e) => e.type)).toEqual(['MODIFIED', 'DELETED'])
      expect(deleted.object.metadata.finalizers).toEqual(['contract.compchem.test/hold'])
      expect(Number(deleted.object.metadata.resourceVersion)).toBeGreaterThan(
        Number(marked.object.metadata.resourceVersion),
      )
    } finally {
      watch.stop()
    }
  })
})
