// `npm run demo`: the sandbox cluster, a fake Invenio with sample users and records, and the service
// on embedded PostgreSQL, all in one process. Writes .data/demo.json for scripts and checks.
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { loadSettings, SettingsError } from '../config/index.js'
import { createLogger } from '../log.js'
import { startService } from '../service.js'
import { startSandboxCluster } from './cluster.js'
import { seedSampleData, startFakeInvenio } from './invenio/index.js'
import { applyWorkflowTemplates } from './templates.js'
import type { KubeObject } from './types.js'

const DATA_DIR = resolve('.data')
const env = process.env

// The sandbox does not run the images; script what the processing steps report, so the demo shows
// step results as a real cluster would (docs/workflow-authoring.md, the step result standard).
function demoBehavior(template: KubeObject): Record<string, unknown> | undefined {
  const name = template.metadata.name ?? ''
  if (name === 'compchem-fileprocessor-io') return undefined
  return {
    '*': {
      logLines: [
        `${name}: reading /input`,
        `${name}: parsing`,
        `${name}: writing /output and /tmp/result.json`,
      ],
      result: { status: 'SUCCESS', message: `${name}: summary written next to each input file`, files: {} },
    },
  }
}

async function main(): Promise<void> {
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'info', name: 'demo' })
  const namespace = env.KUBE_NAMESPACE ?? 'default'
  const cluster = await startSandboxCluster({ logger: logger.child({ component: 'sandbox' }) })
  const templates = await applyWorkflowTemplates(cluster.store, namespace, undefined, demoBehavior)

  const serviceToken = randomBytes(24).toString('base64url')
  const port = Number(env.PORT ?? 8080)
  // The fake Invenio posts signed upload events to the service, so an upload starts its runs by itself
  // (the sample record seeded below is not processed: it exists before any upload event).
  const webhookSecret = randomBytes(24).toString('base64url')
  const invenio = await startFakeInvenio({
    serviceToken,
    webhook: { url: `http://127.0.0.1:${port}/api/v1/events/invenio`, secret: webhookSecret },
    serviceUiUrl: `http://localhost:${port}/ui/records`,
    logger: logger.child({ component: 'fake-invenio' }),
  })
  const sample = seedSampleData(invenio)

  let settings
  try {
    settings = loadSettings({
      PGLITE_DATA_DIR: 'memory://',
      KUBE_NAMESPACE: namespace,
      ...env,
      INVENIO_URL: invenio.url,
      INVENIO_RECORD_URL_TEMPLATE: `{base}/api/${invenio.modelPrefix}/{id}/draft`,
      INVENIO_USER_CHECK_PATH: '/api/me',
      INVENIO_SERVICE_TOKEN: serviceToken,
      INVENIO_WEBHOOK_SECRETS: webhookSecret,
      ...(cluster.argoServerUrl ? { ARGO_SERVER_URL: cluster.argoServerUrl } : {}),
    })
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(`demo: ${error.message}`)
      process.exit(2)
    }
    throw error
  }
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(cluster.kube.kubeconfig())
  const service = await startService({ settings, kubeConfig, logger })
  const apiUrl = `http://localhost:${settings.port}`

  await mkdir(DATA_DIR, { recursive: true })
  await writeFile(resolve(DATA_DIR, 'kubeconfig'), cluster.kube.kubeconfig(), { mode: 0o600 })
  const demo = {
    apiUrl,
    docsUrl: `${apiUrl}/docs`,
    invenioUrl: invenio.url,
    kubeApiUrl: cluster.kube.url,
    argoServerUrl: cluster.argoServerUrl,
    kubeconfig: resolve(DATA_DIR, 'kubeconfig'),
    users: sample.users.map(({ name, token }) => ({ name, token })),
    records: sample.records.map(({ id, owner, title, files }) => ({ id, owner, title, files })),
  }
  await writeFile(resolve(DATA_DIR, 'demo.json'), `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 })

  const alice = demo.users.find((u) => u.name === 'alice')!
  const record = demo.records[0]!
  console.log(`
compchem-fileprocessor demo is running.

  API          ${apiUrl}/api/v1   (docs: ${apiUrl}/docs)
  fake Invenio ${invenio.url}       record page: ${invenio.url}/records/${record.id}
  Kubernetes   ${cluster.kube.url}  (kubeconfig: ${demo.kubeconfig})
  templates    ${templates.join(', ') || '(none shipped yet)'}
  users        ${demo.users.map((u) => u.name).join(', ')} — tokens in .data/demo.json

Try it as alice:
  curl -H 'Authorization: Bearer ${alice.token}' ${apiUrl}/api/v1/records/${record.id}/files
  curl -H 'Authorization: Bearer ${alice.token}' -H 'Content-Type: application/json' \\
       -d '{"type":"gaussian-log","files":["water-dimer.log"]}' ${apiUrl}/api/v1/records/${record.id}/workflows

Automatic processing: upload a Gaussian .log to "${demo.records[1]!.title}" (${invenio.url}/api/${invenio.modelPrefix}/${demo.records[1]!.id}/draft/files)
and its run starts by itself (docs/invenio-integration.md).

Stop with Ctrl-C.
`)

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await service.close()
    await invenio.close()
    await cluster.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

await main()
