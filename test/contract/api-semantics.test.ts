// API semantics clients depend on, identical on the sandbox and a real API server. WorkflowTemplates
// are used where no controller may write in between (a controller never touches them).
import { Watch } from '@kubernetes/client-node'
import {
  coordinatesOf,
  describeTargets,
  failure,
  jsonPatch,
  labelled,
  mergePatch,
  until,
  type KubeList,
  type KubeObject,
  type Target,
} from './target.js'

function template(target: Target, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return labelled(target, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: { name: `${target.prefix}-${name}`, labels: { tier: 'one' }, ...extra },
    spec: {
      entrypoint: 'main',
      templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
    },
  })
}

/** A watch's events until it closes or `enough` says stop; the watch is always aborted. */
async function watchEvents(
  target: Target,
  resourceVersion: string,
  enough: (events: { type: string; object: KubeObject }[]) => boolean,
): Promise<{ type: string; object: KubeObject }[]> {
  const events: { type: string; object: KubeObject }[] = []
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${target.namespace}/workflowtemplates`
  let finish: () => void = () => undefined
  const closed = new Promise<void>((resolve) => (finish = resolve))
  const request = await new Watch(target.kc).watch(
    path,
    { resourceVersion, allowWatchBookmarks: false },
    (type, object) => {
      events.push({ type, object: object as KubeObject })
      if (enough(events)) finish()
    },
    () => finish(),
  )
  const timer = setTimeout(finish, 10_000)
  await closed
  clearTimeout(timer)
  request.abort()
  return events
}

describeTargets('Kubernetes API semantics', (t) => {
  const templates = (target: Target) => coordinatesOf(target, 'workflowtemplates')

  test('an update carrying a stale resourceVersion is refused with 409 Conflict', async () => {
    const target = t()
    const created = (await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'conflict'),
    })) as KubeObject
    const first = structuredClone(created)
    first.metadata.labels = { ...first.metadata.labels, tier: 'two' }
    const updated = (await target.custom.replaceNamespacedCustomObject({
      ...templates(target),
      name: created.metadata.name!,
      body: first,
    })) as KubeObject
    expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion)

    const stale = structuredClone(created)
    stale.metadata.labels = { ...stale.metadata.labels, tier: 'three' }
    const refused = await failure(
      target.custom.replaceNamespacedCustomObject({
        ...templates(target),
        name: created.metadata.name!,
        body: stale,
      }),
    )
    expect(refused.code).toBe(409)
    expect(refused.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on workflowtemplates.argoproj.io "${created.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      reason: 'Conflict',
      details: { name: created.metadata.name, group: 'argoproj.io', kind: 'workflowtemplates' },
      code: 409,
    })
  })

  test('a merge patch merges maps, replaces lists and deletes with null; a JSON patch edits by path', async () => {
    const target = t()
    const name = `${target.prefix}-patch`
    await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'patch'),
    })

    const merged = (await target.custom.patchNamespacedCustomObject(
      {
        ...templates(target),
        name,
        body: {
          metadata: { labels: { tier: null, color: 'blue' } },
          spec: { templates: [{ name: 'other', container: { image: 'alpine' } }] },
        },
      },
      mergePatch(),
    )) as KubeObject
    expect(merged.metadata.labels).toMatchObject({ color: 'blue' })
    expect(merged.metadata.labels?.tier).toBeUndefined()
    expect(merged.spec?.entrypoint).toBe('main')
    expect(merged.spec?.templates).toEqual([{ name: 'other', container: { image: 'alpine' } }])

    const patched = (await target.custom.patchNamespacedCustomObject(
      {
        ...templates(target),
        name,
        body: [
          { op: 'test', path: '/spec/entrypoint', value: 'main' },
          { op: 'add', path: '/spec/templates/-', value: { name: 'third', suspend: {} } },
          { op: 'replace', path: '/metadata/labels/color', value: 'green' },
        ],
      },
      jsonPatch(),
    )) as KubeObject
    expect((patched.spec?.templates as { name: string }[]).map((tpl) => tpl.name)).toEqual(['other', 'third'])
    expect(patched.metadata.labels?.color).toBe('green')

    // A failing `test` operation applies nothing.
    const refused = await failure(
      target.custom.patchNamespacedCustomObject(
        {
          ...templates(target),
          name,
          body: [
            { op: 'test', path: '/spec/entrypoint', value: 'elsewhere' },
            { op: 'replace', path: '/metadata/labels/color', value: 'red' },
          ],
        },
        jsonPatch(),
      ),
    )
    expect(refused.code).toBeGreaterThanOrEqual(400)
    expect(refused.code).toBeLessThan(500)
    const after = (await target.custom.getNamespacedCustomObject({
      ...templates(target),
      name,
    })) as KubeObject
    expect(after.metadata.labels?.color).toBe('green')
    expect(after.metadata.resourceVersion).toBe(patched.metadata.resourceVersion)
  })

  test('a watch from a too-old resourceVersion gets an in-stream ERROR with Status 410 Expired', async () => {
    const target = t()
    let oldVersion = '1'
    if (target.sandbox) {
      // The sandbox keeps all history unless told to compact it, as etcd compaction would.
      const created = (await target.custom.createNamespacedCustomObject({
        ...templates(target),
        body: template(target, 'expire'),
      })) as KubeObject
      oldVersion = created.metadata.resourceVersion!
      await target.custom.patchNamespacedCustomObject(
        { ...templates(target), name: created.metadata.name!, body: { metadata: { labels: { tier: 'x' } } } },
        mergePatch(),
      )
      target.sandbox.kube.faults.expireResourceVersions()
    }
    const events = await watchEvents(target, oldVersion, (seen) => seen.some((e) => e.type === 'ERROR'))
    const error = events.find((e) => e.type === 'ERROR')
    expect(error?.object).toMatchObject({ kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' })
  })

  test('finalizers keep a deleted object, with its deletionTimestamp, until they are removed', async () => {
    const target = t()
    const name = `${target.prefix}-final`
    await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'final', { finalizers: ['contract.compchem.test/hold'] }),
    })
    await target.custom.deleteNamespacedCustomObject({ ...templates(target), name })
    const held = (await target.custom.getNamespacedCustomObject({ ...templates(target), name })) as KubeObject
    expect(held.metadata.deletionTimestamp).toBeTruthy()
    expect(held.metadata.finalizers).toEqual(['contract.compchem.test/hold'])
    // Once deletion has started, no finalizer may be added.
    const added = await failure(
      target.custom.patchNamespacedCustomObject(
        {
          ...templates(target),
          name,
          body: { metadata: { finalizers: ['contract.compchem.test/hold', 'contract.compchem.test/late'] } },
        },
        mergePatch(),
      ),
    )
    const forbidden =
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"contract.compchem.test/late"}'
    const cause = { reason: 'FieldValueForbidden', message: forbidden, field: 'metadata.finalizers' }
    expect(added).toEqual({
      code: 422,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `WorkflowTemplate.argoproj.io "${name}" is invalid: metadata.finalizers: ${forbidden}`,
        reason: 'Invalid',
        // Listed twice by the real server too: its update validation checks metadata twice.
        details: { name, group: 'argoproj.io', kind: 'WorkflowTemplate', causes: [cause, cause] },
        code: 422,
      },
    })

    await target.custom.patchNamespacedCustomObject(
      { ...templates(target), name, body: { metadata: { finalizers: null } } },
      mergePatch(),
    )
    const gone = await until('the object to go', async () => {
      const result = await failure(
        target.custom.getNamespacedCustomObject({ ...templates(target), name }),
      ).catch(() => undefined)
      return result?.code === 404 ? result : undefined
    })
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 })
  })

  test('deleting answers a Success Status carrying the uid', async () => {
    const target = t()
    const created = (await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'deleted'),
    })) as KubeObject
    const answer = await target.custom.deleteNamespacedCustomObject({
      ...templates(target),
      name: created.metadata.name!,
    })
    expect(answer).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: created.metadata.name,
        group: 'argoproj.io',
        kind: 'workflowtemplates',
        uid: created.metadata.uid,
      },
    })
  })

  test('dryRun=All answers like a create but stores nothing', async () => {
    const target = t()
    const name = `${target.prefix}-dry`
    const answered = (await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body: template(target, 'dry'),
      dryRun: 'All',
    })) as KubeObject
    expect(answered.metadata.name).toBe(name)
    const missing = await failure(target.custom.getNamespacedCustomObject({ ...templates(target), name }))
    expect(missing.code).toBe(404)
    const listed = (await target.custom.listNamespacedCustomObject({
      ...templates(target),
      fieldSelector: `metadata.name=${name}`,
    })) as KubeList
    expect(listed.items).toEqual([])

    await target.custom.createNamespacedCustomObject({ ...templates(target), body: template(target, 'dry') })
    const patched = (await target.custom.patchNamespacedCustomObject(
      { ...templates(target), name, body: { metadata: { labels: { tier: 'dry' } } }, dryRun: 'All' },
      mergePatch(),
    )) as KubeObject
    expect(patched.metadata.labels?.tier).toBe('dry')
    await target.custom.deleteNamespacedCustomObject({ ...templates(target), name, dryRun: 'All' })
    const kept = (await target.custom.getNamespacedCustomObject({ ...templates(target), name })) as KubeObject
    expect(kept.metadata.labels?.tier).toBe('one')
    expect(kept.metadata.resourceVersion).toBe(patched.metadata.resourceVersion)
  })

  test('generateName gives each create its own name built on the prefix', async () => {
    const target = t()
    const body = template(target, 'unused')
    body.metadata = { generateName: `${target.prefix}-gen-`, labels: body.metadata.labels }
    const first = (await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body,
    })) as KubeObject
    const second = (await target.custom.createNamespacedCustomObject({
      ...templates(target),
      body,
    })) as KubeObject
    for (const created of [first, second]) {
      expect(created.metadata.name).toMatch(new RegExp(`^${target.prefix}-gen-[a-z0-9]{5}$`))
      expect(created.metadata.generateName).toBe(`${target.prefix}-gen-`)
    }
    expect(first.metadata.name).not.toBe(second.metadata.name)
  })
})
