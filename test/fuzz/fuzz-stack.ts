// The system `npm run demo` starts (sandbox cluster, fake Invenio with the sample users and records,
// the service on embedded PostgreSQL), built from the same exported parts, for scripts/fuzz.sh:
// it listens on a free loopback port, knows the service token, seeds a finished and a running run so
// the fuzzer can aim at real ones, and writes everything the script needs to $FUZZ_STATE_FILE.
// Run: `npx tsx test/fuzz/fuzz-stack.ts`; stop with SIGTERM.
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { KubeConfig } from '@kubernetes/client-node'
import { loadSettings } from '../../src/config/index.js'
import { createLogger } from '../../src/log.js'
import { startSandboxCluster } from '../../src/sandbox/cluster.js'
import { seedSampleData, startFakeInvenio } from '../../src/sandbox/invenio/index.js'
import { applyWorkflowTemplates } from '../../src/sandbox/templates.js'
import { startService } from '../../src/service.js'

const NAMESPACE = 'default'

export interface FuzzState {
  url: string
  serviceToken: string
  userToken: string
  recordId: string
  emptyRecordId: string
  fileKey: string
  runName: string
}

async function startRun(url: string, token: string, recordId: string, body: object): Promise<string> {
  const response = await fetch(`${url}/api/v1/records/${encodeURIComponent(recordId)}/workflows`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = (await response.json()) as { name?: string }
  if (response.status !== 201 || !answer.name) {
    throw new Error(`seeding a run failed: ${response.status} ${JSON.stringify(answer)}`)
  }
  return answer.name
}

async function main(): Promise<void> {
  const stateFile = process.env.FUZZ_STATE_FILE
  if (!stateFile) throw new Error('FUZZ_STATE_FILE must name the file to write the state to')
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'fuzz-stack' })
  const cluster = await startSandboxCluster({ speed: 20, stepSeconds: 1 })
  await applyWorkflowTemplates(cluster.store, NAMESPACE)
  const serviceToken = randomBytes(24).toString('base64url')
  const invenio = await startFakeInvenio({ serviceToken })
  const sample = seedSampleData(invenio)

  const settings = loadSettings({
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PGLITE_DATA_DIR: 'memory://',
    CATALOG_FILE: 'config/catalog.yaml',
    CATALOG_WATCH: 'false',
    KUBE_NAMESPACE: NAMESPACE,
    INVENIO_URL: invenio.url,
    INVENIO_RECORD_URL_TEMPLATE: `{base}/api/${invenio.modelPrefix}/{id}/draft`,
    INVENIO_USER_CHECK_PATH: '/api/me',
    INVENIO_SERVICE_TOKEN: serviceToken,
    INVENIO_WEBHOOK_SECRETS: randomBytes(24).toString('base64url'),
    // The fuzzer sends thousands of starts and actions; 429s would hide what the handlers do.
    RATE_LIMIT_START_PER_MINUTE: '100000',
    RATE_LIMIT_START_BURST: '100000',
    RATE_LIMIT_ACTION_PER_MINUTE: '100000',
    RATE_LIMIT_ACTION_BURST: '100000',
    ...(cluster.argoServerUrl ? { ARGO_SERVER_URL: cluster.argoServerUrl } : {}),
  })
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(cluster.kube.kubeconfig())
  // PORT=0 (any free port) is refused by the settings parser, which guards production values.
  const service = await startService({ settings: { ...settings, port: 0 }, kubeConfig, logger })
  await service.context.informer.whenSynced()

  const alice = sample.users.find((user) => user.name === 'alice')!
  const record = sample.records[0]!
  const runName = await startRun(service.url, alice.token, record.id, {
    type: 'gaussian-log',
    files: ['water-dimer.log'],
  })
  const state: FuzzState = {
    url: service.url,
    serviceToken,
    userToken: alice.token,
    recordId: record.id,
    emptyRecordId: sample.records[1]!.id,
    fileKey: 'water-dimer.log',
    runName,
  }
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  console.log(`fuzz stack ready at ${service.url}`)

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
