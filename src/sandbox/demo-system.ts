// The whole system on embedded defaults, in one process: the sandbox cluster, a fake Invenio with
// sample users and records, and the service on PGlite. `npm run demo` prints it; the browser tests
// and the API fuzzing start it the same way.
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'
import { loadSettings, type Settings } from '../config/index.js'
import type { Logger } from '../log.js'
import { startService, type RunningService } from '../service.js'
import { startSandboxCluster, type SandboxCluster } from './cluster.js'
import { seedSampleData, startFakeInvenio, type FakeInvenio } from './invenio/index.js'
import { startMailCatcher, type CaughtMail } from './mail-catcher.js'
import { applyWorkflowTemplates } from './templates.js'
import type { KubeObject } from './types.js'

export interface DemoOptions {
  logger: Logger
  /** Service port; 0 picks a free one. Default: PORT from env, else 8080. */
  port?: number
  /** Settings on top of the demo's (env-style keys, e.g. LOG_LEVEL). */
  env?: Record<string, string | undefined>
  /** Seconds a sandbox step runs (SANDBOX_STEP_SECONDS); the GROMACS MD step runs this × 100. */
  stepSeconds?: number
  /** Receives the completion emails of a loopback mail server the demo points SMTP_URL at. */
  onMail?: (mail: CaughtMail) => void
}

export interface DemoUser {
  name: string
  token: string
}

export interface DemoRecord {
  id: string
  owner: string
  title: string
  files: Array<{ key: string; mimetype: string }>
}

export interface DemoSystem {
  apiUrl: string
  invenioUrl: string
  kubeApiUrl: string
  argoServerUrl: string | undefined
  kubeconfig: string
  serviceToken: string
  settings: Settings
  users: DemoUser[]
  records: DemoRecord[]
  templates: string[]
  cluster: SandboxCluster
  invenio: FakeInvenio
  service: RunningService
  close(): Promise<void>
}

/** The MD check run of the GROMACS type stands in for the long job a user may want to stop. */
const LONG_STEP_FACTOR = 100

// The sandbox does not run the images; script what the processing steps report, so the demo shows
// step results as a real cluster would (docs/workflow-authoring.md, the step result standard).
function demoBehavior(stepSeconds: number) {
  return (template: KubeObject): Record<string, unknown> | undefined => {
    const name = template.metadata.name ?? ''
    if (name === 'compchem-fileprocessor-io') return undefined
    const summary = {
      logLines: [
        `${name}: reading /input`,
        `${name}: parsing`,
        `${name}: writing /output and /tmp/result.json`,
      ],
      result: { status: 'SUCCESS', message: `${name}: summary written next to each input file`, files: {} },
    }
    if (name !== 'compchem-gromacs') return { '*': summary }
    const steps = Array.from({ length: 20 }, (_, i) => `mdrun: step ${(i + 1) * 50} of 1000`)
    return {
      '*': summary,
      mdrun: {
        seconds: stepSeconds * LONG_STEP_FACTOR,
        logLines: ['mdrun: reading topol.tpr', ...steps, 'mdrun: writing confout.gro'],
        result: { status: 'SUCCESS', message: 'mdrun: 1000 steps, energies stable', files: {} },
      },
    }
  }
}

export async function startDemo(options: DemoOptions): Promise<DemoSystem> {
  const { logger } = options
  const env = { ...process.env, ...options.env }
  const namespace = env.KUBE_NAMESPACE ?? 'default'
  const stepSeconds = options.stepSeconds ?? Number(env.SANDBOX_STEP_SECONDS ?? 3)
  const cluster = await startSandboxCluster({ logger: logger.child({ component: 'sandbox' }), stepSeconds })
  const closers: Array<() => Promise<void>> = [() => cluster.close()]
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined)
  }
  try {
    const templates = await applyWorkflowTemplates(
      cluster.store,
      namespace,
      undefined,
      demoBehavior(stepSeconds),
    )
    const port = options.port === 0 ? await freePort() : (options.port ?? Number(env.PORT ?? 8080))
    const serviceUrl = `http://127.0.0.1:${port}`
    const serviceToken = randomBytes(24).toString('base64url')
    // The fake Invenio posts signed upload events to the service, so an upload starts its runs by itself
    // (the sample records seeded below are not processed: they exist before any upload event).
    const webhookSecret = randomBytes(24).toString('base64url')
    const invenio = await startFakeInvenio({
      serviceToken,
      serviceUrl,
      webhook: { url: `${serviceUrl}/api/v1/events/invenio`, secret: webhookSecret },
      logger: logger.child({ component: 'fake-invenio' }),
    })
    closers.push(() => invenio.close())
    const sample = seedSampleData(invenio)
    const mail = options.onMail ? await startMailCatcher(options.onMail) : undefined
    if (mail) closers.push(() => mail.close())

    const settings = loadSettings({
      PGLITE_DATA_DIR: 'memory://',
      KUBE_NAMESPACE: namespace,
      ...env,
      PORT: String(port),
      INVENIO_URL: invenio.url,
      INVENIO_RECORD_URL_TEMPLATE: `{base}/api/${invenio.modelPrefix}/{id}/draft`,
      INVENIO_USER_CHECK_PATH: '/api/me',
      INVENIO_SERVICE_TOKEN: serviceToken,
      INVENIO_WEBHOOK_SECRETS: webhookSecret,
      // The record page of the fake Invenio embeds the widget, which calls the service cross-origin.
      CORS_ORIGINS: env.CORS_ORIGINS ?? invenio.url,
      ...(mail && !env.SMTP_URL ? { SMTP_URL: mail.url } : {}),
      ...(cluster.argoServerUrl ? { ARGO_SERVER_URL: cluster.argoServerUrl } : {}),
    })
    const kubeConfig = new KubeConfig()
    kubeConfig.loadFromString(cluster.kube.kubeconfig())
    const service = await startService({ settings, kubeConfig, logger })
    closers.push(() => service.close())
    return {
      apiUrl: `http://localhost:${settings.port}`,
      invenioUrl: invenio.url,
      kubeApiUrl: cluster.kube.url,
      argoServerUrl: cluster.argoServerUrl,
      kubeconfig: cluster.kube.kubeconfig(),
      serviceToken,
      settings,
      users: sample.users.map(({ name, token }) => ({ name, token })),
      records: sample.records.map(({ id, owner, title, files }) => ({ id, owner, title, files })),
      templates,
      cluster,
      invenio,
      service,
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

/** Ctrl-C or SIGTERM closes the system once, then ends the process. */
export function closeOnSignals(system: Pick<DemoSystem, 'close'>): void {
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await system.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
