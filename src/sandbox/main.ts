// `npm run sandbox`: the sandbox cluster alone (Kubernetes API + Argo controller simulator), with a
// kubeconfig written to .data/sandbox-kubeconfig for kubectl-like clients and the service.
import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createLogger } from '../log.js'
import { startSandboxCluster } from './cluster.js'
import { applyWorkflowTemplates } from './templates.js'

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'sandbox' })
const namespace = process.env.KUBE_NAMESPACE ?? 'default'
const cluster = await startSandboxCluster({
  kubePort: process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : 0,
  logger,
})
const templates = await applyWorkflowTemplates(cluster.store, namespace)
const path = resolve('.data/sandbox-kubeconfig')
await mkdir(resolve('.data'), { recursive: true })
await writeFile(path, cluster.kube.kubeconfig(), { mode: 0o600 })
console.log(`sandbox cluster at ${cluster.kube.url}
  Argo Server: ${cluster.argoServerUrl}
  kubeconfig:  ${path}   (export KUBECONFIG=${path})
  templates:   ${templates.join(', ') || '(none)'}
  faults:      ${cluster.kube.url}/sandbox/faults`)
const stop = () => void cluster.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
