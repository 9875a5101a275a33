// The whole system for integration tests: sandbox cluster (over HTTP), fake Invenio with the sample
// users and records, a fresh database, and the service built by the real composition root.
import { KubeConfig } from '@kubernetes/client-node'
import { pino, type Logger } from 'pino'
import { loadSettings } from '../../src/config/index.js'
import { createService, type Service } from '../../src/service.js'
import {
  startSandboxCluster,
  type SandboxCluster,
  type SandboxClusterOptions,
} from '../../src/sandbox/cluster.js'
import { applyWorkflowTemplates } from '../../src/sandbox/templates.js'
import { seedSampleData, startFakeInvenio, type FakeInvenio } from '../../src/sandbox/invenio/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export const SERVICE_TOKEN = 'test-service-token'

export interface TestStackOptions {
  cluster?: SandboxClusterOptions
  /** Extra settings (environment names), e.g. { PENDING_GRACE_SECONDS: '1' }. */
  env?: Record<string, string>
  applyTemplates?: boolean
  /** The service's logger (default: silent); tests that scan logs pass a capturing one. */
  logger?: Logger
}

export interface TestStack {
  cluster: SandboxCluster
  invenio: FakeInvenio
  db: TestDatabase
  service: Service
  tokens: { alice: string; bob: string; cora: string }
  /** Alice's sample record: water-dimer.log, md/topol.tpr, notes.txt. */
  recordId: string
  /** Alice's second record, with no files. */
  emptyRecordId: string
  close(): Promise<void>
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const cluster = await startSandboxCluster({ speed: 20, stepSeconds: 1, ...options.cluster })
  const invenio = await startFakeInvenio({ serviceToken: SERVICE_TOKEN })
  const sample = seedSampleData(invenio)
  const db = await createTestDatabase()
  if (options.applyTemplates ?? true) await applyWorkflowTemplates(cluster.store, 'default')
  const service = await createStackService({ cluster, invenio, db, env: options.env, logger: options.logger })
  const token = (name: string) => sample.users.find((u) => u.name === name)!.token
  return {
    cluster,
    invenio,
    db,
    service,
    tokens: { alice: token('alice'), bob: token('bob'), cora: token('cora') },
    recordId: sample.records[0]!.id,
    emptyRecordId: sample.records[1]!.id,
    close: async () => {
      await service.close()
      await db.close()
      await invenio.close()
      await cluster.close()
    },
  }
}

export interface StackServiceOptions {
  cluster: SandboxCluster
  invenio: FakeInvenio
  db: TestDatabase
  /** Extra settings (environment names); they win over the stack's. */
  env?: Record<string, string>
  /** Point ARGO_SERVER_URL at the sandbox's Argo Server (default true). */
  argoServer?: boolean
  serviceToken?: string
  logger?: Logger
}

/** The real service, built by the composition root, wired to a sandbox cluster, fake Invenio and database. */
export async function createStackService(options: StackServiceOptions): Promise<Service> {
  const { cluster, invenio, db } = options
  const settings = loadSettings({
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    DB_MIGRATE_ON_START: 'false',
    CATALOG_FILE: 'config/catalog.yaml',
    CATALOG_WATCH: 'false',
    KUBE_NAMESPACE: 'default',
    INVENIO_URL: invenio.url,
    INVENIO_RECORD_URL_TEMPLATE: `{base}/api/${invenio.modelPrefix}/{id}/draft`,
    INVENIO_USER_CHECK_PATH: '/api/me',
    INVENIO_SERVICE_TOKEN: options.serviceToken ?? SERVICE_TOKEN,
    ...((options.argoServer ?? true) && cluster.argoServerUrl
      ? { ARGO_SERVER_URL: cluster.argoServerUrl }
      : {}),
    ...options.env,
  })
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromString(cluster.kube.kubeconfig())
  return createService({
    settings,
    kubeConfig,
    // One client on the embedded PGlite: its socket mixes up concurrent connections' statements.
    database: db.realPostgres ? undefined : db.db,
    logger: options.logger ?? pino({ level: 'silent' }),
    validateResponses: true,
  })
}
