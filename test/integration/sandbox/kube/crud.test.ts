import * as k8s from '@kubernetes/client-node'
import { GROUP, failure, startSandbox, workflow, type Sandbox } from './harness.js'

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())

const wfs = { ...GROUP, plural: 'workflows', namespace: 'default' }
type Obj = {
  metadata: Record<string, unknown> & { name: string; resourceVersion: string }
  spec: Record<string, unknown>
}
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)

describe('custom resources over HTTP with client-node', () => {
  test('create, get, generateName, AlreadyExists and NotFound Status bodies', async () => {
    const created = (await sb.custom.createNamespacedCustomObject({
      ...wfs,
      body: workflow('crud-a'),
    })) as Obj
    expect(created.metadata.uid).toBeDefined()
    const got = (await sb.custom.getNamespacedCustomObject({ ...wfs, name: 'crud-a' })) as Obj
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion)
    const generated = (await sb.custom.createNamespacedCustomObject({
      ...wfs,
      body: { ...workflow(''), metadata: { generateName: 'gen-' } },
    })) as Obj
    expect(generated.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/)

    const dup = await failure(sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('crud-a') }))
    expect(dup.code).toBe(409)
    expect(dup.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'workflows.argoproj.io "crud-a" already exists',
      reason: 'AlreadyExists',
      details: { name: 'crud-a', group: 'argoproj.io', kind: 'workflows' },
      code: 409,
    })
    const missing = await failure(sb.custom.getNamespacedCustomObject({ ...wfs, name: 'nope' }))
    expect(missing.code).toBe(404)
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      message: 'workflows.argoproj.io "nope" not found',
    })
  })

  test('dryRun=All validates and stores nothing', async () => {
    const dry = (await sb.custom.createNamespacedCustomObject({
      ...wfs,
      body: workflow('dry'),
      dryRun: 'All',
    })) as Obj
    expect(dry.metadata.name).toBe('dry')
    await expect(sb.custom.getNamespacedCustomObject({ ...wfs, name: 'dry' })).rejects.toMatchObject({
      code: 404,
    })
    const invalidName = await failure(
      sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('Not_Valid'), dryRun: 'All' }),
    )
    expect(invalidName.code).toBe(422)
    expect(invalidName.body.reason).toBe('Invalid')
  })

  test('label selectors (equality and set forms), field selectors, limit and continue', async () => {
    const labelled = [
      ['sel-1', { app: 'x', tier: 'a' }],
      ['sel-2', { app: 'x', tier: 'b' }],
      ['sel-3', { app: 'y' }],
    ] as const
    for (const [name, labels] of labelled) {
      await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow(name, { metadata: { labels } }) })
    }
    const names = async (q: { labelSelector?: string; fieldSelector?: string }) =>
      ((await sb.custom.listNamespacedCustomObject({ ...wfs, ...q })) as { items: Obj[] }).items.map(
        (o) => o.metadata.name,
      )
    expect(await names({ labelSelector: 'app=x' })).toEqual(['sel-1', 'sel-2'])
    expect(await names({ labelSelector: 'app==x,tier!=a' })).toEqual(['sel-2'])
    expect(await names({ labelSelector: 'app in (x,y),tier notin (b)' })).toEqual(['sel-1', 'sel-3'])
    expect(await names({ labelSelector: 'app,!tier' })).toEqual(['sel-3'])
    expect(await names({ fieldSelector: 'metadata.name=sel-2' })).toEqual(['sel-2'])
    const badField = await failure(
      sb.custom.listNamespacedCustomObject({ ...wfs, fieldSelector: 'spec.x=1' }),
    )
    expect(badField.code).toBe(400)

    const seen: string[] = []
    let token: string | undefined
    let listVersion: string | undefined
    do {
      const page = (await sb.custom.listNamespacedCustomObject({
        ...wfs,
        labelSelector: 'app',
        limit: 2,
        _continue: token,
      })) as { items: Obj[]; metadata: { continue?: string; resourceVersion: string } }
      seen.push(...page.items.map((o) => o.metadata.name))
      listVersion ??= page.metadata.resourceVersion
      expect(page.metadata.resourceVersion).toBe(listVersion)
      token = page.metadata.continue
    } while (token)
    expect(seen).toEqual(['sel-1', 'sel-2', 'sel-3'])
  })

  test('update conflicts on a stale resourceVersion with the real message', async () => {
    const wf = (await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('conflict') })) as Obj
    const first = (await sb.custom.replaceNamespacedCustomObject({
      ...wfs,
      name: 'conflict',
      body: { ...wf, spec: { ...wf.spec, suspend: true } },
    })) as Obj
    expect(first.metadata.generation).toBe(2)
    const stale = await failure(
      sb.custom.replaceNamespacedCustomObject({
        ...wfs,
        name: 'conflict',
        body: { ...wf, spec: { entrypoint: 'x' } },
      }),
    )
    expect(stale.code).toBe(409)
    expect(stale.body.message).toBe(
      'Operation cannot be fulfilled on workflows.argoproj.io "conflict": the object has been modified; please apply your changes to the latest version and try again',
    )
    const unconditional = await failure(
      sb.custom.replaceNamespacedCustomObject({
        ...wfs,
        name: 'conflict',
        body: { ...wf, metadata: { name: 'conflict' } },
      }),
    )
    expect(unconditional.code).toBe(422)
  })

  test('merge patch, JSON patch, and bodies that do not match their content type', async () => {
    await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('patch-me') })
    const merged = (await sb.custom.patchNamespacedCustomObject(
      { ...wfs, name: 'patch-me', body: { spec: { shutdown: 'Stop' }, metadata: { labels: { a: 'b' } } } },
      merge,
    )) as Obj
    expect(merged.spec.shutdown).toBe('Stop')
    expect(merged.metadata.labels).toEqual({ a: 'b' })
    const jsonPatched = (await sb.custom.patchNamespacedCustomObject({
      ...wfs,
      name: 'patch-me',
      body: [{ op: 'replace', path: '/spec/shutdown', value: 'Terminate' }],
    })) as Obj
    expect(jsonPatched.spec.shutdown).toBe('Terminate')

    const objectAsJsonPatch = await failure(
      sb.custom.patchNamespacedCustomObject(
        { ...wfs, name: 'patch-me', body: { spec: { suspend: true } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
      ),
    )
    expect(objectAsJsonPatch.code).toBe(400)
    expect(objectAsJsonPatch.body.message).toContain('cannot unmarshal object')
    const arrayAsMerge = await failure(
      sb.custom.patchNamespacedCustomObject(
        { ...wfs, name: 'patch-me', body: [{ op: 'add', path: '/spec/x', value: 1 }] },
        merge,
      ),
    )
    expect(arrayAsMerge.code).toBe(400)
    const impossible = await failure(
      sb.custom.patchNamespacedCustomObject({
        ...wfs,
        name: 'patch-me',
        body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }],
      }),
    )
    expect(impossible.code).toBe(422)
    const strategic = await failure(
      sb.custom.patchNamespacedCustomObject(
        { ...wfs, name: 'patch-me', body: { spec: {} } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
    )
    expect(strategic.code).toBe(415)
    expect(strategic.body.reason).toBe('UnsupportedMediaType')
  })

  test('finalizers keep a deleted Workflow until the last one is removed', async () => {
    await sb.custom.createNamespacedCustomObject({
      ...wfs,
      body: workflow('final', { metadata: { finalizers: ['compchem.cz/outcome'] } }),
    })
    await sb.custom.deleteNamespacedCustomObject({ ...wfs, name: 'final' })
    const marked = (await sb.custom.getNamespacedCustomObject({ ...wfs, name: 'final' })) as Obj
    expect(marked.metadata.deletionTimestamp).toBeDefined()
    await sb.custom.patchNamespacedCustomObject(
      { ...wfs, name: 'final', body: { metadata: { finalizers: null } } },
      merge,
    )
    await expect(sb.custom.getNamespacedCustomObject({ ...wfs, name: 'final' })).rejects.toMatchObject({
      code: 404,
    })
  })

  test('a Secret owned by a Workflow is garbage-collected when the Workflow goes', async () => {
    const owner = (await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('owner') })) as Obj
    await sb.core.createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: {
          name: 'owner-token',
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Workflow',
              name: 'owner',
              uid: owner.metadata.uid as string,
            },
          ],
        },
        stringData: { token: 'secret-value' },
      },
    })
    const secret = await sb.core.readNamespacedSecret({ namespace: 'default', name: 'owner-token' })
    expect(Buffer.from(secret.data?.token as string, 'base64').toString()).toBe('secret-value')
    expect(
      (await sb.core.listNamespacedSecret({ namespace: 'default' })).items.map((s) => s.metadata?.name),
    ).toContain('owner-token')
    await sb.custom.deleteNamespacedCustomObject({ ...wfs, name: 'owner' })
    await expect(
      sb.core.readNamespacedSecret({ namespace: 'default', name: 'owner-token' }),
    ).rejects.toMatchObject({
      code: 404,
    })
  })

  test('cluster-scoped templates and discovery', async () => {
    await sb.custom.createClusterCustomObject({
      ...GROUP,
      plural: 'clusterworkflowtemplates',
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ClusterWorkflowTemplate',
        metadata: { name: 'c' },
        spec: {},
      },
    })
    const got = (await sb.custom.getClusterCustomObject({
      ...GROUP,
      plural: 'clusterworkflowtemplates',
      name: 'c',
    })) as Obj
    expect(got.metadata.namespace).toBeUndefined()
    const resources = await sb.kc.makeApiClient(k8s.CustomObjectsApi).getAPIResources({ ...GROUP })
    expect(resources.resources.map((r) => r.name).sort()).toEqual([
      'clusterworkflowtemplates',
      'workflows',
      'workflowtemplates',
    ])
    const version = await sb.kc.makeApiClient(k8s.VersionApi).getCode()
    expect(version.major).toBe('1')
  })
})
