// A real API server answers the log request of a pod that no node has taken yet with 204 and no
// body; that is "not started yet", not an error.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { KubeConfig } from '@kubernetes/client-node'
import { LogsWaitingError } from '../../../src/argo/index.js'
import { openPodLogStream } from '../../../src/argo/pod-logs.js'

let server: Server
let kubeConfig: KubeConfig

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('/pods/pending-pod/log')) return void res.writeHead(204).end()
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  kubeConfig = new KubeConfig()
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'default' }],
    currentContext: 'x',
  })
})

afterAll(() => new Promise((resolve) => server.close(resolve)))

test('204 on pods/log means the step is waiting', async () => {
  await expect(
    openPodLogStream(kubeConfig, 'default', 'pending-pod', {}, new PassThrough(), 5000),
  ).rejects.toBeInstanceOf(LogsWaitingError)
})
