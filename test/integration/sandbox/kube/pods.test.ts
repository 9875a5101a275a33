import { PassThrough } from 'node:stream'
import * as k8s from '@kubernetes/client-node'
import { failure, startSandbox, until, type Sandbox } from './harness.js'

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox()
})
afterAll(() => sb.close())

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { 'workflows.argoproj.io/workflow': 'wf' } },
    spec: { containers: [{ name: 'wait' }, { name: 'main' }], initContainers: [{ name: 'init' }] },
  }
}

async function readLog(
  name: string,
  options: { follow?: boolean; tailLines?: number; timestamps?: boolean } = {},
) {
  const out = new PassThrough()
  let text = ''
  out.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const ended = new Promise<void>((resolve) => out.on('end', () => resolve()))
  await new k8s.Log(sb.kc).log('default', name, 'main', out, options)
  return { text: () => text, ended }
}

test('pods: get, list with selectors, delete', async () => {
  sb.store.create('pods', 'default', pod('p-list'))
  const got = await sb.core.readNamespacedPod({ namespace: 'default', name: 'p-list' })
  expect(got.spec?.containers.map((c) => c.name)).toEqual(['wait', 'main'])
  const listed = await sb.core.listNamespacedPod({
    namespace: 'default',
    labelSelector: 'workflows.argoproj.io/workflow=wf',
  })
  expect(listed.items.map((p) => p.metadata?.name)).toContain('p-list')
  await sb.core.deleteNamespacedPod({ namespace: 'default', name: 'p-list' })
  const gone = await failure(sb.core.readNamespacedPod({ namespace: 'default', name: 'p-list' }))
  expect(gone.code).toBe(404)
  expect(gone.body.message).toBe('pods "p-list" not found')
})

test('pods/log: 400 while waiting, 404 for an unknown pod', async () => {
  sb.store.create('pods', 'default', pod('p-wait'))
  sb.logs.setState('default', 'p-wait', 'main', 'waiting')
  const res = await fetch(`${sb.server.url}/api/v1/namespaces/default/pods/p-wait/log?container=main`)
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({
    kind: 'Status',
    reason: 'BadRequest',
    code: 400,
    message: 'container "main" in pod "p-wait" is waiting to start: PodInitializing',
  })
  await expect(readLog('p-wait')).rejects.toMatchObject({ code: 400 })
  await expect(readLog('nobody')).rejects.toMatchObject({ code: 404 })
  const unknown = await fetch(`${sb.server.url}/api/v1/namespaces/default/pods/nobody/log?container=main`)
  expect(await unknown.json()).toMatchObject({ reason: 'NotFound', message: 'pods "nobody" not found' })
})

test('pods/log: tailLines and timestamps; follow receives later lines and ends when the container terminates', async () => {
  sb.store.create('pods', 'default', pod('p-run'))
  sb.logs.setState('default', 'p-run', 'main', 'running')
  sb.logs.append('default', 'p-run', 'main', 'one\ntwo\nthree\n')
  const tail = await readLog('p-run', { tailLines: 2 })
  await tail.ended
  expect(tail.text()).toBe('two\nthree\n')
  const stamped = await readLog('p-run', { tailLines: 1, timestamps: true })
  await stamped.ended
  expect(stamped.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/)

  const followed = await readLog('p-run', { follow: true })
  await until(() => followed.text() === 'one\ntwo\nthree\n', 'the existing lines')
  sb.logs.append('default', 'p-run', 'main', 'four')
  await until(() => followed.text().endsWith('four\n'), 'a line appended later')
  sb.logs.setState('default', 'p-run', 'main', 'terminated')
  await followed.ended
  expect(followed.text()).toBe('one\ntwo\nthree\nfour\n')
})

test('secrets: create, get, list, delete', async () => {
  await sb.core.createNamespacedSecret({
    namespace: 'default',
    body: { metadata: { name: 's1' }, data: { k: 'dg==' } },
  })
  expect((await sb.core.readNamespacedSecret({ namespace: 'default', name: 's1' })).data).toEqual({
    k: 'dg==',
  })
  const dup = await failure(
    sb.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 's1' } } }),
  )
  expect(dup.body.message).toBe('secrets "s1" already exists')
  await sb.core.deleteNamespacedSecret({ namespace: 'default', name: 's1' })
  const list = await sb.core.listNamespacedSecret({ namespace: 'default' })
  expect(list.items.map((s) => s.metadata?.name)).not.toContain('s1')
})
