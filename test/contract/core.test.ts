// Core objects the service touches: a run's token Secret owned by its Workflow (garbage-collected with
// it, which on a real cluster is kube-controller-manager's job), and the API server's own answers on
// pods/log. What only a kubelet answers (a container still waiting) is the sandbox's alone.
import { CoreV1Api, type V1Secret } from '@kubernetes/client-node'
import {
  coordinatesOf,
  describeTargets,
  failure,
  labelled,
  rawRequest,
  RUN_LABEL,
  until,
  type KubeObject,
  type Target,
} from './target.js'

function secret(target: Target, name: string, owner?: KubeObject): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `${target.prefix}-${name}`,
      labels: { [RUN_LABEL]: target.prefix },
      ownerReferences: owner
        ? [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: owner.kind!,
              name: owner.metadata.name!,
              uid: owner.metadata.uid as string,
              blockOwnerDeletion: true,
            },
          ]
        : undefined,
    },
    stringData: { token: 'not-a-real-secret' },
  }
}

async function owner(target: Target, name: string): Promise<KubeObject> {
  return (await target.custom.createNamespacedCustomObject({
    ...coordinatesOf(target, 'workflowtemplates'),
    body: labelled(target, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: `${target.prefix}-${name}` },
      spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
    }),
  })) as KubeObject
}

describeTargets('Kubernetes core objects: secrets, garbage collection, pods/log', (t) => {
  const core = (target: Target) => target.kc.makeApiClient(CoreV1Api)

  test('a Secret created with stringData is stored and read back as base64 data', async () => {
    const target = t()
    const created = await core(target).createNamespacedSecret({
      namespace: target.namespace,
      body: secret(target, 'plain'),
    })
    expect(created.data).toEqual({ token: Buffer.from('not-a-real-secret').toString('base64') })
    expect(created.stringData).toBeUndefined()
    expect(created.type).toBe('Opaque')
  })

  test('a Secret owned by an object goes when its owner is deleted', async () => {
    const target = t()
    const parent = await owner(target, 'owner')
    const created = await core(target).createNamespacedSecret({
      namespace: target.namespace,
      body: secret(target, 'owned', parent),
    })
    await target.custom.deleteNamespacedCustomObject({
      ...coordinatesOf(target, 'workflowtemplates'),
      name: parent.metadata.name!,
    })
    const gone = await until(
      'the garbage collector',
      async () => {
        const result = await failure(
          core(target).readNamespacedSecret({ namespace: target.namespace, name: created.metadata!.name! }),
        ).catch(() => undefined)
        return result?.code === 404 ? result : undefined
      },
      60_000,
    )
    expect(gone.body).toMatchObject({ reason: 'NotFound', details: { kind: 'secrets' } })
  }, 90_000)

  test('propagationPolicy=Orphan keeps the Secret and takes the ownerReference off it', async () => {
    const target = t()
    const parent = await owner(target, 'orphaning')
    const created = await core(target).createNamespacedSecret({
      namespace: target.namespace,
      body: secret(target, 'orphan', parent),
    })
    await target.custom.deleteNamespacedCustomObject({
      ...coordinatesOf(target, 'workflowtemplates'),
      name: parent.metadata.name!,
      propagationPolicy: 'Orphan',
    })
    const orphan = await until(
      'the ownerReference to go',
      async () => {
        const current = await core(target).readNamespacedSecret({
          namespace: target.namespace,
          name: created.metadata!.name!,
        })
        return current.metadata?.ownerReferences?.length ? undefined : current
      },
      60_000,
    )
    expect(orphan.data?.token).toBeTruthy()
  }, 90_000)

  describe('pods/log', () => {
    const pod = (target: Target, name: string, containers: string[]) =>
      core(target).createNamespacedPod({
        namespace: target.namespace,
        body: {
          metadata: { name: `${target.prefix}-${name}`, labels: { [RUN_LABEL]: target.prefix } },
          spec: { containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
        },
      })
    const logPath = (target: Target, name: string, query = '') =>
      `/api/v1/namespaces/${target.namespace}/pods/${target.prefix}-${name}/log${query}`

    test('of a pod that does not exist is 404 NotFound', async () => {
      const target = t()
      const response = await rawRequest(target.kc, 'GET', logPath(target, 'absent'))
      expect(response.status).toBe(404)
      expect(response.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `pods "${target.prefix}-absent" not found`,
        reason: 'NotFound',
        details: { name: `${target.prefix}-absent`, kind: 'pods' },
        code: 404,
      })
    })

    test('without a container, of a pod with two, is 400 naming the choices; an unknown container is 400', async () => {
      const target = t()
      await pod(target, 'two', ['main', 'wait'])
      const unnamed = await rawRequest(target.kc, 'GET', logPath(target, 'two'))
      expect(unnamed.status).toBe(400)
      expect(unnamed.json()).toMatchObject({
        kind: 'Status',
        reason: 'BadRequest',
        code: 400,
        message: `a container name must be specified for pod ${target.prefix}-two, choose one of: [main wait]`,
      })
      const unknown = await rawRequest(target.kc, 'GET', logPath(target, 'two', '?container=other'))
      expect(unknown.status).toBe(400)
      expect(unknown.json()).toMatchObject({
        reason: 'BadRequest',
        message: `container other is not valid for pod ${target.prefix}-two`,
      })
    })

    test('of a pod no node has taken yet is 204 No Content', async () => {
      const target = t()
      if (target.sandbox) {
        // By design: the sandbox has no scheduler, every pod is on a node at once (a container not yet
        // started is 400 "waiting to start", as its kubelet would say).
        console.log(
          'unscheduled pod log: a real-cluster case (the sandbox schedules every pod at once): SKIPPED',
        )
        return
      }
      await pod(target, 'unscheduled', ['main'])
      const response = await rawRequest(target.kc, 'GET', logPath(target, 'unscheduled'))
      expect(response.status).toBe(204)
      expect(response.text).toBe('')
    })
  })
})
