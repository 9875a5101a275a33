import * as k8s from '@kubernetes/client-node'
import { GROUP, failure, kubeConfig, startSandbox, until, workflow, type Sandbox } from './harness.js'

const wfs = { ...GROUP, plural: 'workflows', namespace: 'default' }

describe('RBAC', () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox({
      tokens: {
        'reader-token': {
          user: 'reader',
          rules: [{ verbs: ['get', 'list', 'watch'], resources: ['workflows'] }],
        },
        'service-token': {
          user: 'system:serviceaccount:default:fileprocessor',
          rules: [
            { verbs: ['*'], resources: ['workflows', 'secrets'], namespaces: ['default'] },
            { verbs: ['get'], resources: ['pods/log'], namespaces: ['default'] },
          ],
        },
      },
    })
  })
  afterAll(() => sb.close())

  test('no or unknown token → 401 Unauthorized Status', async () => {
    const anonymous = kubeConfig(sb.server).makeApiClient(k8s.CustomObjectsApi)
    const none = await failure(anonymous.listNamespacedCustomObject({ ...wfs }))
    expect(none.code).toBe(401)
    // client-node drops the body of a 401; read it directly.
    const raw = await fetch(`${sb.server.url}/apis/argoproj.io/v1alpha1/namespaces/default/workflows`)
    expect(raw.status).toBe(401)
    expect(await raw.json()).toMatchObject({
      kind: 'Status',
      reason: 'Unauthorized',
      message: 'Unauthorized',
      code: 401,
    })
    const wrong = kubeConfig(sb.server, 'guess').makeApiClient(k8s.CustomObjectsApi)
    expect((await failure(wrong.listNamespacedCustomObject({ ...wfs }))).code).toBe(401)
  })

  test('allowed verbs pass; others get 403 with the real message shape', async () => {
    const service = kubeConfig(sb.server, 'service-token').makeApiClient(k8s.CustomObjectsApi)
    await service.createNamespacedCustomObject({ ...wfs, body: workflow('rbac-1') })
    const reader = kubeConfig(sb.server, 'reader-token').makeApiClient(k8s.CustomObjectsApi)
    expect(await reader.getNamespacedCustomObject({ ...wfs, name: 'rbac-1' })).toBeDefined()
    const denied = await failure(reader.createNamespacedCustomObject({ ...wfs, body: workflow('rbac-2') }))
    expect(denied.code).toBe(403)
    expect(denied.body).toMatchObject({
      reason: 'Forbidden',
      message:
        'workflows.argoproj.io is forbidden: User "reader" cannot create resource "workflows" in API group "argoproj.io" in the namespace "default"',
      details: { group: 'argoproj.io', kind: 'workflows' },
    })
    const elsewhere = await failure(service.listNamespacedCustomObject({ ...wfs, namespace: 'other' }))
    expect(elsewhere.code).toBe(403)
    const logs = await fetch(`${sb.server.url}/api/v1/namespaces/default/pods/p/log?container=main`, {
      headers: { Authorization: 'Bearer reader-token' },
    })
    expect(((await logs.json()) as { message: string }).message).toBe(
      'pods "p" is forbidden: User "reader" cannot get resource "pods/log" in API group "" in the namespace "default"',
    )
  })
})

describe('fault injection', () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await startSandbox()
  })
  afterAll(() => sb.close())

  test('next N requests fail with 500/503/429 (Retry-After), optionally only on a verb or path', async () => {
    sb.server.faults.failNext({ status: 429, count: 1, retryAfterSeconds: 7 })
    const limited = await fetch(`${sb.server.url}/apis/argoproj.io/v1alpha1/namespaces/default/workflows`)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')
    expect(await limited.json()).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 7 },
    })

    sb.server.faults.failNext({ status: 500, count: 2, verb: 'create' })
    expect((await sb.custom.listNamespacedCustomObject({ ...wfs })) as object).toBeDefined()
    for (let i = 0; i < 2; i++) {
      const failed = await failure(
        sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow(`f-${i}`) }),
      )
      expect(failed.code).toBe(500)
      expect(failed.body.reason).toBe('InternalError')
    }
    await sb.custom.createNamespacedCustomObject({ ...wfs, body: workflow('f-ok') })

    sb.server.faults.failNext({ status: 503, count: 1, path: '/secrets' })
    expect((await failure(sb.core.listNamespacedSecret({ namespace: 'default' }))).code).toBe(503)
    expect(sb.server.faults.state().failures).toEqual([])
  })

  test('admin endpoints switch faults at run time', async () => {
    const admin = (path: string, body?: object, method = 'POST') =>
      fetch(`${sb.server.url}/sandbox/faults${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      })
    expect((await admin('/errors', { status: 503, count: 1, verb: 'get' })).status).toBe(200)
    expect((await failure(sb.custom.getNamespacedCustomObject({ ...wfs, name: 'f-ok' }))).code).toBe(503)
    await admin('/delay', { ms: 30 })
    expect(((await (await admin('', undefined, 'GET')).json()) as { delayMs: number }).delayMs).toBe(30)
    await admin('', undefined, 'DELETE')
    expect(sb.server.faults.state().delayMs).toBe(0)

    let ended = false
    await new k8s.Watch(sb.kc).watch(
      '/apis/argoproj.io/v1alpha1/namespaces/default/workflows',
      {},
      () => undefined,
      () => (ended = true),
    )
    await until(() => sb.server.faults.state().openWatches === 1, 'the watch to open')
    expect(await (await admin('/drop-watches')).json()).toEqual({ dropped: 1 })
    await until(() => ended, 'the dropped watch to end')

    const rv = sb.store.resourceVersion()
    await admin('/expire')
    const res = await fetch(
      `${sb.server.url}/apis/argoproj.io/v1alpha1/namespaces/default/workflows?watch=1&resourceVersion=${rv}`,
    )
    expect(res.status).toBe(200)
    expect(JSON.parse((await res.text()).trim())).toMatchObject({ type: 'ERROR', object: { code: 410 } })
  })
})
