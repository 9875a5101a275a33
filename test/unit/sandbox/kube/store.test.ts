import { MemoryStore } from '../../../../src/sandbox/kube/store.js'
import { ApiError } from '../../../../src/sandbox/kube/errors.js'
import type { KubeObject, StoreEvent } from '../../../../src/sandbox/types.js'

function workflow(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name },
    spec: { entrypoint: 'main' },
    ...extra,
  }
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected an ApiError')
}

describe('MemoryStore', () => {
  test('create sets server fields and a store-wide increasing resourceVersion', () => {
    const store = new MemoryStore()
    const a = store.create('workflows', 'default', workflow('a'))
    const b = store.create('secrets', 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
    })
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(a.metadata.generation).toBe(1)
    expect(a.metadata.namespace).toBe('default')
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion))
    expect(store.resourceVersion()).toBe(b.metadata.resourceVersion)
    expect(b.metadata.generation).toBeUndefined()
  })

  test('generateName adds five characters from the Kubernetes alphabet', () => {
    const store = new MemoryStore()
    const created = store.create(
      'workflows',
      'default',
      workflow('', { metadata: { generateName: 'hello-' } }),
    )
    expect(created.metadata.name).toMatch(/^hello-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  })

  test('duplicate names and invalid names are refused with Kubernetes statuses', () => {
    const store = new MemoryStore()
    store.create('workflows', 'default', workflow('a'))
    const exists = thrown(() => store.create('workflows', 'default', workflow('a')))
    expect(exists.status).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'workflows.argoproj.io "a" already exists',
      details: { name: 'a', group: 'argoproj.io', kind: 'workflows' },
    })
    const bad = thrown(() => store.create('workflows', 'default', workflow('Bad_Name')))
    expect(bad.status.code).toBe(422)
    expect(bad.status.details?.causes?.[0]?.field).toBe('metadata.name')
    const label = thrown(() =>
      store.create(
        'workflows',
        'default',
        workflow('ok', { metadata: { name: 'ok', labels: { x: 'a'.repeat(64) } } }),
      ),
    )
    expect(label.status.message).toContain('must be no more than 63 characters')
  })

  test('stale resourceVersion conflicts; generation bumps only on body changes; no-op writes are free', () => {
    const store = new MemoryStore()
    const a = store.create('workflows', 'default', workflow('a'))
    const changed = store.update('workflows', 'default', { ...a, spec: { entrypoint: 'other' } })
    expect(changed.metadata.generation).toBe(2)
    const stale = thrown(() => store.update('workflows', 'default', { ...a, spec: { entrypoint: 'x' } }))
    expect(stale.status.reason).toBe('Conflict')
    expect(stale.status.message).toBe(
      'Operation cannot be fulfilled on workflows.argoproj.io "a": the object has been modified; please apply your changes to the latest version and try again',
    )
    const labelled = store.update('workflows', 'default', {
      ...changed,
      metadata: { ...changed.metadata, labels: { k: 'v' } },
    })
    expect(labelled.metadata.generation).toBe(2)
    const same = store.update('workflows', 'default', labelled)
    expect(same.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion)
  })

  test('finalizers keep a deleted object until the last one is removed', () => {
    const store = new MemoryStore()
    const events: StoreEvent[] = []
    store.subscribe((e) => events.push(e))
    store.create('workflows', 'default', workflow('a', { metadata: { name: 'a', finalizers: ['x/y'] } }))
    const marked = store.delete('workflows', 'default', 'a')
    expect(marked?.metadata.deletionTimestamp).toBeDefined()
    expect(store.get('workflows', 'default', 'a')).toBeDefined()
    const current = store.get('workflows', 'default', 'a') as KubeObject
    const refused = thrown(() =>
      store.update('workflows', 'default', {
        ...current,
        metadata: { ...current.metadata, finalizers: ['x/y', 'z'] },
      }),
    )
    expect(refused.status.code).toBe(422)
    store.update('workflows', 'default', { ...current, metadata: { ...current.metadata, finalizers: [] } })
    expect(store.get('workflows', 'default', 'a')).toBeUndefined()
    // Freeing the last finalizer is not written: the object is deleted at once (as kube-apiserver does).
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED'])
  })

  test('dependents are garbage-collected when their owner goes, orphaned on request', () => {
    const store = new MemoryStore()
    const owner = store.create('workflows', 'default', workflow('a'))
    const ref = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      name: 'a',
      uid: owner.metadata.uid as string,
    }
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', ownerReferences: [ref] } }
    store.create('secrets', 'default', secret)
    store.create('pods', 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', ownerReferences: [ref] },
    })
    store.delete('workflows', 'default', 'a')
    expect(store.get('secrets', 'default', 's')).toBeUndefined()
    expect(store.get('pods', 'default', 'p')).toBeUndefined()

    const owner2 = store.create('workflows', 'default', workflow('b'))
    store.create('secrets', 'default', {
      ...secret,
      metadata: { name: 's2', ownerReferences: [{ ...ref, name: 'b', uid: owner2.metadata.uid as string }] },
    })
    store.delete('workflows', 'default', 'b', { propagationPolicy: 'Orphan' })
    expect(store.get('secrets', 'default', 's2')?.metadata.ownerReferences).toBeUndefined()
  })

  test('watch history: events after a version, 410 once compacted or overflowed', () => {
    const store = new MemoryStore({ historyLimit: 3 })
    const a = store.create('workflows', 'default', workflow('a'))
    store.create('workflows', 'default', workflow('b'))
    expect(store.eventsSince(Number(a.metadata.resourceVersion)).map((e) => e.object.metadata.name)).toEqual([
      'b',
    ])
    store.create('workflows', 'default', workflow('c'))
    store.create('workflows', 'default', workflow('d'))
    expect(thrown(() => store.eventsSince(0)).status).toMatchObject({ code: 410, reason: 'Expired' })
    const now = Number(store.resourceVersion())
    store.compact()
    expect(thrown(() => store.eventsSince(now)).status.code).toBe(410)
    expect(store.eventsSince(Number(store.resourceVersion()))).toEqual([])
  })

  test('dryRun create stores nothing', () => {
    const store = new MemoryStore()
    const dry = store.create('workflows', 'default', workflow('a'), { dryRun: true })
    expect(dry.metadata.uid).toBeDefined()
    expect(store.get('workflows', 'default', 'a')).toBeUndefined()
    expect(store.resourceVersion()).toBe('0')
  })
})

test('stored events carry the previous object of a modification', () => {
  const store = new MemoryStore()
  const seen: (string | undefined)[] = []
  store.subscribeStored((e) => seen.push(e.previous?.metadata.labels?.pick))
  const a = store.create('workflows', 'default', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'x', labels: { pick: 'me' } },
    spec: {},
  })
  store.update('workflows', 'default', { ...a, metadata: { ...a.metadata, labels: { pick: 'other' } } })
  expect(seen).toEqual([undefined, 'me'])
})

describe('CRD structural schema', () => {
  test('nulls of non-nullable fields are pruned, unknown fields reported, type errors worded as Kubernetes', async () => {
    const { checkAgainstSchema } = await import('../../../../src/sandbox/kube/schema.js')
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['entrypoint'],
          properties: {
            entrypoint: { type: 'string' },
            finishedAt: { type: 'string' },
            n: { type: 'integer' },
          },
        },
      },
    }
    const object: Record<string, unknown> = {
      metadata: { name: 'x' },
      spec: { entrypoint: 'a', finishedAt: null, extra: 1, n: 'two' },
    }
    const check = checkAgainstSchema(object, schema)
    expect(check.unknownFields).toEqual(['spec.extra'])
    expect(check.errors.map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.n: Invalid value: "string": spec.n in body must be of type integer: "string"',
    ])
    expect(object.spec).toEqual({ entrypoint: 'a', n: 'two' })
    expect(object.metadata).toEqual({ name: 'x' })
  })
})
